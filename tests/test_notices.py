"""Notices: written with the change, one per person per event; the inbox; e-mail through a real
SMTP server (aiosmtpd on 127.0.0.1); quiet hours, opting out, retries and unsubscribe links."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from coop.notices.sender import Sender
from coop.tables import Notification
from tests.support.rows import Rows, in_app

MAIL_FROM = "Garden co-op <garden@example.org>"


async def add_shift(client, **fields) -> int:
    return Rows(client).shift(**fields)


async def run(client, work):
    """``work`` in the app's own loop (a coroutine function or a query)."""
    return in_app(client, work)


@pytest.fixture
def mail_on() -> bool:
    return True


@pytest.fixture
def settings(settings, smtp, mail_on):
    """The suite's settings, with e-mail through the test's own SMTP server."""
    url, _mailbox = smtp
    return dataclasses.replace(settings, smtp_url=url, mail_from=MAIL_FROM) if mail_on else settings


@pytest.fixture
def mailbox(smtp):
    return smtp[1]


async def send_mail(client, settings, **options) -> int:
    sender = Sender(settings, **options)
    return await run(client, sender.run_once)


async def notices(client, **where) -> list[dict]:
    async def read():
        query = Notification.select().order_by(Notification.id)
        for name, value in where.items():
            query = query.where(Notification._meta.get_column_by_name(name) == value)
        return await query

    return await run(client, read)


def garden_day(days_ahead: int) -> tuple[str, datetime]:
    """A date ``days_ahead`` in the garden's zone, and 9:00 that day (as UTC)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Chicago")
    day = (datetime.now(zone) + timedelta(days=days_ahead)).date()
    nine = datetime(day.year, day.month, day.day, 9, tzinfo=zone).astimezone(UTC)
    return day.isoformat(), nine


async def with_email(user, address: str | None = None, **extra):
    address = address or f"{user.username}@example.org"
    response = await user.patch("/api/me", json={"email": address, **extra})
    assert response.status_code == 200, response.text
    return address


async def pair_up(one, two) -> int:
    pair = (await one.post("/api/pairs", json={"partner": two.username})).json()
    assert (await two.post(f"/api/pairs/{pair['id']}/accept")).status_code == 200
    return pair["id"]


async def test_a_day_cancel_tells_each_placed_person_once_in_the_inbox_and_by_mail(
    client, garden, settings, mailbox
):
    coordinator = await garden.first_coordinator()
    day, nine = garden_day(5)
    shift_ids = [
        await add_shift(client, starts_at=nine, pair_slots=2, title="Weeding"),
        await add_shift(client, starts_at=nine + timedelta(hours=3), pair_slots=2, title="Compost"),
        await add_shift(client, starts_at=nine + timedelta(hours=6), pair_slots=1, title="Water"),
    ]
    other_day = await add_shift(client, starts_at=nine + timedelta(days=1), pair_slots=2)
    people = [await garden.member(f"p{n:02d}") for n in range(12)]
    for person in people:
        await with_email(person)
    placed, elsewhere = people[:10], people[10:]
    for person, shift_id in zip(
        placed, [shift_ids[0]] * 4 + [shift_ids[1]] * 4 + [shift_ids[2]] * 2, strict=True
    ):
        assert (await person.post(f"/api/shifts/{shift_id}/placements", json={})).status_code == 201
    for person in elsewhere:
        await person.post(f"/api/shifts/{other_day}/placements", json={})

    # Solo sign-ups paired people up (partner_joined): send those, then look at the cancel.
    await send_mail(client, settings)
    mailbox.received.clear()

    # A cancel that fails writes nothing.
    bad = await coordinator.post(f"/api/days/{day}/cancel", json={"reason": "x" * 5000})
    assert bad.status_code == 400
    assert await notices(client, kind="shift_cancelled") == []

    done = await coordinator.post(f"/api/days/{day}/cancel", json={"reason": "heat advisory"})
    assert done.status_code == 200, done.text
    written = await notices(client, kind="shift_cancelled")
    assert sorted(n["member"] for n in written) == sorted(p.id for p in placed)
    for person in placed:
        inbox = (await person.get("/api/me/notifications")).json()
        inbox = [n for n in inbox if n["kind"] == "shift_cancelled"]
        assert len(inbox) == 1
        assert "heat advisory" in inbox[0]["text"]
        assert inbox[0]["url"].startswith("/shifts/") and inbox[0]["read_at"] is None
    for person in elsewhere:
        kinds = [n["kind"] for n in (await person.get("/api/me/notifications")).json()]
        assert "shift_cancelled" not in kinds

    assert await send_mail(client, settings) == 10
    assert sorted(rcpt[0] for rcpt, _m in mailbox.received) == sorted(
        f"{p.username}@example.org" for p in placed
    )
    message = mailbox.to("p00@example.org")[0]
    assert message["From"] == MAIL_FROM
    assert message["Message-ID"].startswith("<notice-") and message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "heat advisory" in plain and "heat advisory" in html
    assert f"{settings.base_url}/shifts/{shift_ids[0]}" in plain
    # Sending again sends nothing more: every notice is marked sent.
    assert await send_mail(client, settings) == 0
    assert len(mailbox.received) == 10
    assert {n["email_status"] for n in await notices(client, kind="shift_cancelled")} == {"sent"}


async def test_quiet_hours_hold_mail_and_an_opted_out_kind_reaches_only_the_inbox(
    client, garden, settings, mailbox
):
    from zoneinfo import ZoneInfo

    coordinator = await garden.first_coordinator()
    day, nine = garden_day(5)
    shift_ids = [await add_shift(client, starts_at=nine + timedelta(hours=h)) for h in (0, 3, 6)]
    quiet, opted_out, plain = [await garden.member(n) for n in ("quinn", "otto", "pat")]
    now = datetime.now(ZoneInfo("America/Chicago"))
    start, end = (now - timedelta(hours=1)), (now + timedelta(hours=1))
    await with_email(quiet, quiet_hours_start=f"{start:%H:%M}", quiet_hours_end=f"{end:%H:%M}")
    kinds = (await opted_out.get("/api/me")).json()["email_kinds"]
    await with_email(opted_out, email_kinds=[k for k in kinds if k != "shift_cancelled"])
    await with_email(plain)
    for person, shift_id in zip((quiet, opted_out, plain), shift_ids, strict=True):
        await person.post(f"/api/shifts/{shift_id}/placements", json={})

    cancel = await coordinator.post(f"/api/days/{day}/cancel", json={"reason": "storm"})
    assert cancel.status_code == 200
    for person in (quiet, opted_out, plain):
        assert [n["kind"] for n in (await person.get("/api/me/notifications")).json()] == [
            "shift_cancelled"
        ]
    assert await send_mail(client, settings) == 1
    assert [rcpt for rcpt, _m in mailbox.received] == [["pat@example.org"]]
    (held,) = await notices(client, member=quiet.id)
    assert held["email_status"] == "pending" and held["attempts"] == 0
    expected_end = end.replace(second=0, microsecond=0)
    assert abs(held["next_attempt_at"] - expected_end.astimezone(UTC)) < timedelta(minutes=1)
    (skipped,) = await notices(client, member=opted_out.id)
    assert skipped["email_status"] == ""

    # When the quiet hours are over, the held mail goes.
    await quiet.patch("/api/me", json={"quiet_hours_start": None, "quiet_hours_end": None})

    async def hours_passed():
        await Notification.update({Notification.next_attempt_at: datetime.now(UTC)}).where(
            Notification.member == quiet.id
        )

    await run(client, hours_passed)
    assert await send_mail(client, settings) == 1
    assert [rcpt for rcpt, _m in mailbox.received][-1] == ["quinn@example.org"]


async def test_the_inbox_pages_marks_read_and_counts_in_the_navigation(client, garden, settings):
    await garden.first_coordinator()
    ana = await garden.member("ana")
    ben = await garden.member("ben")
    shift_ids = [
        await add_shift(
            client, starts_at=garden_day(5)[1] + timedelta(hours=3 * n), title=f"Shift {n}"
        )
        for n in range(25)
    ]
    for shift_id in shift_ids:
        await ana.post(f"/api/shifts/{shift_id}/placements", json={})
    coordinator = await garden.first_coordinator()
    for shift_id in shift_ids:
        await coordinator.post(f"/api/shifts/{shift_id}/cancel", json={"reason": "rain"})

    assert len((await ana.get("/api/me/notifications?unread=1")).json()) == 25
    home = await ana.get("/")
    assert "Inbox (25 new)" in home.text
    first = await ana.get("/inbox")
    assert first.status_code == 200 and first.text.count("is cancelled: rain") == 20
    assert "Shift 24" in first.text and 'rel="next"' in first.text  # newest first
    second = await ana.get("/inbox?page=2")
    assert second.text.count("is cancelled: rain") == 5 and "Shift 0 " in second.text

    newest = (await ana.get("/api/me/notifications")).json()[0]
    assert (await ben.post(f"/api/me/notifications/{newest['id']}/read")).status_code == 404
    assert (await ana.post(f"/api/me/notifications/{newest['id']}/read")).status_code == 204
    assert len((await ana.get("/api/me/notifications?unread=1")).json()) == 24
    page = await ana.form(f"/inbox/{newest['id'] - 1}/read", {"page": "1"})
    assert page.status_code == 200 and str(page.url).endswith("/inbox?page=1")
    assert "Inbox (23 new)" in (await ana.get("/me")).text
    await ana.form("/inbox/read-all", {})
    assert (await ana.get("/api/me/notifications?unread=1")).json() == []
    assert "Inbox (" not in (await ana.get("/")).text
    assert (await garden.anonymous().get("/inbox", follow_redirects=False)).status_code in (
        302,
        303,
        401,
    )


async def test_rematch_is_by_consent(client, garden, settings):
    """A partner leaves: the place waits, closed to strangers, until its holder chooses."""
    await garden.first_coordinator()
    ana, ben, cai, dee, eve = [await garden.member(n) for n in ("ana", "ben", "cai", "dee", "eve")]
    shift_id = await add_shift(client, pair_slots=1, starts_at=garden_day(5)[1])
    pair_id = await pair_up(ana, ben)
    place = (await ana.post(f"/api/shifts/{shift_id}/placements", json={"pair_id": pair_id})).json()
    assert place["open_to_anyone"] is False or place["status"] == "confirmed"
    assert (await ben.delete(f"/api/placements/{place['id']}")).status_code == 204

    (mine,) = (await ana.get("/api/me/placements")).json()
    assert (mine["status"], mine["open_to_anyone"]) == ("awaiting_partner", False)
    kinds = [n["kind"] for n in (await ana.get("/api/me/notifications")).json()]
    assert kinds.count("partner_left") == 1
    # A stranger's solo sign-up does not complete a place that is not open to anyone.
    stranger = (await cai.post(f"/api/shifts/{shift_id}/placements", json={})).json()
    assert stranger["status"] == "waitlisted"
    (mine,) = (await ana.get("/api/me/placements")).json()
    assert [m["display_name"] for m in mine["members"]] == ["Ana"]
    # The shift page offers the three choices.
    page = (await ana.get(f"/shifts/{shift_id}")).text
    assert "Match me with anyone" in page and "Withdraw" in page
    # "Sign up with <another partner>": the rules hold for the partner who joins.
    other_pair = await pair_up(ana, dee)
    busy = await add_shift(client, starts_at=garden_day(5)[1], title="Dee is busy")
    assert (await dee.post(f"/api/shifts/{busy}/placements", json={})).status_code == 201
    assert "Sign up with Dee" not in page  # Dee was not Ana's partner yet when the page loaded
    refused = await ana.post(f"/api/placements/{place['id']}/partner", json={"pair_id": other_pair})
    assert refused.status_code == 409 and "Dee" in refused.json()["detail"]
    assert (
        await ana.post(f"/api/placements/{place['id']}/partner", json={"pair_id": 999})
    ).status_code in (403, 404)
    assert (await cai.post(f"/api/placements/{place['id']}/open")).status_code == 404

    # "Match me with anyone": the waitlist completes it at once.
    opened = await ana.post(f"/api/placements/{place['id']}/open")
    assert opened.status_code == 200 and opened.json()["status"] == "confirmed"
    assert sorted(m["display_name"] for m in opened.json()["members"]) == ["Ana", "Cai"]
    ana_kinds = [n["kind"] for n in (await ana.get("/api/me/notifications")).json()]
    cai_kinds = [n["kind"] for n in (await cai.get("/api/me/notifications")).json()]
    assert ana_kinds.count("partner_joined") == 1 and cai_kinds == ["waitlist_promoted"]
    assert (await eve.get("/api/me/notifications")).json() == []


async def test_sign_up_with_another_partner_fills_the_free_seat(client, garden, settings):
    await garden.first_coordinator()
    ana, ben, dee = [await garden.member(n) for n in ("ana", "ben", "dee")]
    shift_id = await add_shift(client, pair_slots=1, starts_at=garden_day(5)[1])
    place = (
        await ana.post(
            f"/api/shifts/{shift_id}/placements", json={"pair_id": await pair_up(ana, ben)}
        )
    ).json()
    await ben.delete(f"/api/placements/{place['id']}")
    other_pair = await pair_up(ana, dee)
    chosen = await ana.post(f"/api/placements/{place['id']}/partner", json={"pair_id": other_pair})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["status"] == "confirmed" and chosen.json()["pair_id"] == other_pair
    assert sorted(m["display_name"] for m in chosen.json()["members"]) == ["Ana", "Dee"]
    again = await ana.post(f"/api/placements/{place['id']}/partner", json={"pair_id": other_pair})
    assert again.status_code == 409


async def test_pairs_time_and_place_changes_and_late_withdrawals_are_told(client, garden, settings):
    coordinator = await garden.first_coordinator()
    ana, ben = await garden.member("ana"), await garden.member("ben")
    pair = (await ana.post("/api/pairs", json={"partner": "ben"})).json()
    assert [n["kind"] for n in (await ben.get("/api/me/notifications")).json()] == ["pair_proposed"]
    await ben.post(f"/api/pairs/{pair['id']}/accept")
    assert [n["kind"] for n in (await ana.get("/api/me/notifications")).json()] == ["pair_accepted"]
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=30)
    shift_id = await add_shift(client, starts_at=soon, pair_slots=2)
    place = (
        await ana.post(f"/api/shifts/{shift_id}/placements", json={"pair_id": pair["id"]})
    ).json()
    moved = await coordinator.patch(
        f"/api/shifts/{shift_id}", json={"location": "Bed 9", "notes": "bring gloves"}
    )
    assert moved.status_code == 200, moved.text
    for person in (ana, ben):
        kinds = [n["kind"] for n in (await person.get("/api/me/notifications")).json()]
        assert kinds.count("shift_changed") == 1
    # A title-only edit is not a change of time or place: nobody is told.
    await coordinator.patch(f"/api/shifts/{shift_id}", json={"title": "Weeding, again"})
    kinds = [n["kind"] for n in (await ana.get("/api/me/notifications")).json()]
    assert kinds.count("shift_changed") == 1
    # Less than 48 hours ahead: coordinators hear of a withdrawal.
    await ben.delete(f"/api/placements/{place['id']}")
    alerts = [
        n
        for n in (await coordinator.get("/api/me/notifications")).json()
        if n["kind"] == "coordinator_alert"
    ]
    assert len(alerts) == 1 and "Ben" in alerts[0]["text"]


async def test_reminders_come_once_at_each_persons_lead_time(client, garden, settings):
    coordinator = await garden.first_coordinator()
    ana, ben, cai = [await garden.member(n) for n in ("ana", "ben", "cai")]
    await ana.patch("/api/me", json={"reminder_minutes": 3 * 24 * 60})
    await ben.patch("/api/me", json={"reminder_minutes": 60})  # not due yet
    await cai.patch("/api/me", json={"reminder_minutes": 3 * 24 * 60})
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    shift_id = await add_shift(client, starts_at=soon, pair_slots=3)
    cancelled = await add_shift(client, starts_at=soon + timedelta(hours=4), pair_slots=3)
    for person in (ana, ben, cai):
        await person.post(f"/api/shifts/{shift_id}/placements", json={})
    await ana.post(f"/api/shifts/{cancelled}/placements", json={})
    await coordinator.post(f"/api/shifts/{cancelled}/cancel", json={})
    (cai_place,) = (await cai.get("/api/me/placements")).json()
    await cai.delete(f"/api/placements/{cai_place['id']}")

    for _round in range(2):  # two senders' rounds, or two senders: still one each
        await run(client, Sender(settings).schedule)
    reminders = await notices(client, kind="reminder")
    assert [(n["member"], n["url"]) for n in reminders] == [(ana.id, f"/shifts/{shift_id}")]
    # Under half full within three days: coordinators hear of it, once per shift.
    alerts = await notices(client, kind="coordinator_alert")
    assert len([n for n in alerts if n["dedupe_key"].startswith("underfilled:")]) == 1


async def test_mail_that_keeps_failing_is_shown_to_coordinators_and_can_be_retried(
    client, garden, settings, mailbox
):
    from tests.support.served import free_port

    coordinator = await garden.first_coordinator()
    ana = await garden.member("ana")
    await with_email(ana)
    shift_id = await add_shift(client, starts_at=garden_day(5)[1])
    await ana.post(f"/api/shifts/{shift_id}/placements", json={})
    await coordinator.post(f"/api/shifts/{shift_id}/cancel", json={"reason": "hail"})

    broken = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    for attempt in range(1, 4):
        assert await send_mail(client, broken, retry_base=timedelta(0), max_attempts=3) == 0
        (notice,) = await notices(client, kind="shift_cancelled")
        assert notice["attempts"] == attempt and notice["last_error"]
    assert notice["email_status"] == "failed"
    failed = (await coordinator.get("/api/notifications/failed")).json()
    assert [f["id"] for f in failed] == [notice["id"]] and failed[0]["display_name"] == "Ana"
    assert (await ana.get("/api/notifications/failed")).status_code == 403
    page = await coordinator.get("/plan/undelivered")
    assert "hail" in page.text and "Send again" in page.text

    retried = await coordinator.form(f"/plan/undelivered/{notice['id']}/retry", {})
    assert retried.status_code == 200 and "will be sent again" in retried.text
    assert await send_mail(client, settings) == 1
    assert mailbox.to("ana@example.org")
    assert (await coordinator.post(f"/api/notifications/{notice['id']}/retry")).status_code == 404


async def test_the_unsubscribe_link_turns_that_kind_off(client, garden, settings, mailbox):
    coordinator = await garden.first_coordinator()
    ana = await garden.member("ana")
    await with_email(ana)
    first, second = [
        await add_shift(client, starts_at=garden_day(5)[1] + timedelta(hours=n)) for n in (0, 3)
    ]
    for shift_id in (first, second):
        await ana.post(f"/api/shifts/{shift_id}/placements", json={})
    await coordinator.post(f"/api/shifts/{first}/cancel", json={})
    await send_mail(client, settings)
    (message,) = mailbox.to("ana@example.org")
    link = message["List-Unsubscribe"].strip().strip("<>")
    path = urlsplit(link).path + "?" + urlsplit(link).query
    stranger = garden.anonymous()
    assert "Stop these e-mails" in (await stranger.get(path)).text
    assert (await stranger.get(path.replace("shift_cancelled", "reminder"))).status_code == 404
    # The one-click POST a mail program sends: no session, no CSRF token.
    done = await client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 201 or done.status_code == 200
    kinds = (await ana.get("/api/me")).json()["email_kinds"]
    assert "shift_cancelled" not in kinds and "reminder" in kinds

    await coordinator.post(f"/api/shifts/{second}/cancel", json={})
    assert await send_mail(client, settings) == 0
    assert len((await ana.get("/api/me/notifications")).json()) == 2


async def test_notice_settings_on_me_and_in_the_api(client, garden, settings):
    ana = await garden.member("ana")
    bad = await ana.patch("/api/me", json={"email": "not an address"})
    assert bad.status_code == 400
    assert (await ana.patch("/api/me", json={"quiet_hours_start": "25:00"})).status_code == 400
    assert (await ana.patch("/api/me", json={"email_kinds": ["gossip"]})).status_code == 400
    page = await ana.form(
        "/me/notices",
        {
            "email": "ana@example.org",
            "kind_reminder": "on",
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "08:00",
        },
    )
    assert page.status_code == 200 and "notice settings are saved" in page.text
    me = (await ana.get("/api/me")).json()
    assert me["email"] == "ana@example.org" and me["email_kinds"] == ["reminder"]
    assert (me["quiet_hours_start"], me["quiet_hours_end"]) == ("21:00", "08:00")
    refused = await ana.form("/me/notices", {"email": "nope", "quiet_hours_start": ""})
    assert refused.status_code == 400 and "Email" in refused.text
    assert (await ana.get("/api/me")).json()["email"] == "ana@example.org"
    # Shown to nobody else: not in the pairs page, the roster or the season feed.
    ben = await garden.member("ben")
    await pair_up(ana, ben)
    assert "ana@example.org" not in (await ben.get("/pairs")).text
    assert "ana@example.org" in (await ana.get("/api/me/export")).text


@pytest.mark.parametrize("mail_on", [False])
async def test_without_smtp_the_inbox_works_and_me_says_email_is_off(client, garden, settings):
    coordinator = await garden.first_coordinator()
    ana = await garden.member("ana")
    await with_email(ana)
    assert "E-mail is off" in (await ana.get("/me")).text
    shift_id = await add_shift(client, starts_at=garden_day(5)[1])
    await ana.post(f"/api/shifts/{shift_id}/placements", json={})
    await coordinator.post(f"/api/shifts/{shift_id}/cancel", json={})
    assert [n["kind"] for n in (await ana.get("/api/me/notifications")).json()] == [
        "shift_cancelled"
    ]
    assert await send_mail(client, settings) == 0


async def test_with_smtp_me_does_not_say_email_is_off(client, garden, settings):
    ana = await garden.member("ana")
    assert "E-mail is off" not in (await ana.get("/me")).text
