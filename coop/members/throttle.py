"""Guess limits for log-ins, reset codes and invites, held in the database.

Every attempt is counted *before* its password or code is checked, with one atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` per counter. Forty parallel guesses therefore
see forty different counts, and only the first few reach argon2, however many app processes
serve them. A counter is one row per (scope, key, fixed window); old windows are pruned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from coop.errors import TooManyAttempts
from coop.i18n import ngettext
from coop.tables import AttemptCount

WINDOW = timedelta(minutes=15)
MAX_PER_USERNAME = 5
MAX_PER_ADDRESS = 20
MAX_INVITE_TRIES_PER_ADDRESS = 5

_COUNT = (
    "INSERT INTO attempt_count (scope, key, window_number, attempts) VALUES {} "
    "ON CONFLICT (scope, key, window_number) "
    "DO UPDATE SET attempts = attempt_count.attempts + 1 RETURNING scope, key, attempts"
)


@dataclass(frozen=True)
class Counter:
    """One limit an attempt counts against: at most ``most`` per window for ``key``."""

    scope: str
    key: str
    most: int


@dataclass(frozen=True)
class Attempt:
    """An attempt that was let through, so a success can clear its name's count."""

    window_number: int
    counters: tuple[Counter, ...]


def _name(text: str) -> str:
    return text.strip().lower()[:100]


def login_counters(username: str, address: str) -> tuple[Counter, ...]:
    return (
        Counter("login", _name(username), MAX_PER_USERNAME),
        Counter("address", address[:200], MAX_PER_ADDRESS),
    )


def reset_counters(username: str, address: str) -> tuple[Counter, ...]:
    """Reset codes are guessed like passwords; the address budget is the same as log-ins'."""
    return (
        Counter("reset", _name(username), MAX_PER_USERNAME),
        Counter("address", address[:200], MAX_PER_ADDRESS),
    )


def invite_counters(address: str) -> tuple[Counter, ...]:
    return (Counter("invite", address[:200], MAX_INVITE_TRIES_PER_ADDRESS),)


def _window_number(now: datetime) -> int:
    return int(now.timestamp()) // int(WINDOW.total_seconds())


async def count_attempt(counters: tuple[Counter, ...], now: datetime | None = None) -> Attempt:
    """Count one attempt on every counter; refuse (429) if any is past its limit.

    Each counter is ticked even when another is already over, so hammering a locked username
    still uses up the address's budget.
    """
    now = now or datetime.now(UTC)
    window = _window_number(now)
    # One statement ticks every counter: one round trip, and atomic per row on both engines.
    values = ", ".join(["({}, {}, {}, 1)"] * len(counters))
    args = [arg for c in counters for arg in (c.scope, c.key, window)]
    rows = await AttemptCount.raw(_COUNT.format(values), *args)
    counts = {(row["scope"], row["key"]): row["attempts"] for row in rows}
    if 1 in counts.values():  # the first attempt of a window: forget windows long gone
        await AttemptCount.delete().where(AttemptCount.window_number < window - 1)
    if any(counts[(c.scope, c.key)] > c.most for c in counters):
        window_seconds = int(WINDOW.total_seconds())
        wait = (window + 1) * window_seconds - int(now.timestamp())
        minutes = max(1, round(wait / 60))
        raise TooManyAttempts(
            ngettext(
                "That's a lot of tries in a short time. To keep accounts safe, please wait "
                "about %(num)d minute and try again.",
                "That's a lot of tries in a short time. To keep accounts safe, please wait "
                "about %(num)d minutes and try again.",
                minutes,
            ),
            retry_after=wait,
        )
    return Attempt(window, counters)


async def forgive(attempt: Attempt, scope: str) -> None:
    """After a success: clear this window's count on ``scope`` (the name), so a person who
    mistyped a few times starts afresh, and give the attempt's own tick back to every other
    counter (the address). Only failures then stay counted: no attempt passes a counter at its
    limit, so no success can make room for more than its limit of wrong guesses, while a
    computer many members share is never locked out by their log-ins."""
    for counter in attempt.counters:
        where = (
            (AttemptCount.scope == counter.scope)
            & (AttemptCount.key == counter.key)
            & (AttemptCount.window_number == attempt.window_number)
        )
        if counter.scope == scope:
            await AttemptCount.update({AttemptCount.attempts: 0}).where(where)
        else:
            await AttemptCount.update({AttemptCount.attempts: AttemptCount.attempts - 1}).where(
                where & (AttemptCount.attempts > 0)
            )
