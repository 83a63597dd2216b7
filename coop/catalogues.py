"""The state of the translations: what the code says, and what each catalogue still lacks.

`make messages` prints this after updating the catalogues, and tests/test_i18n.py fails on any gap,
so a sentence added in English can't reach a Spanish page untranslated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from coop.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALES

ROOT = LOCALES.parent.parent
POT = LOCALES / "messages.pot"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}


def _msgid(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def extracted() -> set[str]:
    """Every msgid in the code and templates right now, read as `make messages` reads them."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[str] = set()
    for folder in ("coop", "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=KEYWORDS
        ):
            found.add(_msgid(message))
    # extract_from_dir matches the config's patterns against paths inside each folder.
    return found


def read(path: Path) -> Catalog:
    with path.open("rb") as source:
        return read_po(source)


def catalogue(language: str) -> Catalog:
    return read(LOCALES / language / "LC_MESSAGES" / "messages.po")


def gaps(language: str) -> dict[str, list[str]]:
    """{"untranslated": [msgid], "fuzzy": [msgid], "missing": [msgid]} for ``language``."""
    catalog = catalogue(language)
    template = {_msgid(m.id) for m in read(POT) if m.id}
    present = {_msgid(m.id) for m in catalog if m.id}
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(_msgid(message.id))
        elif message.fuzzy:
            fuzzy.append(_msgid(message.id))
    return {
        "untranslated": untranslated,
        "fuzzy": fuzzy,
        "missing": sorted(template - present),
    }


def main() -> int:
    problems = 0
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        found = gaps(language)
        count = sum(len(v) for v in found.values())
        problems += count
        print(f"{language}: " + ", ".join(f"{len(v)} {k}" for k, v in found.items()))
        for kind, ids in found.items():
            for msgid in ids[:50]:
                print(f"  {kind}: {msgid[:90]!r}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
