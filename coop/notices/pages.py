"""The pages of notices: the inbox, e-mail settings, unsubscribe links, undelivered e-mail."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from coop.errors import DomainError
from coop.feeds.urls import feed_url
from coop.i18n import _
from coop.members import service as members
from coop.members.schemas import MemberUpdate
from coop.notices import mail, sender, service
from coop.shifts.service import my_shifts
from coop.tables import NOTICE_KINDS
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.forms import Form, parse_form

UNREAD_STATE_KEY = "coop_unread"
NOT_COUNTED = ("/api/", "/static/", "/calendar/", "/health", "/schema")


async def count_unread(request: Request) -> None:
    """Put the member's unread count where base.html finds it, on every page."""
    if request.url.path.startswith(NOT_COUNTED):
        return
    member = await sessions.current_member(request)
    if member is not None:
        request.scope.setdefault("state", {})[UNREAD_STATE_KEY] = await service.count(
            member.id, unread_only=True
        )


def _page_number(page: int) -> int:
    return min(max(page, 1), 100_000)


class InboxPages(Controller):
    path = "/inbox"
    include_in_schema = False
    guards = [sessions.requires_member]

    @get()
    async def inbox(self, member: CurrentMember, page: FromQuery[int] = 1) -> Template:
        """Newest first, a page at a time."""
        page = _page_number(page)
        size = service.PAGE_SIZE
        rows = await service.inbox(member.id, limit=size, offset=(page - 1) * size)
        total = await service.count(member.id)
        return Template(
            "notices/inbox.html",
            context={
                "viewer": member,
                "notices": rows,
                "page": page,
                "has_next": page * size < total,
                "unread": await service.count(member.id, unread_only=True),
            },
        )

    @post("/{notification_id:int}/read")
    async def read(
        self, request: Request, notification_id: FromPath[int], member: CurrentMember, data: Form
    ) -> Redirect:
        await service.mark_read(notification_id, member.id)
        return Redirect(f"/inbox?page={_page_number(_int(data.get('page')))}")

    @post("/read-all")
    async def read_all(self, request: Request, member: CurrentMember) -> Redirect:
        await service.mark_all_read(member.id)
        flash(request, _("Every notice is marked read."), category="success")
        return Redirect("/inbox")


def _int(value: Any) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 7 else 1


class NoticeSettingsPages(Controller):
    path = "/me/notices"
    include_in_schema = False
    guards = [sessions.requires_member]

    @post()
    async def update(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        """E-mail address, the kinds wanted, quiet hours: the same rules as PATCH /api/me."""
        fields = {k: data.get(k, "") for k in ("email", "quiet_hours_start", "quiet_hours_end")}
        try:
            update = parse_form(fields, MemberUpdate, blank_is_none=True)
            changes = {k: getattr(update, k) for k in fields}
            changes["email_kinds"] = [kind for kind in NOTICE_KINDS if data.get(f"kind_{kind}")]
            await members.update_settings(member, changes)
        except DomainError as error:
            context = {
                "member": member,
                "calendar_url": feed_url(settings, "members", member.calendar_token),
                "my_shifts": await my_shifts(member.id),
                "form": {},
                "notice_form": data,
                "notice_error": error.message,
                "notice_error_field": error.extra.get("field"),
            }
            return Template("members/me.html", context=context, status_code=error.status_code)
        flash(request, _("Your notice settings are saved."), category="success")
        return Redirect("/me#notices-heading")


class UnsubscribePages(Controller):
    """The link in every e-mail: one kind of e-mail off for one person, no log-in needed."""

    path = "/unsubscribe"
    include_in_schema = False

    @get()
    async def confirm(self, settings: AppSettings, token: FromQuery[str] = "") -> Template:
        found = mail.read_unsubscribe_token(settings.secret_key, token[:200])
        return Template(
            "notices/unsubscribe.html",
            context={"token": token, "kind": found[1] if found else None, "done": False},
            status_code=200 if found else 404,
        )

    @post()
    async def unsubscribe(
        self, settings: AppSettings, data: Form, token: FromQuery[str] = ""
    ) -> Template:
        """Also the one-click POST mail programs send (RFC 8058), hence no CSRF token here."""
        token = (token or str(data.get("token", "")))[:200]
        found = mail.read_unsubscribe_token(settings.secret_key, token)
        if found is None:
            return Template(
                "notices/unsubscribe.html",
                context={"token": "", "kind": None, "done": False},
                status_code=404,
            )
        member_id, kind = found
        await service.stop_mail(member_id, kind)
        return Template(
            "notices/unsubscribe.html", context={"token": token, "kind": kind, "done": True}
        )


class UndeliveredPages(Controller):
    path = "/plan/undelivered"
    include_in_schema = False
    guards = [sessions.requires_coordinator]

    @get()
    async def undelivered(self, member: CurrentMember) -> Template:
        return Template(
            "notices/undelivered.html",
            context={"viewer": member, "failed": await sender.undelivered()},
        )

    @post("/{notification_id:int}/retry")
    async def retry(self, request: Request, notification_id: FromPath[int]) -> Redirect:
        if await sender.retry(notification_id):
            flash(request, _("That e-mail will be sent again shortly."), category="success")
        else:
            flash(request, _("That e-mail isn't waiting for a retry any more."), category="info")
        return Redirect("/plan/undelivered")
