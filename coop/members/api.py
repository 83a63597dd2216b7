"""The JSON face of accounts: sessions, invites, registration, settings and data rights."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from coop.feeds.urls import feed_url
from coop.members import recovery, service
from coop.members.schemas import (
    CalendarUrl,
    InviteCreate,
    InviteCreated,
    LoginRequest,
    MemberCreate,
    MemberOut,
    MemberUpdate,
    MeOut,
    PasswordChange,
    PasswordReset,
    ResetCodeCreated,
)
from coop.settings import Settings
from coop.tables import Member
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.errors import error_responses

# "member": your own row; every other key is a table name with the rows that point at you.
MemberExport = dict[str, dict[str, Any] | list[dict[str, Any]]]


def member_out(member: Member) -> MemberOut:
    return MemberOut(
        id=member.id,
        username=member.username,
        display_name=member.display_name,
        role=member.role,
    )


def me_out(settings: Settings, member: Member) -> MeOut:
    return MeOut(
        id=member.id,
        username=member.username,
        display_name=member.display_name,
        role=member.role,
        calendar_url=feed_url(settings, "members", member.calendar_token),
        contact=member.contact,
        share_contact=member.share_contact,
        max_shifts_per_week=member.max_shifts_per_week,
        reminder_minutes=member.reminder_minutes,
        email=member.email,
        email_kinds=[kind for kind in member.email_kinds.split(",") if kind],
        quiet_hours_start=member.quiet_hours_start,
        quiet_hours_end=member.quiet_hours_end,
        language=member.language or None,
    )


class SessionApi(Controller):
    path = "/api/session"
    tags = ["accounts"]

    @post(status_code=HTTP_200_OK, responses=error_responses(401, 403, 429))
    async def log_in(self, request: Request, data: JSONBody[LoginRequest]) -> MemberOut:
        """Log in; the session cookie is replaced, never reused."""
        member = await service.authenticate(
            data.username, data.password, sessions.client_address(request)
        )
        sessions.start_session(request, member)
        return member_out(member)

    @delete(status_code=HTTP_204_NO_CONTENT, responses=error_responses(403))
    async def log_out(self, request: Request) -> None:
        sessions.end_session(request)


class MembersApi(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/members", responses=error_responses(403, 409, 429))
    async def register(self, request: Request, data: JSONBody[MemberCreate]) -> MemberOut:
        """Create an account with an invite code (and log in)."""
        member = await service.register(data, sessions.client_address(request))
        sessions.start_session(request, member)
        return member_out(member)

    @post("/invites", guards=[sessions.requires_coordinator], responses=error_responses(401, 403))
    async def create_invite(
        self, data: JSONBody[InviteCreate], member: CurrentMember
    ) -> InviteCreated:
        code, expires_at = await service.create_invite(member, data.role)
        return InviteCreated(code=code, role=data.role, expires_at=expires_at.isoformat())


class MeApi(Controller):
    path = "/api/me"
    tags = ["accounts"]
    guards = [sessions.requires_member]

    @get(responses=error_responses(401))
    async def me(self, member: CurrentMember, settings: AppSettings) -> MeOut:
        return me_out(settings, member)

    @patch(responses=error_responses(401, 403))
    async def update(
        self, data: JSONBody[MemberUpdate], member: CurrentMember, settings: AppSettings
    ) -> MeOut:
        changes = {k: v for k, v in _struct_items(data)}
        await service.update_settings(member, changes)
        return me_out(settings, member)

    @post("/calendar-token", status_code=HTTP_200_OK, responses=error_responses(401, 403))
    async def new_calendar_token(self, member: CurrentMember, settings: AppSettings) -> CalendarUrl:
        await service.regenerate_calendar_token(member)
        return CalendarUrl(calendar_url=feed_url(settings, "members", member.calendar_token))

    @get("/export", responses=error_responses(401))
    async def export(self, member: CurrentMember) -> MemberExport:
        """Everything stored about you, as JSON."""
        return await service.export(member)

    @post("/password", status_code=HTTP_204_NO_CONTENT, responses=error_responses(401, 403, 429))
    async def change_password(
        self, request: Request, data: JSONBody[PasswordChange], member: CurrentMember
    ) -> None:
        """A new password; every other session ends, this one goes on with a fresh cookie."""
        await recovery.change_password(
            member, data.current_password, data.new_password, sessions.client_address(request)
        )
        sessions.start_session(request, member)

    @delete(status_code=HTTP_204_NO_CONTENT, responses=error_responses(401, 403))
    async def close_account(
        self, request: Request, member: CurrentMember, settings: AppSettings
    ) -> None:
        await service.close_account(member, settings.zone)
        sessions.end_session(request)


def _struct_items(data: JSONBody[MemberUpdate]) -> list[tuple[str, Any]]:
    return [
        (name, getattr(data, name))
        for name in data.__struct_fields__
        if getattr(data, name) is not msgspec.UNSET
    ]


class RecoveryApi(Controller):
    """A way back in for a member who lost their password."""

    path = "/api"
    tags = ["accounts"]

    @post(
        "/members/{member_id:int}/reset-code",
        guards=[sessions.requires_coordinator],
        responses=error_responses(401, 403, 404),
    )
    async def create_reset_code(
        self, member_id: FromPath[int], member: CurrentMember
    ) -> ResetCodeCreated:
        """A single-use code (24 h) to hand to the member in person; it is shown only once."""
        code, expires_at, target = await recovery.create_reset_code(member, member_id)
        return ResetCodeCreated(code=code, member_id=target.id, expires_at=expires_at.isoformat())

    @post("/password-reset", status_code=HTTP_204_NO_CONTENT, responses=error_responses(403, 429))
    async def reset_password(self, request: Request, data: JSONBody[PasswordReset]) -> None:
        """Set a new password with a reset code; every session of that member ends."""
        await recovery.reset_password(
            data.username, data.code, data.new_password, sessions.client_address(request)
        )
