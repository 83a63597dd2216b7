"""The pages of accounts: log in, register, my settings."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from coop import auth
from coop.deps import AppSettings, CurrentMember
from coop.errors import DomainError
from coop.forms import parse_form
from coop.i18n import _, set_language
from coop.members import service
from coop.members.api import member_feed_url
from coop.members.schemas import InviteCreate, LoginRequest, MemberCreate, MemberUpdate
from coop.shifts.service import my_shifts
from coop.web.language import visitor_language

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _safe_next(target: str | None) -> str:
    """Only follow local paths after log-in, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/me"


class AccountPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(self, next: FromQuery[str | None] = None) -> Template:
        return Template("members/login.html", context={"form": {}, "next": _safe_next(next)})

    @post("/login")
    async def login(self, request: Request, data: Form) -> Template | Redirect:
        target = _safe_next(data.get("next"))
        try:
            credentials = parse_form(data, LoginRequest)
            member = await service.authenticate(
                credentials.username, credentials.password, auth.client_address(request)
            )
        except DomainError as error:
            context = {"form": {"username": data.get("username", "")}, "next": target}
            context["error"] = error.message
            retry_after = error.extra.get("retry_after")
            headers = {"Retry-After": str(retry_after)} if retry_after else None
            return Template(
                "members/login.html",
                context=context,
                status_code=error.status_code,
                headers=headers,
            )
        auth.start_session(request, member)
        flash(
            request,
            _("Welcome back, %(display_name)s.", display_name=member.display_name),
            category="success",
        )
        return Redirect(target)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        auth.end_session(request)
        flash(request, _("You're logged out. See you in the garden."), category="success")
        return Redirect("/")

    @get("/register")
    async def register_form(self, code: FromQuery[str] = "") -> Template:
        return Template("members/register.html", context={"form": {"invite_code": code}})

    @post("/register")
    async def register(self, request: Request, data: Form) -> Template | Redirect:
        address = auth.client_address(request)
        try:
            await auth.ensure_not_throttled(address, address, kind="invite")
            new_member = parse_form(data, MemberCreate)
            member = await service.register(new_member)
        except DomainError as error:
            if isinstance(error, service.InviteNotUsable):
                await auth.record_failure(address, address, kind="invite")
            form = {k: v for k, v in data.items() if k != "password"}
            context = {
                "form": form,
                "error": error.message,
                "error_field": error.extra.get("field"),
            }
            return Template("members/register.html", context=context, status_code=error.status_code)
        auth.start_session(request, member)
        flash(
            request,
            _("Welcome to the garden, %(display_name)s!", display_name=member.display_name),
            category="success",
        )
        return Redirect("/me")


class MePages(Controller):
    path = "/me"
    include_in_schema = False
    guards = [auth.requires_member]

    async def _render(
        self, member: CurrentMember, settings: AppSettings, status_code: int = 200, **extra: Any
    ) -> Template:
        context = {"member": member, "calendar_url": member_feed_url(settings, member), **extra}
        context["my_shifts"] = await my_shifts(member.id)
        context.setdefault("form", {})
        return Template("members/me.html", context=context, status_code=status_code)

    @get()
    async def me(self, member: CurrentMember, settings: AppSettings) -> Template:
        return await self._render(member, settings)

    @post("/settings")
    async def update(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        fields = {
            k: data.get(k, "")
            for k in ("display_name", "contact", "max_shifts_per_week", "reminder_minutes")
        }
        if "language" in data:  # "" follows the browser again
            fields["language"] = data.get("language", "")
        if not str(fields["contact"]).strip():
            del fields["contact"]  # an empty contact is "", not None (which the schema refuses)
        try:
            update = parse_form(fields, MemberUpdate, blank_is_none=True)
            changes = {k: getattr(update, k) for k in fields}
            if changes["display_name"] is None:
                raise DomainError(_("Display name: please fill this in."), field="display_name")
            changes["contact"] = update.contact or ""  # UNSET when left empty
            changes["share_contact"] = data.get("share_contact") == "on"
            await service.update_settings(member, changes)
            if "language" in changes:  # say "saved" in the language just chosen
                set_language(member.language or visitor_language(request))
        except DomainError as error:
            return await self._render(
                member,
                settings,
                error.status_code,
                form=data,
                error=error.message,
                error_field=error.extra.get("field"),
            )
        flash(request, _("Your settings are saved."), category="success")
        return Redirect("/me")

    @post("/invites", guards=[auth.requires_coordinator])
    async def invite(self, data: Form, member: CurrentMember, settings: AppSettings) -> Template:
        try:
            invite = parse_form(data, InviteCreate)
        except DomainError as error:
            return await self._render(
                member, settings, error.status_code, invite_error=error.message
            )
        code, expires_at = await service.create_invite(member, invite.role)
        link = f"{settings.base_url}/register?code={code}"
        return await self._render(
            member,
            settings,
            201,
            invite={"code": code, "role": invite.role, "link": link, "expires_at": expires_at},
        )

    @post("/calendar-token")
    async def new_calendar_token(
        self, request: Request, member: CurrentMember, data: Form
    ) -> Redirect:
        await service.regenerate_calendar_token(member)
        flash(request, _("Your calendar link is new. The old link no longer works."), "success")
        return Redirect(_safe_next(data.get("next")))

    @post("/logout-everywhere")
    async def log_out_everywhere(self, request: Request, member: CurrentMember) -> Redirect:
        """For a lost phone or a shared computer: every copy of every session stops working."""
        await auth.end_every_session(member)
        auth.end_session(request)
        flash(
            request,
            _(
                "You're logged out everywhere, on every device. Log in again here when you're "
                "ready."
            ),
            "success",
        )
        return Redirect("/login")

    @post("/close")
    async def close_account(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        if data.get("confirm") != member.username:
            return await self._render(
                member,
                settings,
                400,
                close_error=_("To close your account, type your username exactly as shown."),
            )
        await service.close_account(member)
        auth.end_session(request)
        flash(
            request,
            _("Your account is closed and your personal data removed. Take care."),
            "success",
        )
        return Redirect("/")
