"""Preset fields: what a key is (:class:`Field`) and the shared parsers its value goes through.

A language declares its keys as :class:`Field` objects built from these parsers (see
``generator/languages/<name>/``). Every way in — YAML files, built-in presets, ``--set``, the wizard,
the cookiecutter hooks — validates through the same :class:`Field`, so a value is accepted or refused
with the same reason wherever it is typed.

Every value that reaches a Dockerfile is checked against a narrow pattern here: no newline, quote,
space or shell metacharacter can get through to smuggle in an instruction.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import InvalidValue

_RELATIVE_PATH = re.compile(r"[A-Za-z0-9_@][A-Za-z0-9._@+-]*(/[A-Za-z0-9_@][A-Za-z0-9._@+-]*)*")
_HTTPS_URL = re.compile(
    r"https://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?"
)
_TZ_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*")


@dataclass(frozen=True)
class Field:
    """One preset key.

    ``default`` is the value when the key is not given. ``when`` says under which values of other keys
    the field applies at all (``{"package_manager": ("yarn",)}``: yarn only); a field that does not
    apply holds None, is not asked by the wizard or the scaffold, and is an error when given.
    ``kind`` is the value's JSON type (``string``, ``integer``, ``boolean``), for schemas and prompts.
    """

    name: str
    help: str
    parse: Callable[[Any], Any]
    default: Any = None
    optional: bool = False
    choices: tuple[Any, ...] = ()
    when: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    kind: str = "string"

    def applies(self, values: Mapping[str, Any]) -> bool:
        """Whether this field applies given the other keys' ``values``."""
        return all(values.get(key) in allowed for key, allowed in self.when.items())

    def applies_text(self) -> str:
        """``package_manager yarn``: the condition in words, for messages."""
        return " and ".join(f"{key} {' or '.join(str(v) for v in allowed)}" for key, allowed in self.when.items())


def allowed(values: tuple[Any, ...]) -> str:
    return ", ".join(str(v) for v in values)


def as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidValue(f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InvalidValue(f"expected a whole number, got {value!r}")


def as_str(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidValue(f"expected text, got {value!r}")
    return str(value).strip()


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "y", "1", "false", "no", "n", "0"):
        return value.strip().lower() in ("true", "yes", "y", "1")
    raise InvalidValue(f"expected true or false, got {value!r}")


def choice(choices: tuple[str, ...], hint: str = "") -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = as_str(value)
        if text not in choices:
            raise InvalidValue(f"{text!r} is not allowed{hint}; allowed: {allowed(choices)}")
        return text

    return check


def port(value: Any) -> int:
    number = as_int(value)
    if not 1 <= number <= 65535:
        raise InvalidValue(f"{number} is out of range; allowed: 1-65535")
    return number


def relative_path(what: str, suffixes: tuple[str, ...] = (), suffix_kind: str = "") -> Callable[[Any], str]:
    """A plain path inside the project: no leading /, no '..', nothing a Dockerfile would read specially."""

    def check(value: Any) -> str:
        text = as_str(value)
        if not _RELATIVE_PATH.fullmatch(text) or any(part in (".", "..") for part in text.split("/")):
            raise InvalidValue(
                f"{text!r} is not a plain relative {what}; allowed: letters, digits, . _ @ + - "
                "separated by /, no leading /, no '..', no spaces or quotes"
            )
        if suffixes and not text.endswith(suffixes):
            raise InvalidValue(f"{text!r} is not a {suffix_kind}; allowed endings: {allowed(suffixes)}")
        return text

    return check


def https_url(text: str, what: str, known: Mapping[str, str]) -> str:
    """An https URL without credentials or anything a shell would read; ``known`` maps short names to URLs."""
    text = known.get(text, text)
    if text.startswith("http://"):
        raise InvalidValue(f"{text!r} is plain http; allowed: an https:// URL (packages must not travel unencrypted)")
    if not _HTTPS_URL.fullmatch(text):
        names = f", or one of: {allowed(tuple(known))}" if known else ""
        raise InvalidValue(f"{text!r} is not {what}; allowed: https://host[:port][/path]{names}")
    return text


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone(value: Any) -> str:
    text = as_str(value)
    known = _timezones()
    if known and text not in known:
        close = difflib.get_close_matches(text, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InvalidValue(f"{text!r} is not an IANA time zone{hint}; allowed: names like Europe/Berlin, Asia/Shanghai, UTC")
    if not _TZ_NAME.fullmatch(text):
        # Only reached on a machine without a tz database: fall back to the shape of a name.
        raise InvalidValue(f"{text!r} is not an IANA time zone name; allowed: names like Europe/Berlin")
    return text


def description(value: Any) -> str:
    text = as_str(value)
    if any(ord(ch) < 32 for ch in text) or len(text) > 200:
        raise InvalidValue("must be one line of at most 200 characters")
    return text


def timezone_field() -> Field:
    return Field("timezone", "IANA time zone the app runs in, e.g. Asia/Shanghai", timezone, optional=True)


def port_field(default: int) -> Field:
    return Field("port", "the port the app listens on", port, default=default, kind="integer")
