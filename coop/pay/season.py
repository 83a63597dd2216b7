"""My season: a participant's own record of paid work, and the letter only they can print."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from coop.db import reading
from coop.pay.hours import Worked, worked
from coop.periods import year_instants
from coop.quantities import totals
from coop.tables import Harvest, Member, Pair, ShiftKind


@dataclass
class MySeason:
    year: int
    display_name: str
    zone: ZoneInfo
    shifts: list[Worked] = field(default_factory=list)
    by_kind: list[dict] = field(default_factory=list)
    harvests: list[dict] = field(default_factory=list)

    @property
    def shifts_worked(self) -> int:
        return len({w.shift_id for w in self.shifts})

    @property
    def minutes(self) -> int:
        return sum(w.minutes for w in self.shifts)

    @property
    def first_day(self) -> date | None:
        return self.shifts[0].starts_at.astimezone(self.zone).date() if self.shifts else None

    @property
    def last_day(self) -> date | None:
        return self.shifts[-1].starts_at.astimezone(self.zone).date() if self.shifts else None


async def my_season(member_id: int, year: int, zone: ZoneInfo) -> MySeason:
    """Approved shifts worked, hours, kinds of work, and harvests credited to the member's pairs."""
    first, after = year_instants(year, zone)
    async with reading():
        me = await Member.select(Member.display_name).where(Member.id == member_id).first()
        mine = await worked(first, after, member_id=member_id)
        labels = {
            row["slug"]: row["label"]
            for row in await ShiftKind.select(ShiftKind.slug, ShiftKind.label)
        }
        pairs = await Pair.select(Pair.id).where(
            (Pair.member_a == member_id) | (Pair.member_b == member_id)
        )
        picked = []
        if pairs:
            picked = await Harvest.select(
                Harvest.crop.name.as_alias("crop"), Harvest.quantity_milli, Harvest.unit
            ).where(
                Harvest.pair.is_in([p["id"] for p in pairs])
                & (Harvest.harvested_on >= date(year, 1, 1))
                & (Harvest.harvested_on <= date(year, 12, 31))
            )
    name = me["display_name"] if me else ""
    season = MySeason(year=year, display_name=name, zone=zone, shifts=mine)
    kinds: dict[str, list[Worked]] = defaultdict(list)
    for one in mine:
        kinds[one.kind].append(one)
    season.by_kind = sorted(
        (
            {
                "kind": kind,
                "label": labels.get(kind, kind),
                "shifts": len(rows),
                "minutes": sum(w.minutes for w in rows),
            }
            for kind, rows in kinds.items()
        ),
        key=lambda r: (-r["minutes"], r["label"]),
    )
    crops: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in picked:
        crops[row["crop"]].append((row["quantity_milli"], row["unit"]))
    season.harvests = [
        {"crop": crop, "unit": unit, "quantity": quantity}
        for crop, amounts in sorted(crops.items())
        for unit, quantity in sorted(totals(amounts).items())
    ]
    return season
