"""Time zone names that are links (aliases) in the tz database, and the zone each one names.

Debian 13 moved the legacy aliases (``US/Eastern``, ``Asia/Calcutta``, ``PRC``…) out of ``tzdata``
into ``tzdata-legacy``, and which aliases stay varies by release. So the Dockerfile never copies an
alias's file by its own name: it copies the canonical zone's file (always in ``tzdata``) to the path
the alias names. ``tzlinks.txt`` beside this module lists ``alias target`` pairs; regenerate it from
a current tz database with ``python -m generator.timezones /usr/share/zoneinfo/tzdata.zi``.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

LINKS_FILE = Path(__file__).with_name("tzlinks.txt")


@cache
def links() -> dict[str, str]:
    table = {}
    for line in LINKS_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            alias, target = line.split()
            table[alias] = target
    return table


def zone_file(name: str) -> str:
    """The canonical zone whose file ``name`` is (``name`` itself when it is not an alias)."""
    table = links()
    seen = {name}
    while name in table and table[name] not in seen:
        name = table[name]
        seen.add(name)
    return name


def main(argv: list[str]) -> int:
    """Print the alias table of a tzdata.zi file (``L target alias`` lines)."""
    source = Path(argv[0] if argv else "/usr/share/zoneinfo/tzdata.zi")
    version = next((line.split()[-1] for line in source.read_text().splitlines() if line.startswith("# version")),
                   "unknown")
    print(f"# alias target, from {source.name} version {version}")
    for line in source.read_text().splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            print(f"{alias} {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
