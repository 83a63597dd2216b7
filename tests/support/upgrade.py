"""Bring a test written against the old helpers up to tests/support, in place.

    .venv/bin/python -m tests.support.upgrade tests/test_x.py [more files]

The old helpers were imported from ``conftest``, ``seed_helpers``, ``garden_rows``, ``live``,
``icsparsers`` and ``test_concurrency``. This rewrites those imports, the calls whose shape
changed (``add_shift``, ``insert_shift_directly``, ``insert_attendance_directly``,
``place_pair_directly``, ``GardenRows``, ``await in_app``) and a browser test's
``from .conftest`` (now ``.scene``).
A name it does not know is reported, and its import left for a person to move. Branches
started before the move need it once, at their merge.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HOMES = {
    "people": {"PASSWORD", "SAFE_METHODS", "User", "Garden", "stock_garden"},
    "served": {
        "ROOT",
        "run_coop",
        "free_port",
        "serving",
        "served_app",
        "LiveUser",
        "sqlite_integrity",
        "DEMO_PASSWORD",
    },
    "databases": {"postgres_server", "new_postgres_database", "reset_postgres"},
    "rows": {"in_app", "insert_shift", "at", "Rows", "HARVEST_SHIFT"},
    "icsparsers": {"read_strict", "read_icaljs", "require_icaljs", "ms", "lines", "JS_DIR"},
    "crowd": {"Person", "gather_people"},
}
FIXTURES = {"app_url"}  # now in tests/conftest.py: a test asks for it by name
# Old names that became a call on Rows: the names the rewritten file needs instead.
REPLACED = {
    "add_shift": {"Rows"},
    "GardenRows": {"Rows"},
    "insert_shift_directly": {"Rows", "HARVEST_SHIFT"},
    "insert_attendance_directly": {"Rows"},
    "place_pair_directly": {"Rows"},
}
OLD_MODULES = r"(?:tests\.)?(?:conftest|seed_helpers|garden_rows|live|icsparsers|test_concurrency)"
IMPORT = re.compile(rf"^from {OLD_MODULES} import (\([^)]*\)|[^\n]*)\n", re.M)
CALLS = [
    (re.compile(r"await add_shift\(\s*(\w+)\s*\)"), r"Rows(\1).shift()"),
    (re.compile(r"await add_shift\(\s*(\w+),\s*"), r"Rows(\1).shift("),
    (re.compile(r"insert_shift_directly\(\s*(\w+),\s*"), r"Rows(\1, **HARVEST_SHIFT).shift("),
    (re.compile(r"insert_attendance_directly\(\s*(\w+),\s*"), r"Rows(\1).attendance("),
    (
        re.compile(r"place_pair_directly\(\s*(\w+),\s*([^,]+),\s*\[([^,\]]+),\s*([^\]]+)\]\s*\)"),
        r"Rows(\1).place_pair(\2, \3, \4, take_slot=False)",
    ),
    (
        re.compile(r"GardenRows\((\w+)\)"),
        r'Rows(\1, title="Weeding", location="North beds", pair_slots=2)',
    ),
    (re.compile(r"\bGardenRows\b"), "Rows"),  # in annotations
    (re.compile(r"await in_app\("), "in_app("),
    (re.compile(r"^from \.conftest import", re.M), "from .scene import"),  # browser tests
]


def upgrade(source: str) -> tuple[str, list[str]]:
    """The upgraded source, and the imported names it could not place."""
    wanted: dict[str, set[str]] = {}
    unknown: list[str] = []

    def collect(match: re.Match[str]) -> str:
        for part in match.group(1).strip("()").replace("\n", " ").split(","):
            part = part.strip()
            if not part:
                continue
            name = part.split(" as ")[0].strip()
            if name in FIXTURES:
                continue
            for new in REPLACED.get(name, {name}):
                home = next((home for home, names in HOMES.items() if new in names), None)
                if home is None:
                    unknown.append(name)
                else:
                    wanted.setdefault(home, set()).add(part if new == name else new)
        return ""

    text = IMPORT.sub(collect, source)
    text = re.sub(r"  # noqa: F811$", "", text, flags=re.M)  # a fixture imported, then used
    for pattern, replacement in CALLS:
        text = pattern.sub(replacement, text)
    lines = "".join(
        f"from tests.support.{home} import {', '.join(sorted(names))}\n"
        for home, names in sorted(wanted.items())
    )
    if unknown:
        lines += (
            f"from conftest import {', '.join(unknown)}  # FIXME: move these to tests/support\n"
        )
    imports = list(
        re.finditer(r"^(?:import [^\n]+|from [^\n]+ import (?:\([^)]*\)|[^\n]+))\n", text, re.M)
    )
    at = imports[-1].end() if imports else 0
    return text[:at] + lines + text[at:], unknown


def main(paths: list[str]) -> int:
    left = 0
    for name in paths:
        path = Path(name)
        new, unknown = upgrade(path.read_text())
        path.write_text(new)
        if unknown:
            left += 1
            print(f"{path}: move these by hand: {', '.join(unknown)}")
    print("Then: .venv/bin/ruff check --fix tests && .venv/bin/ruff format tests")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
