"""The sender as its own process (``coop worker``) against a real SMTP server: killed with
SIGKILL mid-batch it loses nothing, and two senders sharing one database send each e-mail once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager

from coop.db import bind, engine_for, writing
from coop.members import service as members
from coop.notices.service import Notice, tell
from coop.settings import Settings
from coop.tables import Member, Notification
from tests.support.mail import smtp_server
from tests.support.people import PASSWORD
from tests.support.served import ROOT

PEOPLE = 30
NOTICES_EACH = 10
TOTAL = PEOPLE * NOTICES_EACH


async def fill_the_outbox(database_url: str) -> list[int]:
    """PEOPLE members with e-mail, each with NOTICES_EACH notices waiting to be mailed."""
    bind(engine_for(Settings(database_url=database_url)))
    ids = []
    for number in range(PEOPLE):
        member = await members.create_member(
            f"m{number:02d}", f"M {number}", PASSWORD, "participant"
        )
        await Member.update({Member.email: f"m{number:02d}@example.org"}).where(
            Member.id == member.id
        )
        ids.append(member.id)
    async with writing():
        await tell(
            Notice(member_id, "pair_proposed", f"test:{member_id}:{n}", lambda: "Hello", "/pairs")
            for member_id in ids
            for n in range(NOTICES_EACH)
        )
    return await Notification.select(Notification.id).output(as_list=True)


async def unsent(database_url: str) -> int:
    bind(engine_for(Settings(database_url=database_url)))
    return await Notification.count().where(Notification.email_status != "sent")


@contextmanager
def worker(database_url: str, smtp_url: str, *options: str):
    env = {
        **os.environ,
        "COOP_DATABASE_URL": database_url,
        "COOP_SMTP_URL": smtp_url,
        "COOP_MAIL_FROM": "garden@example.org",
        "COOP_SECRET_KEY": "test-secret-key-for-the-garden",
    }
    command = [sys.executable, "-m", "coop.cli", "worker", "--poll", "0.2", *options]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


async def wait_until_all_sent(database_url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while await unsent(database_url):
        assert time.monotonic() < deadline, "the outbox did not drain"
        await asyncio.sleep(0.2)


def by_message_id(mailbox) -> dict[str, list]:
    groups = defaultdict(list)
    for rcpt, message in mailbox.received:
        groups[message["Message-ID"]].append((tuple(rcpt), message["Subject"]))
    return groups


def notice_id(message_id: str) -> int:
    return int(message_id.removeprefix("<notice-").split(".")[0])


async def test_a_sender_killed_mid_batch_loses_nothing(database_url):
    notice_ids = await fill_the_outbox(database_url)
    assert len(notice_ids) == TOTAL
    with smtp_server(delay=0.01) as (smtp_url, mailbox):
        with worker(database_url, smtp_url, "--lease", "3", "--batch", "40") as process:
            deadline = time.monotonic() + 60
            while len(mailbox.received) < 60:
                assert process.poll() is None and time.monotonic() < deadline
                await asyncio.sleep(0.01)
            os.kill(process.pid, signal.SIGKILL)  # mid-batch: no shutdown, no cleanup
            process.wait()
        delivered_before = len(mailbox.received)
        assert delivered_before < TOTAL
        with worker(database_url, smtp_url, "--lease", "3", "--batch", "40"):
            await wait_until_all_sent(database_url)
        groups = by_message_id(mailbox)
    # Every notice arrived; a resend carries the same Message-ID (and the same person, subject).
    assert sorted(notice_id(message_id) for message_id in groups) == sorted(notice_ids)
    assert all(len(set(copies)) == 1 for copies in groups.values())
    duplicates = len(mailbox.received) - len(groups)
    assert duplicates <= 40  # at most the batch the killed sender held


async def test_two_senders_deliver_each_notice_once(database_url):
    notice_ids = await fill_the_outbox(database_url)
    with smtp_server(delay=0.005) as (smtp_url, mailbox):
        with (
            worker(database_url, smtp_url, "--batch", "10"),
            worker(database_url, smtp_url, "--batch", "10"),
        ):
            await wait_until_all_sent(database_url)
            await asyncio.sleep(1)  # anything sent twice would arrive now
        groups = by_message_id(mailbox)
    assert len(mailbox.received) == TOTAL
    assert sorted(notice_id(message_id) for message_id in groups) == sorted(notice_ids)
