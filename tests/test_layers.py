"""The layers hold: rules know no web, and the bottom modules import nothing above them.

Read by parsing each file with ``ast`` (never importing it), so the check is fast and cannot be
fooled by what an import happens to pull in at run time.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

COOP = Path(__file__).resolve().parent.parent / "coop"
RULE_NAMES = {
    "service.py",
    "rules.py",
    "recurrence.py",
    "attendance.py",
    "quantities.py",
    "periods.py",
    "corrections.py",
    "calendar.py",
    "errors.py",
    "vocabulary.py",
    "formatting.py",
}
WEB = ("litestar", "jinja2", "markupsafe", "asyncpg", "coop.web")
# The bottom of the house leans only on the standard library, its own few packages, and the
# pure word lists beside it (which import nothing of the garden at all).
BOTTOM = ("coop.vocabulary", "coop.formatting", "coop.i18n")
FOUNDATION = {
    "coop/tables.py": ("piccolo", *BOTTOM),
    "coop/calendar.py": ("icalendar", *BOTTOM),
    "coop/vocabulary.py": (),
    "coop/formatting.py": ("babel", "coop.i18n"),  # the request's language, Babel's patterns
    "coop/i18n.py": ("babel",),
}


def rule_modules() -> list[Path]:
    return sorted(
        path
        for path in COOP.rglob("*.py")
        if path.name in RULE_NAMES and "web" not in path.relative_to(COOP).parts
    )


def imported(path: Path, root: Path = COOP.parent) -> list[str]:
    """Every name ``path`` imports, at the top or inside a function, made absolute."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def test_the_check_finds_the_rules_modules():
    found = {str(path.relative_to(COOP.parent)) for path in rule_modules()}
    assert {"coop/shifts/service.py", "coop/shifts/rules.py", "coop/errors.py"} <= found
    assert len(found) >= 15


@pytest.mark.parametrize("path", rule_modules(), ids=lambda p: str(p.relative_to(COOP.parent)))
def test_rules_import_no_web_framework_template_engine_or_driver(path):
    web = [name for name in imported(path) if within(name, WEB)]
    assert not web, f"{path.relative_to(COOP.parent)} imports {web}: move that to coop/web/"


@pytest.mark.parametrize("module", sorted(FOUNDATION))
def test_tables_and_calendar_import_nothing_above_them(module):
    path = COOP.parent / module
    allowed = FOUNDATION[module]
    above = [
        name
        for name in imported(path)
        if (name.startswith("coop") or not _is_standard(name)) and not within(name, allowed)
    ]
    assert not above, f"{module} imports {above}"


def _is_standard(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names


def test_the_check_would_catch_a_web_import(tmp_path):
    """A rules module that imported Litestar, or the web layer, would be named."""
    bad = tmp_path / "coop" / "shifts" / "rules.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("from litestar import get\nfrom ..web import sessions\nimport asyncpg\n")
    names = imported(bad, root=tmp_path)
    assert [name for name in names if within(name, WEB)] == [
        "litestar.get",
        "coop.web.sessions",
        "asyncpg",
    ]
