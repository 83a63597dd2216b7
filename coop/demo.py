"""A believable demo season, dated around today so the week ahead always has shifts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from coop.db import writing
from coop.market.service import lot_code
from coop.members import credentials
from coop.settings import Settings
from coop.tables import (
    Attendance,
    Batch,
    BatchProduce,
    Bed,
    Crop,
    Harvest,
    Member,
    Pair,
    PayPeriod,
    Placement,
    PlacementMember,
    Product,
    Sale,
    Series,
    Shift,
    ShiftKind,
)

COORDINATOR = "maria"
PASSWORD = "garden-demo-2026"
PEOPLE = [
    ("maria", "Maria", "coordinator"),
    ("dev", "Dev", "coordinator"),
    ("sam", "Sam", "peer_supporter"),
    ("alex", "Alex", "peer_supporter"),
    ("jo", "Jo", "participant"),
    ("lee", "Lee", "participant"),
    ("rosa", "Rosa", "participant"),
    ("tom", "Tom", "participant"),
    ("nia", "Nia", "participant"),
    ("ben", "Ben", "participant"),
    ("kim", "Kim", "participant"),
    ("omar", "Omar", "participant"),
]
PAIRS = [("sam", "jo"), ("alex", "lee"), ("rosa", "tom"), ("sam", "nia")]
BEDS = [("Bed 1", "4 × 8 ft"), ("Bed 2", "4 × 8 ft"), ("Bed 3", "4 × 12 ft"), ("Herb spiral", "")]
CROPS = [
    ("Strawberry", "Albion", "kg"),
    ("Basil", "Genovese", "bunch"),
    ("Mint", "Spearmint", "bunch"),
    ("Rhubarb", "Victoria", "kg"),
    ("Blueberry", "Northblue", "kg"),
]
PRODUCTS = [("Strawberry-basil pop", 350), ("Rhubarb-mint pop", 350), ("Blueberry pop", 400)]
WEEKLY = [
    # weekday, title, kind, start hour, hours, pair slots, location
    (1, "Tuesday weeding", "weeding", 9, 2, 3, "Beds 1–3"),
    (3, "Thursday harvest", "harvesting", 9, 2, 2, "Bed 1"),
    (5, "Saturday planting and watering", "planting", 10, 3, 3, "Herb spiral"),
    (4, "Friday compost", "composting", 14, 2, 1, "Compost bays"),
]
WEEKS_BACK, WEEKS_AHEAD = 10, 8


async def load(settings: Settings) -> bool:
    """Fill an empty database with a demo season; False when there is data already."""
    if await Member.count() > 0:
        return False
    password_hash = await credentials.hash_password_async(PASSWORD)
    zone = settings.zone
    today = datetime.now(zone).date()
    async with writing():
        members = {}
        for username, name, role in PEOPLE:
            token, digest = credentials.new_secret_token()
            member = Member(
                username=username,
                display_name=name,
                role=role,
                password_hash=password_hash,
                calendar_token=token,
                calendar_token_hash=digest,
                share_contact=username in {"sam", "jo"},
                contact=f"555-01{len(members):02d}",
                hourly_wage_cents=0 if role == "coordinator" else 1550,
            )
            await member.save()
            members[username] = member.id
        pairs = {}
        for one, two in PAIRS:
            a, b = sorted((members[one], members[two]))
            token, digest = credentials.new_secret_token()
            pair = Pair(
                member_a=a,
                member_b=b,
                proposed_by=members[one],
                status="active",
                calendar_token=token,
                calendar_token_hash=digest,
            )
            await pair.save()
            pairs[(one, two)] = pair.id
        kinds = {row["slug"]: row["id"] for row in await ShiftKind.select()}
        beds = []
        for name, size in BEDS:
            bed = Bed(name=name, size=size)
            await bed.save()
            beds.append(bed.id)
        crops = []
        for name, variety, unit in CROPS:
            crop = Crop(name=name, variety=variety, default_unit=unit)
            await crop.save()
            crops.append((crop.id, unit))
        products = []
        for name, price in PRODUCTS:
            product = Product(name=name, unit="pop", price_cents=price)
            await product.save()
            products.append((product.id, price))

        start_monday = today - timedelta(days=today.weekday(), weeks=WEEKS_BACK)
        season_end = start_monday + timedelta(weeks=WEEKS_BACK + WEEKS_AHEAD)
        now = datetime.now(UTC)
        pair_list = list(pairs.items())
        for index, (weekday, title, kind, hour, hours, slots, location) in enumerate(WEEKLY):
            first = start_monday + timedelta(days=weekday)
            series = Series(
                title=title,
                kind=kinds[kind],
                first_date=first,
                start_time=time(hour),
                end_time=time(hour + hours),
                pair_slots=slots,
                location=location,
                rrule=f"FREQ=WEEKLY;UNTIL={season_end:%Y%m%d}",
            )
            await series.save()
            day = first
            week = 0
            while day < season_end:
                starts = datetime.combine(day, time(hour), zone)
                ends = starts + timedelta(hours=hours)
                (names, pair_id) = pair_list[(week + index) % len(pair_list)]
                filled = 1 if (week + index) % 3 else min(2, slots)
                shift = Shift(
                    title=title,
                    kind=kinds[kind],
                    starts_at=starts.astimezone(UTC),
                    ends_at=ends.astimezone(UTC),
                    location=location,
                    pair_slots=slots,
                    taken_slots=filled,
                    series=series.id,
                )
                await shift.save()
                placed = [(names, pair_id)]
                if filled == 2:
                    placed.append(pair_list[(week + index + 1) % len(pair_list)])
                seated: set[str] = set()
                for (one, two), placed_pair in placed:
                    if {one, two} & seated:
                        continue
                    seated |= {one, two}
                    placement = Placement(shift=shift.id, status="confirmed", pair=placed_pair)
                    await placement.save()
                    for username in (one, two):
                        await PlacementMember.insert(
                            PlacementMember(
                                placement=placement.id, shift=shift.id, member=members[username]
                            )
                        )
                        if ends < now:
                            status = "attended" if (week + len(username)) % 7 else "excused"
                            await Attendance.insert(
                                Attendance(
                                    shift=shift.id,
                                    member=members[username],
                                    status=status,
                                    recorded_by=members[COORDINATOR],
                                    approved=status == "attended",
                                )
                            )
                if taken := len(seated) // 2:
                    await Shift.update({Shift.taken_slots: taken}).where(Shift.id == shift.id)
                if kind == "harvesting" and ends < now:
                    for crop_index, (crop_id, unit) in enumerate(crops[:3]):
                        amount = 1500 + 250 * ((week + crop_index) % 5) if unit == "kg" else 4000
                        await Harvest.insert(
                            Harvest(
                                crop=crop_id,
                                bed=beds[crop_index % len(beds)],
                                shift=shift.id,
                                pair=pair_id,
                                harvested_on=day,
                                quantity_milli=amount,
                                unit=unit,
                                recorded_by=members[names[0]],
                            )
                        )
                day += timedelta(weeks=1)
                week += 1

        for week in range(WEEKS_BACK):
            made_on = start_monday + timedelta(weeks=week, days=2)
            for number, (product_id, price) in enumerate(products):
                batch = Batch(
                    product=product_id,
                    made_on=made_on,
                    quantity=60 + 10 * number,
                    recorded_by=members[COORDINATOR],
                )
                await batch.save()
                code = lot_code(PRODUCTS[number][0], made_on, batch.id)
                await Batch.update({Batch.lot_code: code}).where(Batch.id == batch.id)
                await BatchProduce.insert(
                    BatchProduce(
                        batch=batch.id, crop=crops[number][0], quantity_milli=1200, unit="kg"
                    )
                )
                market_day: date = made_on + timedelta(days=3)
                for channel, sold in (("market", 40 + 5 * number), ("café", 12)):
                    await Sale.insert(
                        Sale(
                            product=product_id,
                            sold_on=market_day,
                            quantity=sold,
                            unit_price_cents=price,
                            channel=channel,
                            payment="cash" if channel == "market" else "card",
                            recorded_by=members[COORDINATOR],
                        )
                    )
        # Pay: the fortnight before last is paid (closed), this one and last are open.
        this_monday = today - timedelta(days=today.weekday())
        for weeks_back, closed in ((4, True), (2, False)):
            first = this_monday - timedelta(weeks=weeks_back)
            await PayPeriod.insert(
                PayPeriod(
                    starts_on=first,
                    ends_on=first + timedelta(days=13),
                    closed_at=now if closed else None,
                    closed_by=members[COORDINATOR] if closed else None,
                )
            )
    return True
