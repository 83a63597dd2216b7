"""Two parsers that share no code with the one that writes our feeds, for every feed test.

`ical` (allenporter's strict parser) refuses what RFC 5545 does not allow; Mozilla's ical.js is
Thunderbird's parser, run under node. A feed is right only when both read what we meant.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from ical.calendar import Calendar as StrictCalendar
from ical.calendar_stream import IcsCalendarStream

JS_DIR = Path(__file__).resolve().parent.parent / "js"


def read_strict(body: bytes) -> StrictCalendar:
    """Parse with allenporter's `ical`, which refuses what RFC 5545 does not allow."""
    return IcsCalendarStream.calendar_from_ics(body.decode())


def require_icaljs() -> str:
    """Return node's path; skip locally without ical.js, fail in CI without it."""
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules" / "ical.js").is_dir():
        reason = "ical.js is not installed: run `npm install --prefix tests/js`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return node


def read_icaljs(body: bytes) -> dict:
    """Parse with ical.js under node: {timezones, calendar_properties, events: [...]}."""
    node = require_icaljs()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.ics"
        path.write_bytes(body)
        done = subprocess.run(
            [node, str(JS_DIR / "parse_ics.mjs"), str(path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def ms(moment: datetime) -> int:
    """Return epoch milliseconds, the unit ical.js speaks."""
    return round(moment.timestamp() * 1000)


def lines(body: bytes) -> list[str]:
    """Return the content lines, unfolded, as a client reads them."""
    return body.decode().replace("\r\n ", "").split("\r\n")[:-1]
