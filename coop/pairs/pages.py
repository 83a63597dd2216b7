"""The pairs page: both partners see the same page and can change it the same way."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from coop import auth
from coop.db import reading
from coop.deps import AppSettings, CurrentMember
from coop.errors import DomainError
from coop.forms import parse_form
from coop.pairs import service
from coop.pairs.schemas import PairCreate
from coop.shifts import visibility

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


class PairsPages(Controller):
    path = "/pairs"
    include_in_schema = False
    guards = [auth.requires_member]

    async def _render(self, member, settings, status_code: int = 200, **extra: Any) -> Template:
        async with reading():
            views = []
            for pair in await service.my_pairs(member.id):
                view = await service.view(pair, settings, member.id)
                if pair["status"] == "active":
                    view["shifts"] = await service.shared_shifts(pair)
                    view["notes"] = await service.pair_notes(pair["id"])
                    partner_id = view["partner"]["id"]
                    shared = await visibility.contacts_for(member, {partner_id})
                    view["partner"]["contact"] = shared.get(partner_id, "")
                views.append(view)
        context = {
            "viewer": member,
            "to_answer": [
                v for v in views if v["status"] == "proposed" and not v["proposed_by_me"]
            ],
            "asked": [v for v in views if v["status"] == "proposed" and v["proposed_by_me"]],
            "active": [v for v in views if v["status"] == "active"],
            "form": {},
            **extra,
        }
        return Template("pairs/pairs.html", context=context, status_code=status_code)

    @get()
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
                error=error.message,
                field=error.extra.get("field") or "partner",
            )
        flash(request, "Your proposal is sent. The pair forms when they say yes.", "success")
        return Redirect("/pairs")

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
            return await self._render(member, settings, 404, error="That action isn't available.")
        try:
            await actions[answer](pair_id, member.id)
        except DomainError as error:
            return await self._render(member, settings, error.status_code, error=error.message)
        words = {
            "accept": "You're partners now. You can sign up for shifts together.",
            "decline": "You've declined. Nobody is told why.",
            "end": "The pair has ended. You can still sign up for shifts on your own.",
        }
        flash(request, words[answer], "success")
        return Redirect("/pairs")
