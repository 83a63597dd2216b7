"""The garden's refusals: a small family of domain errors, free of any web framework.

``coop.web.errors`` turns each into a kind 4xx answer (JSON for the API, a page for people).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no; ``message`` is what the person reads, ``field`` the form field to fix."""

    status_code = 400

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    @property
    def field(self) -> str | None:
        """The one name pages and the API use for the failing field (``extra["field"]``)."""
        return self.extra.get("field")


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class TooManyAttempts(DomainError):
    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after
