"""Regular expressions compiled on first use.

`dockgen render` imports the modules that declare most patterns (fields, a language's model and
detection) on every run and uses few of them; compiling them all at import would cost more than a
render. A :class:`LazyPattern` behaves like the compiled pattern it stands for.
"""

from __future__ import annotations

import re
from typing import Any


class LazyPattern:
    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:  # match, fullmatch, search, finditer, sub, ...
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return getattr(self._compiled, name)


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
