"""A fast reader for the plain YAML most preset files are: ``key: value`` lines and comments.

Importing PyYAML costs about as much as starting Python itself, and `dockgen render` runs on every
commit of every service in CI. So :func:`load` reads the simple shape a preset file almost always has
and gives up (returns :data:`NOT_FLAT`) on anything else — indentation, flow or block collections,
anchors, tags, escapes, a duplicate key, a value whose type YAML would read in a way that needs care
(``yes``, ``010``, ``1_000``, ``1:30``, ``2024-01-01``, ``.inf``…) — and the caller then asks PyYAML,
which also gives the real error message. It is an accelerator, never a second dialect: for every
document it accepts, the result equals PyYAML's ``safe_load`` (``tests/test_flatyaml.py`` checks that
on a corpus of tricky documents).
"""

from __future__ import annotations

import re
from typing import Any

NOT_FLAT = object()

_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
#: ``key:`` then nothing, a comment, or one space and a value (which may end in a comment).
_LINE = re.compile(rf"(?P<key>{_KEY}):(?: +(?P<value>.*?))? *")
#: A plain (unquoted) scalar YAML reads as text: it starts with a letter, ``/`` or ``./`` and holds only
#: characters that are never YAML syntax inside a block-context plain scalar, with no ": " and no " #".
_PLAIN = re.compile(r"""(?:[A-Za-z]|\.?/)[A-Za-z0-9 ._/@+\-:~%,()=;'"!?&*`$^]*""")
#: Tabs, carriage returns and other control characters: PyYAML's business.
_CONTROL = frozenset(map(chr, [*range(0, 10), *range(11, 32), 127]))
#: PyYAML (YAML 1.1) resolves these plain words to booleans and null.
_BOOLS = {word: value for value, words in ((True, "yes Yes YES true True TRUE on On ON"),
                                          (False, "no No NO false False FALSE off Off OFF"))
          for word in words.split()}
_NULLS = {"~", "null", "Null", "NULL"}


def _is_int(text: str) -> bool:
    """``0`` or a decimal without a leading zero: what YAML reads as that int (``010`` is octal to it)."""
    return text.isascii() and text.isdigit() and len(text) <= 18 and (text == "0" or text[0] != "0")


def _is_comment(rest: str) -> bool:
    """``rest`` (what follows a value) is spaces and then a ``#`` comment."""
    return rest.startswith(" ") and rest.lstrip(" ").startswith("#")


def _plain(text: str) -> Any:
    """The value of an unquoted scalar, or NOT_FLAT."""
    if text == "" or text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _is_int(text):
        return int(text)
    if _PLAIN.fullmatch(text) and ": " not in text and not text.endswith(":"):
        return text
    return NOT_FLAT


def _value(raw: str) -> Any:
    """The value after ``key: `` (trailing whitespace already gone), comment included, or NOT_FLAT."""
    if raw.startswith("#"):
        return None
    quote = raw[0]
    if quote in "'\"":
        end = raw.find(quote, 1)
        rest = raw[end + 1:] if end > 0 else ""
        if end < 0 or "\\" in raw[:end] or (rest and not _is_comment(rest)):
            return NOT_FLAT
        return raw[1:end]
    comment = raw.find(" #")
    return _plain(raw[:comment].rstrip(" ") if comment >= 0 else raw)


def load(text: str) -> Any:
    """The mapping (or None for an empty document) of a flat YAML document, or :data:`NOT_FLAT`."""
    if not text.isascii() or not _CONTROL.isdisjoint(text):
        return NOT_FLAT
    data: dict[str, Any] = {}
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            return NOT_FLAT
        key, raw = match["key"], match["value"]
        if key in data or key in _BOOLS or key in _NULLS:
            return NOT_FLAT
        value = None if not raw else _value(raw)
        if value is NOT_FLAT:
            return NOT_FLAT
        data[key] = value
    return data or None


def scalar(text: str) -> Any:
    """The value of a document that is one plain or simply quoted scalar (a ``--set`` value), or
    :data:`NOT_FLAT`."""
    stripped = text.strip(" ")
    if not stripped or not text.isascii() or not _CONTROL.isdisjoint(text) or "\n" in text:
        return NOT_FLAT
    return _value(stripped)
