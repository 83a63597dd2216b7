"""Reaching people: the inbox, e-mail and reminders (see docs/NOTICES.md)."""
