"""The JSON face of notices: your inbox, and (for coordinators) e-mails that could not go."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_204_NO_CONTENT

from coop.errors import NotFound
from coop.i18n import _
from coop.notices import sender, service
from coop.notices.schemas import NotificationOut, UndeliveredOut
from coop.web import sessions
from coop.web.deps import CurrentMember
from coop.web.errors import error_responses
from coop.web.params import Limit, Offset


class NotificationsApi(Controller):
    path = "/api/me/notifications"
    tags = ["notices"]
    guards = [sessions.requires_member]

    @get(responses=error_responses(401))
    async def inbox(
        self,
        member: CurrentMember,
        unread: FromQuery[bool] = False,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[NotificationOut]:
        """Your notices, newest first (``unread=1``: only those not yet read)."""
        rows = await service.inbox(member.id, unread, limit, offset)
        return [NotificationOut(**row) for row in rows]

    @post("/{notification_id:int}/read", status_code=HTTP_204_NO_CONTENT)
    async def read(self, notification_id: FromPath[int], member: CurrentMember) -> None:
        await service.mark_read(notification_id, member.id)

    @post("/read-all", status_code=HTTP_204_NO_CONTENT)
    async def read_all(self, member: CurrentMember) -> None:
        await service.mark_all_read(member.id)


class UndeliveredApi(Controller):
    path = "/api/notifications"
    tags = ["notices"]
    guards = [sessions.requires_coordinator]

    @get("/failed", responses=error_responses(401, 403))
    async def failed(self, limit: Limit = 100, offset: Offset = 0) -> list[UndeliveredOut]:
        """E-mails that failed every try: who, what, and the last error."""
        rows = await sender.undelivered(limit, offset)
        return [UndeliveredOut(**{**r, "display_name": r["display_name"] or ""}) for r in rows]

    @post("/{notification_id:int}/retry", status_code=HTTP_204_NO_CONTENT)
    async def retry(self, notification_id: FromPath[int]) -> None:
        """Send a failed e-mail again, from the first try."""
        if not await sender.retry(notification_id):
            raise NotFound(_("We couldn't find a failed e-mail with that number."))
