"""The suite's own house rules: tests import helpers from tests/support, and the docs' links hold.

Both are read from the files (``ast`` and text), never by importing or serving anything.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)|<img src=\"([^\"]+)\"")


def imports_of(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names


@pytest.mark.parametrize(
    "path",
    sorted([*TESTS.rglob("*.py"), *(ROOT / "bench").rglob("*.py")]),
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_nothing_imports_a_conftest_or_a_test_module(path):
    """A conftest holds fixtures; what tests share lives in tests/support (or browser/scene)."""
    if "node_modules" in path.parts:
        return
    modules = [name.rsplit(".", 1)[-1] for name in imports_of(path)]
    wrong = [name for name in modules if name == "conftest" or name.startswith("test_")]
    assert not wrong, (
        f"{path.relative_to(ROOT)} imports {wrong}: import from tests.support "
        f"(`python -m tests.support.upgrade {path.relative_to(ROOT)}` rewrites old imports)"
    )


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_in_the_docs_leads_somewhere(doc):
    missing = []
    for match in LINK.finditer(doc.read_text()):
        target = (match.group(1) or match.group(2)).split("#", 1)[0]
        if not target or "://" in target or target.startswith("mailto:"):
            continue
        if not (doc.parent / target).exists():
            missing.append(target)
    assert not missing, f"{doc.relative_to(ROOT)} links to missing files: {missing}"


def test_the_readme_links_every_doc():
    readme = (ROOT / "README.md").read_text()
    unlinked = [d.name for d in DOCS[1:] if f"docs/{d.name}" not in readme]
    assert not unlinked, f"README.md does not link {unlinked}"
