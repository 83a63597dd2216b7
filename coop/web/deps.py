"""What handlers may ask for by name: the settings, the member, the viewer."""

from __future__ import annotations

from litestar.di import NamedDependency, Provide

from coop.settings import Settings
from coop.tables import Member
from coop.web import sessions

AppSettings = NamedDependency[Settings]
CurrentMember = NamedDependency[Member]
Viewer = NamedDependency[Member | None]


def dependencies(settings: Settings) -> dict[str, Provide]:
    return {
        "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
        "member": Provide(sessions.provide_member),
        "viewer": Provide(sessions.provide_optional_member),
    }
