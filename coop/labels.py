"""What people call each field, in their language, for messages like "Quantity: please ...".

Field names are the schemas' own (``harvested_on``); a name missing here is shown as words
("Harvested on"), untranslated, so add new fields to FIELD_LABELS.
"""

from __future__ import annotations

from coop.i18n import N_, _

FIELD_LABELS = {
    "amount": N_("Amount"),
    "bed": N_("Bed"),
    "bed_id": N_("Bed"),
    "cancel_reason": N_("Reason"),
    "channel": N_("Channel"),
    "code": N_("Code"),
    "contact": N_("Contact"),
    "crop": N_("Crop"),
    "crop_id": N_("Crop"),
    "date": N_("Date"),
    "day": N_("Day"),
    "days": N_("Days"),
    "default_unit": N_("Default unit"),
    "display_name": N_("Display name"),
    "end_time": N_("End time"),
    "ends_at": N_("Ends at"),
    "first_date": N_("First date"),
    "from": N_("From"),
    "from_date": N_("From date"),
    "harvested_on": N_("Harvested on"),
    "invite_code": N_("Invite code"),
    "kind": N_("Kind"),
    "label": N_("Label"),
    "language": N_("Language"),
    "location": N_("Location"),
    "made_on": N_("Made on"),
    "max_shifts_per_week": N_("Max shifts per week"),
    "member_id": N_("Member"),
    "name": N_("Name"),
    "notes": N_("Notes"),
    "pair_id": N_("Pair"),
    "pair_slots": N_("Pair slots"),
    "partner": N_("Partner"),
    "password": N_("Password"),
    "planted_on": N_("Planted on"),
    "price": N_("Price"),
    "price_cents": N_("Price"),
    "produce_used": N_("Produce used"),
    "product": N_("Product"),
    "product_id": N_("Product"),
    "quantity": N_("Quantity"),
    "reason": N_("Reason"),
    "records": N_("Records"),
    "reminder_minutes": N_("Reminder minutes"),
    "role": N_("Role"),
    "rrule": N_("Repeat rule"),
    "scope": N_("Scope"),
    "share_contact": N_("Share contact"),
    "shift_id": N_("Shift"),
    "size": N_("Size"),
    "slug": N_("Slug"),
    "sold_on": N_("Sold on"),
    "start_time": N_("Start time"),
    "starts_at": N_("Starts at"),
    "status": N_("Status"),
    "text": N_("Text"),
    "title": N_("Title"),
    "to": N_("To"),
    "to_date": N_("To date"),
    "start": N_("Start"),
    "end": N_("End"),
    "unit": N_("Unit"),
    "unit_price_cents": N_("Unit price"),
    "username": N_("Username"),
    "variety": N_("Variety"),
    "year": N_("Year"),
}


# The kinds of shift the first migration adds: stored in English, shown translated.
DEFAULT_KIND_LABELS = [
    N_("Planting"),
    N_("Weeding"),
    N_("Harvesting"),
    N_("Composting"),
    N_("Watering"),
    N_("Other"),
]


def field_label(field: str) -> str:
    """ "harvested_on" → "Harvested on" (or "Fecha de cosecha")."""
    known = FIELD_LABELS.get(field)
    return _(known) if known else field.replace("_", " ").capitalize()


# Units and sale channels are stored as these codes; people read them in their language.
UNIT_LABELS = {
    "kg": N_("kg"),
    "g": N_("g"),
    "lb": N_("lb"),
    "oz": N_("oz"),
    "bunch": N_("bunch"),
    "each": N_("each"),
    "pop": N_("pop"),
}
CHANNEL_LABELS = {
    "market": N_("market"),
    "café": N_("café"),
    "event": N_("event"),
    "wholesale": N_("wholesale"),
    "online": N_("online"),
}


def unit_label(unit: str) -> str:
    known = UNIT_LABELS.get(unit)
    return _(known) if known else unit


def channel_label(channel: str) -> str:
    known = CHANNEL_LABELS.get(channel)
    return _(known) if known else channel
