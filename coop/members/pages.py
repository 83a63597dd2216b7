"""The pages of accounts: log in, register, my settings."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from coop.errors import DomainError
from coop.feeds.urls import feed_url
from coop.i18n import _, set_language
from coop.members import credentials, recovery, service
from coop.members.schemas import (
    InviteCreate,
    LoginRequest,
    MemberCreate,
    MemberUpdate,
    PasswordChange,
    PasswordReset,
)
from coop.shifts.service import my_shifts
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.forms import Form, parse_form, refusal
from coop.web.language import visitor_language
from coop.web.urls import path_to, redirect_to, safe_next


class AccountPages(Controller):
    include_in_schema = False

    @get("/login", name="login")
    async def login_form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return Template(
            "members/login.html", context={"form": {}, "next": safe_next(request, next)}
        )

    @post("/login")
    async def login(self, request: Request, data: Form) -> Template | Redirect:
        target = safe_next(request, data.get("next"))
        try:
            credentials = parse_form(data, LoginRequest)
            member = await service.authenticate(
                credentials.username, credentials.password, sessions.client_address(request)
            )
        except DomainError as error:
            context = {"form": {"username": data.get("username", "")}, "next": target}
            context.update(refusal(error))
            retry_after = error.extra.get("retry_after")
            headers = {"Retry-After": str(retry_after)} if retry_after else None
            return Template(
                "members/login.html",
                context=context,
                status_code=error.status_code,
                headers=headers,
            )
        sessions.start_session(request, member)
        flash(
            request,
            _("Welcome back, %(display_name)s.", display_name=member.display_name),
            category="success",
        )
        return Redirect(target)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        sessions.end_session(request)
        flash(request, _("You're logged out. See you in the garden."), category="success")
        return redirect_to(request, "home")

    @get("/register", name="register")
    async def register_form(self, code: FromQuery[str] = "") -> Template:
        return Template("members/register.html", context={"form": {"invite_code": code}})

    @post("/register")
    async def register(self, request: Request, data: Form) -> Template | Redirect:
        try:
            new_member = parse_form(data, MemberCreate)
            member = await service.register(new_member, sessions.client_address(request))
        except DomainError as error:
            form = {k: v for k, v in data.items() if k != "password"}
            context = {
                "form": form,
                **refusal(error),
            }
            return Template("members/register.html", context=context, status_code=error.status_code)
        sessions.start_session(request, member)
        flash(
            request,
            _("Welcome to the garden, %(display_name)s!", display_name=member.display_name),
            category="success",
        )
        return redirect_to(request, "me")


class MePages(Controller):
    path = "/me"
    include_in_schema = False
    guards = [sessions.requires_member]

    async def _render(
        self, member: CurrentMember, settings: AppSettings, status_code: int = 200, **extra: Any
    ) -> Template:
        context = {
            "member": member,
            "calendar_url": feed_url(settings, "members", member.calendar_token),
            **extra,
        }
        context["my_shifts"] = await my_shifts(member.id)
        context.setdefault("form", {})
        return Template("members/me.html", context=context, status_code=status_code)

    @get(name="me")
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
                **refusal(error),
            )
        flash(request, _("Your settings are saved."), category="success")
        return redirect_to(request, "me")

    @post("/invites", guards=[sessions.requires_coordinator])
    async def invite(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template:
        try:
            invite = parse_form(data, InviteCreate)
        except DomainError as error:
            return await self._render(
                member, settings, error.status_code, **refusal(error, "invite")
            )
        code, expires_at = await service.create_invite(member, invite.role)
        link = f"{settings.base_url}{path_to(request, 'register')}?code={code}"
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
        return Redirect(safe_next(request, data.get("next")))

    @post("/password")
    async def change_password(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template | Redirect:
        """Current password, new one twice; every other device is logged out."""
        try:
            _check_repeated(data)
            change = parse_form(
                {k: data.get(k, "") for k in ("current_password", "new_password")},
                PasswordChange,
            )
            await recovery.change_password(
                member,
                change.current_password,
                change.new_password,
                sessions.client_address(request),
            )
        except DomainError as error:
            return await self._render(
                member,
                settings,
                error.status_code,
                password_error=error.message,
                password_error_field=error.extra.get("field"),
            )
        sessions.start_session(request, member)
        flash(
            request,
            _("Your password is changed. Every other device is logged out."),
            "success",
        )
        return redirect_to(request, "me")

    @post("/reset-codes", guards=[sessions.requires_coordinator])
    async def reset_code(
        self, request: Request, data: Form, member: CurrentMember, settings: AppSettings
    ) -> Template:
        """A coordinator makes a reset code for a member who lost their password."""
        try:
            code, expires_at, target = await recovery.create_reset_code(
                member, username=str(data.get("username", ""))
            )
        except DomainError as error:
            return await self._render(
                member, settings, error.status_code, reset_error=error.message, reset_form=data
            )
        return await self._render(
            member,
            settings,
            201,
            reset={
                "code": code,
                "username": target.username,
                "display_name": target.display_name,
                "expires_at": expires_at,
                "link": f"{settings.base_url}{path_to(request, 'reset')}",
            },
        )

    @post("/logout-everywhere")
    async def log_out_everywhere(self, request: Request, member: CurrentMember) -> Redirect:
        """For a lost phone or a shared computer: every copy of every session stops working."""
        await credentials.end_every_session(member)
        sessions.end_session(request)
        flash(
            request,
            _(
                "You're logged out everywhere, on every device. Log in again here when you're "
                "ready."
            ),
            "success",
        )
        return redirect_to(request, "login")

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
        await service.close_account(member, settings.zone)
        sessions.end_session(request)
        flash(
            request,
            _("Your account is closed and your personal data removed. Take care."),
            "success",
        )
        return redirect_to(request, "home")


def _check_repeated(data: dict[str, Any]) -> None:
    if data.get("new_password", "") != data.get("new_password_again", ""):
        raise DomainError(
            _("The two new passwords are not the same. Please type it twice, exactly."),
            field="new_password_again",
        )


class RecoveryPages(Controller):
    """A way back in: the code a coordinator handed over, and a new password."""

    include_in_schema = False

    @get("/reset", name="reset")
    async def reset_form(self, username: FromQuery[str] = "") -> Template:
        return Template("members/reset.html", context={"form": {"username": username}})

    @post("/reset")
    async def reset(self, request: Request, data: Form) -> Template | Redirect:
        try:
            _check_repeated(data)
            reset = parse_form(
                {k: data.get(k, "") for k in ("username", "code", "new_password")}, PasswordReset
            )
            await recovery.reset_password(
                reset.username, reset.code, reset.new_password, sessions.client_address(request)
            )
        except DomainError as error:
            retry_after = error.extra.get("retry_after")
            return Template(
                "members/reset.html",
                context={
                    "form": {"username": data.get("username", "")},
                    "error": error.message,
                    "error_field": error.extra.get("field"),
                },
                status_code=error.status_code,
                headers={"Retry-After": str(retry_after)} if retry_after else None,
            )
        sessions.end_session(request)
        flash(request, _("Your new password is set. Please log in with it."), "success")
        return redirect_to(request, "login")
