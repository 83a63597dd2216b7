"""Run every benchmark module in this package (``make bench``, i.e. ``python -m bench``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    """Run each bench module's ``main()``; fail when any goal was missed."""
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not info.name.startswith("_")
    )
    failed = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== bench.{name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        if not module.main():
            failed.append(name)
    if failed:
        print(f"Goals missed in: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
