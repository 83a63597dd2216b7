"""Corrections keep what they replaced: who changed a record, when, and what it held before.

Harvests, batches and sales are the garden's books. A mistake is fixed in place, but the
old values are written to ``Correction`` first, so anyone reading the books later can see
that a number moved and why it may differ from an earlier printout.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from coop.i18n import _
from coop.tables import Correction


class CorrectionOut(msgspec.Struct):
    """One correction as the API shows it, for harvests, batches and sales alike."""

    id: int
    changed_by: int | None
    changed_by_name: str
    changed_at: str
    before: dict


def history_out(entries: list[dict]) -> list[CorrectionOut]:
    return [
        CorrectionOut(
            id=e["id"],
            changed_by=e["changed_by"],
            changed_by_name=e["changed_by_name"],
            changed_at=e["changed_at"].isoformat(),
            before=e["before"],
        )
        for e in entries
    ]


async def keep_before(record_type: str, record_id: int, changed_by: int, before: dict) -> None:
    """Write the old values (call inside the same ``writing()`` as the change)."""
    await Correction.insert(
        Correction(
            record_type=record_type,
            record_id=record_id,
            changed_by=changed_by,
            before=before,
        )
    )


async def history(record_type: str, record_id: int) -> list[dict[str, Any]]:
    """Every correction of one record, oldest first, with the corrector's display name."""
    rows = await (
        Correction.select(
            Correction.id,
            Correction.changed_by,
            Correction.changed_by.display_name.as_alias("changed_by_name"),
            Correction.changed_at,
            Correction.before,
        )
        .where((Correction.record_type == record_type) & (Correction.record_id == record_id))
        .order_by(Correction.id)
    )
    return [
        {
            "id": row["id"],
            "changed_by": row["changed_by"],
            "changed_by_name": row["changed_by_name"] or _("a former member"),
            "changed_at": row["changed_at"],
            "before": _as_dict(row["before"]),
        }
        for row in rows
    ]


async def corrected_ids(record_type: str, record_ids: list[int]) -> set[int]:
    """Which of these records were ever corrected (for the "corrected" mark on lists)."""
    if not record_ids:
        return set()
    found = await (
        Correction.select(Correction.record_id)
        .where((Correction.record_type == record_type) & Correction.record_id.is_in(record_ids))
        .output(as_list=True)
    )
    return set(found)


def _as_dict(value: Any) -> dict:
    if isinstance(value, dict):
        return value
    return json.loads(value) if value else {}
