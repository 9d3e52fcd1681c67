"""User-facing errors: one line, no traceback, exit code 2."""

from __future__ import annotations


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
