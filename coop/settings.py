"""Settings read once from the environment, so tests can build an app for any database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///coop.sqlite3"
DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production"
MIN_SECRET_KEY_LENGTH = 16
SMTP_SCHEMES = ("smtp://", "smtps://", "smtp+starttls://")


class SettingsError(ValueError):
    """A setting in the environment cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEV_SECRET_KEY
    timezone: str = "America/Chicago"
    base_url: str = "http://127.0.0.1:8000"
    season_feed_public: bool = True
    debug: bool = False
    # Addresses of reverse proxies whose X-Forwarded-For is believed ("" trusts nobody).
    trusted_proxies: str = ""
    smtp_url: str = ""
    mail_from: str = ""
    # The notice sender runs inside the app (``coop serve``) unless COOP_SENDER=0; an app built
    # directly from Settings (the tests) leaves it to whoever calls it.
    run_sender: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise SettingsError(f"COOP_TIMEZONE {self.timezone!r} is not an IANA zone") from error
        if not self.database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise SettingsError("COOP_DATABASE_URL must start with sqlite:/// or postgresql://")
        if not self.base_url.startswith(("http://", "https://")):
            raise SettingsError("COOP_BASE_URL must start with http:// or https://")
        if self.smtp_url and not self.smtp_url.startswith(SMTP_SCHEMES):
            raise SettingsError(
                "COOP_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://"
            )
        # Behind HTTPS the app is for real: a known or short key would let anyone forge sessions.
        if self.secure_cookies and (
            self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < MIN_SECRET_KEY_LENGTH
        ):
            raise SettingsError(
                f"COOP_SECRET_KEY must be set to a random value of {MIN_SECRET_KEY_LENGTH}+ "
                "characters when COOP_BASE_URL is https://"
            )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from COOP_* variables, falling back to safe local defaults."""
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("COOP_DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=env.get("COOP_SECRET_KEY") or DEV_SECRET_KEY,
            timezone=env.get("COOP_TIMEZONE", "America/Chicago"),
            base_url=env.get("COOP_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            season_feed_public=env.get("COOP_SEASON_FEED_PUBLIC", "1") not in {"0", "false", "no"},
            debug=env.get("COOP_DEBUG", "") in {"1", "true", "yes"},
            trusted_proxies=env.get("COOP_TRUSTED_PROXIES", "").strip(),
            smtp_url=env.get("COOP_SMTP_URL", ""),
            mail_from=env.get("COOP_MAIL_FROM", ""),
            run_sender=env.get("COOP_SENDER", "1") not in {"0", "false", "no"},
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:///")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def uses_development_key(self) -> bool:
        return self.secret_key == DEV_SECRET_KEY

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_url)

    @property
    def secure_cookies(self) -> bool:
        """Mark cookies Secure whenever the public address is HTTPS."""
        return self.base_url.startswith("https://")
