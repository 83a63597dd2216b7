"""E-mail for notices: the SMTP address, the message itself, and signed unsubscribe links."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from coop.i18n import N_, _, speaking
from coop.settings import Settings
from coop.web.templating import configure_environment

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SUBJECTS = {
    "shift_cancelled": N_("A shift you hold is cancelled"),
    "shift_changed": N_("A shift you hold has changed"),
    "waitlist_promoted": N_("A place opened up for you"),
    "partner_left": N_("Your partner withdrew from a shift"),
    "partner_joined": N_("Someone will be your partner"),
    "pair_proposed": N_("Someone would like to be partners"),
    "pair_accepted": N_("You're partners now"),
    "reminder": N_("Reminder: your shift is coming up"),
    "coordinator_alert": N_("For coordinators: a shift needs attention"),
}


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes: host, port, TLS mode and optional login, from COOP_SMTP_URL."""

    hostname: str
    port: int
    use_tls: bool = False
    start_tls: bool | None = None
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        scheme = parts.scheme
        default_port = {"smtps": 465, "smtp+starttls": 587}.get(scheme, 25)
        return cls(
            hostname=parts.hostname or "localhost",
            port=parts.port or default_port,
            use_tls=scheme == "smtps",
            start_tls=True if scheme == "smtp+starttls" else (False if scheme == "smtps" else None),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


# --- unsubscribe tokens: "member.kind.signature", so a link turns off one kind for one person --


def _signature(secret: str, member_id: int, kind: str) -> str:
    digest = hmac.new(secret.encode(), f"unsubscribe:{member_id}:{kind}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode()


def unsubscribe_token(secret: str, member_id: int, kind: str) -> str:
    return f"{member_id}.{kind}.{_signature(secret, member_id, kind)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str] | None:
    """(member id, kind) if the token is genuine, else None."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 18 or parts[1] not in SUBJECTS:
        return None
    member_id, kind = int(parts[0]), parts[1]
    if not hmac.compare_digest(parts[2], _signature(secret, member_id, kind)):
        return None
    return member_id, kind


# --- the message ------------------------------------------------------------------------------


@cache
def _environment(settings: Settings) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    configure_environment(env, settings)
    return env


def message_id(settings: Settings, notice: dict) -> str:
    """The same for every try of one notice, so a resend after a crash is recognisable."""
    digest = hashlib.sha256(notice["dedupe_key"].encode()).hexdigest()[:16]
    domain = settings.mail_from.rpartition("@")[2].strip(">") or "garden.invalid"
    return f"<notice-{notice['id']}.{digest}@{domain}>"


def compose(settings: Settings, notice: dict, to: str, display_name: str) -> MIMEMultipart:
    """A plain-text and an HTML part, in the notice's language, with a link and an unsubscribe."""
    token = unsubscribe_token(settings.secret_key, notice["member"], notice["kind"])
    unsubscribe = f"{settings.base_url}/unsubscribe?token={token}"
    link = f"{settings.base_url}{notice['url']}" if notice["url"] else settings.base_url
    env = _environment(settings)
    with speaking(notice["language"]):
        subject = _(SUBJECTS.get(notice["kind"], N_("News from the garden")))
        context = {
            "subject": subject,
            "text": notice["text"],
            "link": link,
            "unsubscribe": unsubscribe,
            "name": display_name,
            "lang": notice["language"],
        }
        plain = env.get_template("notices/email.txt").render(context)
        html = env.get_template("notices/email.html").render(context)
    # The legacy MIME classes: the same message as EmailMessage builds, several times faster
    # (the modern policy parses every header it is given again).
    message = MIMEMultipart("alternative")
    message.attach(MIMEText(plain, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
    message["From"] = settings.mail_from
    message["To"] = formataddr((display_name, to), charset="utf-8")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(settings, notice)
    message["Content-Language"] = notice["language"]
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    return message
