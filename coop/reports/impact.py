"""The impact report for funders: people served and paid, pairs, shifts, and seed to sale.

Every count of people under 5 is suppressed (None, and named in ``suppressed``), so nobody
can be singled out; when one of new / returning is hidden, its partner is hidden too if it
would give the hidden one away. Hours and wages come from the same timesheet rules as pay
(``coop.pay.service.sheet``), so the report and the timesheets agree to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from coop.db import reading
from coop.errors import DomainError
from coop.formatting import hours_text
from coop.i18n import _
from coop.pay.hours import day_bounds, worked
from coop.pay.service import sheet
from coop.periods import this_year, week_of
from coop.quantities import show, totals
from coop.tables import Batch, Harvest, Member, Pair, Sale
from coop.vocabulary import PairStatus, Role

SMALLEST_SHOWN = 5
PEOPLE_FIELDS = ("participants", "new_participants", "returning_participants", "retained_4_weeks")
RETAINED_AFTER = timedelta(days=28)
MAX_RANGE_DAYS = 3 * 366
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Impact:
    starts_on: date
    ends_on: date
    counts: dict[str, int | None] = field(default_factory=dict)
    suppressed: list[str] = field(default_factory=list)
    paid_minutes: int = 0
    wages_cents: int = 0
    pairs_formed: int = 0
    shifts_worked: int = 0
    harvest_kg: Decimal = Decimal(0)
    made: int = 0
    sales_cents: int = 0
    hours_by_week: list[dict[str, Any]] = field(default_factory=list)

    @property
    def paid_hours(self) -> Decimal:
        return (Decimal(self.paid_minutes) / 60).quantize(Decimal("0.01"))

    @property
    def harvest_kg_text(self) -> str:
        return f"{self.harvest_kg.quantize(Decimal('0.1')):,}"

    def line(self) -> str:
        """The seed-to-sale line: hours, kilograms, pops, dollars."""
        return _(
            "%(hours)s paid hours, %(kg)s kg harvested, %(made)s made, %(sales)s in sales",
            hours=hours_text(self.paid_minutes),
            kg=self.harvest_kg_text,
            made=f"{self.made:,}",
            sales=f"${self.sales_cents // 100:,}.{self.sales_cents % 100:02d}",
        )


def impact_range(starts_on: date | None, ends_on: date | None, zone: ZoneInfo) -> tuple[date, date]:
    """Default: the whole of this year (1 January to 31 December, garden time)."""
    year = this_year(zone)
    return starts_on or date(year, 1, 1), ends_on or date(year, 12, 31)


def check_range(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise DomainError(_("Dates: the start of the range comes after its end."), field="from")
    if (ends_on - starts_on).days > MAX_RANGE_DAYS:
        raise DomainError(_("Dates: please choose at most three years."), field="to")
    if starts_on.year < 2000 or ends_on.year > 2100:
        raise DomainError(_("Dates: please give dates between 2000 and 2100."), field="from")


def suppress(counts: dict[str, int]) -> tuple[dict[str, int | None], list[str]]:
    """Hide every count under 5, and a partner count that would reveal a hidden one."""
    hidden = {name for name, value in counts.items() if value < SMALLEST_SHOWN}
    total = counts["participants"]
    for one, other in (
        ("new_participants", "returning_participants"),
        ("returning_participants", "new_participants"),
    ):
        # participants − shown = hidden: hide the shown one too when the hidden one is 1–4.
        shown_total = "participants" not in hidden
        if one in hidden and other not in hidden and shown_total:
            if_hidden = total - counts[other]
            if 0 < if_hidden < SMALLEST_SHOWN:
                hidden.add(other)
    shown = {name: (None if name in hidden else value) for name, value in counts.items()}
    return shown, [name for name in PEOPLE_FIELDS if name in hidden]


async def impact(starts_on: date, ends_on: date, zone: ZoneInfo) -> Impact:
    check_range(starts_on, ends_on)
    start, end = day_bounds(starts_on, ends_on, zone)
    async with reading():
        everything = await worked(
            datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC) + timedelta(days=1)
        )
        coordinators = set(
            await Member.select(Member.id)
            .where(Member.role == Role.COORDINATOR)
            .output(as_list=True)
        )
        pairs = await Pair.count().where(
            Pair.status.is_in([PairStatus.ACTIVE, PairStatus.ENDED])
            & (Pair.created_at >= start)
            & (Pair.created_at < end)
        )
        harvests = await Harvest.select(Harvest.quantity_milli, Harvest.unit).where(
            (Harvest.harvested_on >= starts_on) & (Harvest.harvested_on <= ends_on)
        )
        made = await Batch.select(Batch.quantity).where(
            (Batch.made_on >= starts_on) & (Batch.made_on <= ends_on)
        )
        sales = await Sale.select(Sale.quantity, Sale.unit_price_cents).where(
            (Sale.sold_on >= starts_on) & (Sale.sold_on <= ends_on)
        )
    pay = await sheet(starts_on, ends_on, zone)
    report = Impact(starts_on, ends_on)
    first_day: dict[int, date] = {}
    days: dict[int, list[date]] = defaultdict(list)
    in_range = [w for w in everything if start <= w.starts_at < end]
    for one in everything:
        if one.member_id is None or one.member_id in coordinators:
            continue
        day = one.starts_at.astimezone(zone).date()
        first_day.setdefault(one.member_id, day)
        days[one.member_id].append(day)
    people = {w.member_id for w in in_range if w.member_id in first_day}
    new = {m for m in people if starts_on <= first_day[m] <= ends_on}
    retained = {m for m in new if days[m][-1] >= first_day[m] + RETAINED_AFTER}
    report.counts, report.suppressed = suppress(
        {
            "participants": len(people),
            "new_participants": len(new),
            "returning_participants": len(people - new),
            "retained_4_weeks": len(retained),
        }
    )
    report.shifts_worked = len({w.shift_id for w in in_range})
    report.paid_minutes = pay.total_minutes
    report.wages_cents = pay.total_cents
    report.pairs_formed = pairs
    report.harvest_kg = totals((r["quantity_milli"], r["unit"]) for r in harvests).get(
        "kg", Decimal(0)
    )
    report.made = sum(r["quantity"] for r in made)
    report.sales_cents = sum(r["quantity"] * r["unit_price_cents"] for r in sales)
    weeks: dict[str, int] = defaultdict(int)
    for one in in_range:
        weeks[week_of(one.starts_at.astimezone(zone).date())] += one.minutes
    report.hours_by_week = [{"week": w, "minutes": m} for w, m in sorted(weeks.items())]
    return report


def impact_json(report: Impact) -> dict[str, Any]:
    hours = report.paid_hours
    return {
        "from": report.starts_on.isoformat(),
        "to": report.ends_on.isoformat(),
        **report.counts,
        "paid_hours": int(hours) if hours == hours.to_integral() else float(hours),
        "paid_minutes": report.paid_minutes,
        "wages_cents": report.wages_cents,
        "pairs_formed": report.pairs_formed,
        "shifts_worked": report.shifts_worked,
        "seed_to_sale": {
            "paid_hours": hours_text(report.paid_minutes),
            "harvest_kg": show(report.harvest_kg),
            "made": report.made,
            "sales_cents": report.sales_cents,
            "line": report.line(),
        },
        "suppressed": report.suppressed,
    }
