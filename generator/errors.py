"""User-facing errors: one line, no traceback, exit code 2."""

from __future__ import annotations

from collections.abc import Iterable


class UserError(Exception):
    """A mistake in the user's input (file, key or value), reported as one line.

    ``source`` names where the value came from (a file path, ``--set``, the wizard),
    ``key`` the preset key; both are optional so the same class serves errors that are
    not about a single key (a missing file, a YAML syntax error).
    """

    exit_code = 2

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None):
        self.message = message
        self.source = source
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.key) if p]
        return ": ".join([*parts, self.message])


class InvalidValue(ValueError):
    """Raised by a single field validator; the caller adds file and key."""


#: Longest value shown in a message; longer ones are cut (an alias bomb or a pasted file must not
#: turn one error line into megabytes).
SHOWN_VALUE_LIMIT = 60


def show(value: object, limit: int = SHOWN_VALUE_LIMIT) -> str:
    """A value as a user wrote it, for one message line: YAML spellings (true, null, [a, b], {a: b}),
    text in single quotes with control characters escaped, cut to ``limit`` characters."""
    text = _shown(value, limit + 1)
    if isinstance(value, str):
        body = text if len(text) <= limit else text[: limit - 1] + "…"
        return f"'{body}'"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value: object, budget: int) -> str:
    """``value`` spelled out, stopping once ``budget`` characters are produced (shared YAML aliases
    can make a structure astronomically large when expanded)."""
    if budget <= 0:
        return "…"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        cut = value[:budget]
        return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in cut)
    if isinstance(value, bytes):
        return f"binary data ({len(value)} bytes)"
    if isinstance(value, (list, tuple, dict)):
        items = value.items() if isinstance(value, dict) else value
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        parts: list[str] = []
        used = 1
        for item in items:
            part = (f"{_shown(item[0], budget - used)}: {_shown(item[1], budget - used)}"
                    if isinstance(value, dict) else _shown(item, budget - used))
            parts.append(part)
            used += len(part) + 2
            if used > budget:
                break
        return opening + ", ".join(parts) + closing
    return str(value)[:budget]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice (a different case counts as closest), or ''."""
    import difflib  # here, not at the top: only an error needs it, and `dockgen render` starts faster

    options = list(choices)
    folded = {choice.lower(): choice for choice in options}
    match = folded.get(word.lower()) or next(iter(difflib.get_close_matches(word, options, n=1)), None)
    return f" (did you mean {show(match)}?)" if match and match != word else ""
