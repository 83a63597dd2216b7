"""The pairs page: both partners see the same page and can change it the same way."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from coop.errors import DomainError
from coop.i18n import _
from coop.market.service import what_harvests_became
from coop.pairs import service
from coop.pairs.schemas import PairCreate
from coop.shifts import visibility
from coop.vocabulary import PairStatus
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.forms import Form, parse_form, refusal
from coop.web.urls import redirect_to


class PairsPages(Controller):
    path = "/pairs"
    include_in_schema = False
    guards = [sessions.requires_member]

    async def _render(self, member, settings, status_code: int = 200, **extra: Any) -> Template:
        views = await service.page_views(member.id, settings)
        became = await what_harvests_became([v["id"] for v in views if v["status"] == "active"])
        for view in views:
            view["became"] = became.get(view["id"], [])
            if view["status"] == PairStatus.ACTIVE:  # a partner's contact, if they share it
                partner_id = view["partner"]["id"]
                shared = await visibility.contacts_for(member, {partner_id})
                view["partner"]["contact"] = shared.get(partner_id, "")
        context = {
            "viewer": member,
            "to_answer": [
                v for v in views if v["status"] == PairStatus.PROPOSED and not v["proposed_by_me"]
            ],
            "asked": [
                v for v in views if v["status"] == PairStatus.PROPOSED and v["proposed_by_me"]
            ],
            PairStatus.ACTIVE: [v for v in views if v["status"] == PairStatus.ACTIVE],
            "form": {},
            **extra,
        }
        return Template("pairs/pairs.html", context=context, status_code=status_code)

    @get(name="pairs")
    async def index(self, member: CurrentMember, settings: AppSettings) -> Template:
        return await self._render(member, settings)

    @post()
    async def propose(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        try:
            proposal = parse_form(data, PairCreate)
            await service.propose(member, proposal.partner)
        except DomainError as error:
            return await self._render(
                member,
                settings,
                error.status_code,
                form=data,
                **refusal(error, field="partner"),
            )
        flash(request, _("Your proposal is sent. The pair forms when they say yes."), "success")
        return redirect_to(request, "pairs")

    @post("/{pair_id:int}/{answer:str}")
    async def change(
        self,
        request: Request,
        pair_id: FromPath[int],
        answer: FromPath[str],
        member: CurrentMember,
        settings: AppSettings,
    ) -> Template | Redirect:
        actions = {"accept": service.accept, "decline": service.decline, "end": service.end}
        if answer not in actions:
            return await self._render(
                member, settings, 404, error=_("That action isn't available.")
            )
        try:
            await actions[answer](pair_id, member.id)
        except DomainError as error:
            return await self._render(member, settings, error.status_code, **refusal(error))
        words = {
            "accept": _("You're partners now. You can sign up for shifts together."),
            "decline": _("You've declined. Nobody is told why."),
            "end": _("The pair has ended. You can still sign up for shifts on your own."),
        }
        flash(request, words[answer], "success")
        return redirect_to(request, "pairs")
