"""The sender: writes reminders and coordinator alerts when they fall due, and drains the outbox.

A batch is claimed in one short transaction (on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so
several senders share the work) by moving each notice's ``next_attempt_at`` a lease ahead; the
mail goes out after the commit. A sender killed mid-batch leaves its claimed notices to be sent
again when the lease ends: nothing is lost, and a duplicate carries the same Message-ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import aiosmtplib

from coop.db import current_engine, writing
from coop.formatting import when
from coop.i18n import _
from coop.notices import mail
from coop.notices.events import shift_url
from coop.notices.service import Notice, coordinators, tell
from coop.settings import Settings
from coop.shifts.rules import HELD
from coop.tables import Member, Notification, PlacementMember, Shift

log = logging.getLogger("coop.sender")
REMINDER_HORIZON = timedelta(days=7)
UNDERFILLED_HORIZON = timedelta(days=3)
TOO_OLD_TO_MAIL = timedelta(days=2)


@dataclass
class Sender:
    """One sender; any number may run against the same database."""

    settings: Settings
    batch: int = 50
    lease: timedelta = timedelta(minutes=5)
    retry_base: timedelta = timedelta(seconds=30)
    max_attempts: int = 6
    poll_seconds: float = 5.0
    schedule_every: timedelta = timedelta(minutes=1)
    _scheduled_at: datetime | None = None

    # --- due notices: reminders and coordinator alerts --------------------------------------

    async def schedule(self, now: datetime | None = None) -> int:
        """Write the reminders and under-filled alerts that are due (once each, by dedupe key)."""
        now = now or datetime.now(UTC)
        async with writing():
            return await reminders_due(now, self.settings) + await underfilled(now, self.settings)

    # --- the outbox -------------------------------------------------------------------------

    async def claim(self, now: datetime | None = None) -> list[dict]:
        """Take up to ``batch`` notices whose e-mail is due, for the length of a lease."""
        now = now or datetime.now(UTC)
        async with writing():
            if current_engine().engine_type == "postgres":
                rows = await Notification.raw(
                    "SELECT id FROM notification WHERE email_status = 'pending' "
                    "AND next_attempt_at <= {} ORDER BY id LIMIT {} FOR UPDATE SKIP LOCKED",
                    now,
                    self.batch,
                )
                ids = [row["id"] for row in rows]
            else:  # one writer at a time already (BEGIN IMMEDIATE)
                ids = await (
                    Notification.select(Notification.id)
                    .where(Notification.email_status == "pending")
                    .where(Notification.next_attempt_at <= now)
                    .order_by(Notification.id)
                    .limit(self.batch)
                    .output(as_list=True)
                )
            if not ids:
                return []
            return await (
                Notification.update(
                    {
                        Notification.attempts: Notification.attempts + 1,
                        Notification.next_attempt_at: now + self.lease,
                    }
                )
                .where(Notification.id.is_in(ids))
                .returning(
                    Notification.id,
                    Notification.member,
                    Notification.kind,
                    Notification.text,
                    Notification.url,
                    Notification.language,
                    Notification.dedupe_key,
                    Notification.attempts,
                    Notification.created_at,
                )
            )

    async def send_batch(self, claimed: list[dict]) -> int:
        """Mail each claimed notice that should still go; returns how many went."""
        if not claimed:
            return 0
        people = {
            row["id"]: row
            for row in await Member.select(
                Member.id,
                Member.display_name,
                Member.email,
                Member.email_kinds,
                Member.quiet_hours_start,
                Member.quiet_hours_end,
            ).where(Member.id.is_in(sorted({n["member"] for n in claimed})))
        }
        now = datetime.now(UTC)
        outgoing = []
        for notice in claimed:
            person = people.get(notice["member"])
            wanted = (
                person is not None
                and person["email"]
                and notice["kind"] in person["email_kinds"].split(",")
            )
            if not wanted or now - notice["created_at"] > TOO_OLD_TO_MAIL:
                await _settle(notice["id"], "", _("Not sent: e-mail turned off or too late."))
                continue
            if notice["kind"] == "reminder" and not await _still_holds(notice["dedupe_key"]):
                await _settle(notice["id"], "", _("Not sent: the shift was cancelled or left."))
                continue
            quiet_until = quiet_hours_end(person, now, self.settings)
            if quiet_until is not None:  # held, not tried: the attempt does not count
                await Notification.update(
                    {
                        Notification.next_attempt_at: quiet_until,
                        Notification.attempts: Notification.attempts - 1,
                    }
                ).where(Notification.id == notice["id"])
                continue
            outgoing.append((notice, person))
        if not outgoing:
            return 0
        sent_ids: list[int] = []
        server = mail.SmtpServer.from_url(self.settings.smtp_url)
        client = aiosmtplib.SMTP(
            hostname=server.hostname,
            port=server.port,
            use_tls=server.use_tls,
            start_tls=server.start_tls,
            username=server.username,
            password=server.password,
            timeout=30,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as error:
            for notice, _person in outgoing:
                await self._failed(notice, error)
            return 0
        try:
            for notice, person in outgoing:
                message = mail.compose(
                    self.settings, notice, person["email"], person["display_name"]
                )
                try:
                    await client.send_message(message)
                except (aiosmtplib.SMTPException, OSError) as error:
                    await self._failed(notice, error)
                    if not client.is_connected:
                        await client.connect()
                    continue
                sent_ids.append(notice["id"])
        finally:
            if sent_ids:  # one UPDATE for the batch; a crash before it only means a resend
                async with writing():
                    await Notification.update(
                        {
                            Notification.email_status: "sent",
                            Notification.emailed_at: datetime.now(UTC),
                        }
                    ).where(Notification.id.is_in(sent_ids))
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()
        return len(sent_ids)

    async def _failed(self, notice: dict, error: Exception) -> None:
        """Try again later, waiting longer each time; after the last try coordinators see it."""
        text = f"{type(error).__name__}: {error}"[:500]
        log.warning("Notice %s not sent (try %s): %s", notice["id"], notice["attempts"], text)
        if notice["attempts"] >= self.max_attempts:
            await _settle(notice["id"], "failed", text)
            return
        wait = self.retry_base * (2 ** (notice["attempts"] - 1))
        await Notification.update(
            {Notification.next_attempt_at: datetime.now(UTC) + wait, Notification.last_error: text}
        ).where(Notification.id == notice["id"])

    async def run_once(self) -> int:
        """One round: due notices, then every due e-mail; returns how many e-mails went."""
        now = datetime.now(UTC)
        if self._scheduled_at is None or now - self._scheduled_at >= self.schedule_every:
            await self.schedule(now)
            self._scheduled_at = now
        if not self.settings.email_enabled:
            return 0
        sent = 0
        # Claims compare with the round's start: a retry set for "now" waits for the next round.
        while claimed := await self.claim(now):
            sent += await self.send_batch(claimed)
        return sent

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        """Keep going until ``stop`` is set; a failing round is logged, never fatal."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("The notice sender's round failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)


async def _settle(notice_id: int, status: str, error: str) -> None:
    await Notification.update(
        {Notification.email_status: status, Notification.last_error: error}
    ).where(Notification.id == notice_id)


async def _still_holds(dedupe_key: str) -> bool:
    """A reminder's shift is still on, and its person still holds a place in it."""
    _kind, shift_id, member_id, *_rest = dedupe_key.split(":")
    return await PlacementMember.exists().where(
        (PlacementMember.shift == int(shift_id))
        & (PlacementMember.member == int(member_id))
        & PlacementMember.placement.status.is_in(list(HELD))
        & (PlacementMember.shift.status == "scheduled")
    )


def _clock(text: str) -> time | None:
    try:
        return time.fromisoformat(text) if text else None
    except ValueError:
        return None


def quiet_hours_end(person: dict, now: datetime, settings: Settings) -> datetime | None:
    """When the member's quiet hours end, if ``now`` falls inside them (garden time)."""
    start, end = _clock(person["quiet_hours_start"]), _clock(person["quiet_hours_end"])
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(settings.zone)
    clock = local.time().replace(tzinfo=None)
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, settings.zone).astimezone(UTC)


async def reminders_due(now: datetime, settings: Settings) -> int:
    """A reminder for each held place whose holder's lead time has come (never twice)."""
    shift = PlacementMember.shift
    rows = await (
        PlacementMember.select(
            PlacementMember.member,
            PlacementMember.member.reminder_minutes.as_alias("lead"),
            shift.id.as_alias("shift_id"),
            shift.title.as_alias("title"),
            shift.starts_at.as_alias("starts_at"),
            shift.location.as_alias("location"),
        )
        .where(shift.status == "scheduled")
        .where((shift.starts_at > now) & (shift.starts_at <= now + REMINDER_HORIZON))
        .where(PlacementMember.placement.status.is_in(list(HELD)))
        .where(PlacementMember.member.reminder_minutes.is_not_null())
    )
    due = [row for row in rows if row["starts_at"] - timedelta(minutes=row["lead"]) <= now]

    def saying(row: dict):
        def say() -> str:
            return _(
                "Reminder: %(title)s starts %(when)s, at %(place)s.",
                title=row["title"],
                when=when(row["starts_at"], settings.zone),
                place=row["location"] or _("the garden"),
            )

        return say

    return await tell(
        Notice(
            member_id=row["member"],
            kind="reminder",
            dedupe_key=f"reminder:{row['shift_id']}:{row['member']}:{row['starts_at']:%Y%m%dT%H%M}",
            say=saying(row),
            url=shift_url(row["shift_id"]),
        )
        for row in due
    )


async def underfilled(now: datetime, settings: Settings) -> int:
    """coordinator_alert for each shift less than half full within three days."""
    shifts = await (
        Shift.select(Shift.id, Shift.title, Shift.starts_at, Shift.pair_slots)
        .where(Shift.status == "scheduled")
        .where((Shift.starts_at > now) & (Shift.starts_at <= now + UNDERFILLED_HORIZON))
    )
    if not shifts:
        return 0
    seats = await (
        PlacementMember.select(PlacementMember.shift)
        .where(PlacementMember.shift.is_in([s["id"] for s in shifts]))
        .where(PlacementMember.placement.status.is_in(list(HELD)))
        .output(as_list=True)
    )
    people = {shift["id"]: seats.count(shift["id"]) for shift in shifts}
    # Two places per pair slot: fewer people than slots is less than half full.
    thin = [shift for shift in shifts if people[shift["id"]] < shift["pair_slots"]]
    if not thin:
        return 0
    coordinator_ids = await coordinators()

    def saying(shift: dict):
        def say() -> str:
            return _(
                "%(title)s on %(when)s is less than half full: %(people)s of %(places)s places "
                "taken.",
                title=shift["title"],
                when=when(shift["starts_at"], settings.zone),
                people=people[shift["id"]],
                places=2 * shift["pair_slots"],
            )

        return say

    return await tell(
        Notice(
            member_id=coordinator,
            kind="coordinator_alert",
            dedupe_key=f"underfilled:{shift['id']}:{coordinator}",
            say=saying(shift),
            url=shift_url(shift["id"]),
        )
        for shift in thin
        for coordinator in coordinator_ids
    )


# --- coordinators: what could not be sent ------------------------------------------------------


async def undelivered(limit: int = 100, offset: int = 0) -> list[dict]:
    return await (
        Notification.select(
            Notification.id,
            Notification.kind,
            Notification.text,
            Notification.created_at,
            Notification.attempts,
            Notification.last_error,
            Notification.member.display_name.as_alias("display_name"),
        )
        .where(Notification.email_status == "failed")
        .order_by(Notification.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )


async def retry(notification_id: int) -> bool:
    """Send a failed e-mail again from the first try; False if it was not a failed one."""
    rows = await (
        Notification.update(
            {
                Notification.email_status: "pending",
                Notification.attempts: 0,
                Notification.next_attempt_at: datetime.now(UTC),
                Notification.created_at: datetime.now(UTC),
            }
        )
        .where((Notification.id == notification_id) & (Notification.email_status == "failed"))
        .returning(Notification.id)
    )
    return bool(rows)
