"""Piccolo's configuration: the engine comes from the same settings as the app."""

from piccolo.conf.apps import AppRegistry

from coop.db import engine_for
from coop.settings import Settings

DB = engine_for(Settings.from_env())

APP_REGISTRY = AppRegistry(apps=["coop.piccolo_app"])
