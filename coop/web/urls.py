"""Addresses from route names, so a moved page never leaves a stale link behind."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.response import Redirect


def path_to(connection: ASGIConnection, name: str, **params: Any) -> str:
    """The path of the route called ``name`` (``name=`` on its handler), with its parameters."""
    return connection.app.route_reverse(name, **params)


def redirect_to(connection: ASGIConnection, name: str, **params: Any) -> Redirect:
    """See other: the page called ``name``, after a form was handled."""
    return Redirect(path_to(connection, name, **params))


def is_local_path(target: str | None) -> bool:
    """A path on this site: not another site (``//host``, ``/\\host``), no control characters."""
    return bool(
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(character) < 32 for character in target)
    )


def safe_next(connection: ASGIConnection, target: str | None, fallback: str = "me") -> str:
    """Follow only a local path after a form (never another site); else the page ``fallback``."""
    if target and is_local_path(target):
        return target
    return path_to(connection, fallback)
