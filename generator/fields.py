"""Preset fields: what a key is (:class:`Field`) and the shared parsers its value goes through.

A language declares its keys as :class:`Field` objects built from these parsers (see
``generator/languages/<name>/``). Every way in — YAML files, built-in presets, ``--set``, the wizard,
the cookiecutter hooks — validates through the same :class:`Field`, so a value is accepted or refused
with the same reason wherever it is typed.

Every value that reaches a Dockerfile is checked against a narrow pattern here: no newline, quote,
space or shell metacharacter can get through to smuggle in an instruction.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import InvalidValue, did_you_mean, show
from .lazyre import LazyPattern, lazy

_RELATIVE_PATH = lazy(r"[A-Za-z0-9_@][A-Za-z0-9._@+-]*(/[A-Za-z0-9_@][A-Za-z0-9._@+-]*)*")
_HTTPS_URL = lazy(
    r"https://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?"
)
_TZ_NAME = lazy(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*")


class _AnyValue:
    """The values of ``when`` that mean "whenever the other key is set" (``build_output`` applies whenever
    there is a ``build_script``, whatever its name)."""

    def __contains__(self, value: object) -> bool:
        return value is not None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(("set",))

    def __repr__(self) -> str:
        return "ANY"


#: ``when={"build_script": ANY}``: the field applies whenever ``build_script`` has a value.
ANY: Any = _AnyValue()


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
        """``package_manager yarn`` (``build_script set``): the condition in words, for messages."""
        return " and ".join(f"{key} {' or '.join(str(v) for v in allowed)}" for key, allowed in self.when.items())


def allowed(values: tuple[Any, ...]) -> str:
    return ", ".join(str(v) for v in values)


def as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidValue(f"expected a whole number, got {show(value)}")
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    # ASCII digits only: "²".isdigit() is true but int("²") fails; and no 5000-digit numbers.
    if text.isascii() and text.isdigit() and len(text) <= 20:
        return int(text)
    raise InvalidValue(f"expected a whole number, got {show(value)}")


def as_str(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidValue(f"expected text, got {show(value)}")
    return str(value).strip()


#: The spellings of a boolean, in YAML files, ``--set``, the wizard and the scaffold alike.
TRUE_WORDS = ("true", "yes", "y", "on", "1")
FALSE_WORDS = ("false", "no", "n", "off", "0")


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in (*TRUE_WORDS, *FALSE_WORDS):
        return value.strip().lower() in TRUE_WORDS
    raise InvalidValue(f"expected true or false, got {show(value)}; allowed: true, false, yes, no, on, off, 1, 0")


def choice(choices: tuple[str, ...], hint: str = "") -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = as_str(value)
        if text not in choices:
            raise InvalidValue(f"{show(text)} is not allowed{hint}{did_you_mean(text, choices)}; "
                               f"allowed: {allowed(choices)}")
        return text

    return check


def json_pattern(regex: LazyPattern) -> str:
    """A fullmatch regex as a JSON Schema ``pattern`` (which searches)."""
    return f"^(?:{regex.pattern})$"


def with_schema(parse: Callable[[Any], Any], **keywords: Any) -> Callable[[Any], Any]:
    """Record on ``parse`` what it accepts beyond its field's kind and choices, as JSON Schema keywords built
    from the same patterns and limits it checks (read by :mod:`generator.schema`)."""
    parse.json_schema = keywords  # type: ignore[attr-defined]
    return parse


PORT_RANGE = (1, 65535)
#: 1-65535 as a regular expression (leading zeros allowed, as int() allows them), for the schema.
_PORT_DIGITS = r"0*(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"


def port(value: Any) -> int:
    number = as_int(value)
    low, high = PORT_RANGE
    if not low <= number <= high:
        raise InvalidValue(f"{number} is out of range; allowed: {low}-{high}")
    return number


with_schema(port, minimum=PORT_RANGE[0], maximum=PORT_RANGE[1])


def normalize_relative_path(text: str) -> str:
    """``./dist/`` -> ``dist``: the spelling the model keeps (detection normalizes the same way)."""
    text = text.strip()
    while text.startswith("./"):
        text = text[2:]
    return text.rstrip("/") if text not in ("/", "") else text


def relative_path(what: str, suffixes: tuple[str, ...] = (), suffix_kind: str = "") -> Callable[[Any], str]:
    """A plain path inside the project: no leading /, no '..', nothing a Dockerfile would read specially.
    A leading ``./`` and a trailing ``/`` are dropped (``./index.js`` is ``index.js``)."""

    def check(value: Any) -> str:
        text = normalize_relative_path(as_str(value))
        if not _RELATIVE_PATH.fullmatch(text) or any(part in (".", "..") for part in text.split("/")):
            raise InvalidValue(
                f"{show(as_str(value))} is not a plain relative {what}; allowed: letters, digits, . _ @ + - "
                "separated by /, no leading /, no '..', no spaces or quotes"
            )
        if suffixes and not text.endswith(suffixes):
            raise InvalidValue(f"{show(text)} is not a {suffix_kind}; allowed endings: {allowed(suffixes)}")
        return text

    # As written: any number of leading ./ and trailing / around the path (normalize_relative_path).
    path = {"pattern": f"^(?:\\./)*(?:{_RELATIVE_PATH.pattern})/*$"}
    ending = [{"pattern": f"(?:{'|'.join(re.escape(suffix) for suffix in suffixes)})/*$"}] if suffixes else []
    return with_schema(check, allOf=[path, *ending])


def https_url(text: str, what: str, known: Mapping[str, str], *, credentials: str = "") -> str:
    """An https URL without credentials or anything a shell would read; ``known`` maps short names to URLs.
    ``credentials`` says where a registry's credentials go instead of ``user:password@`` in the URL."""
    text = known.get(text, text)
    if text.startswith("http://"):
        raise InvalidValue(f"{show(text)} is plain http; allowed: an https:// URL (packages must not travel "
                           "unencrypted)")
    if "@" in text.split("/")[2 if text.startswith("https://") else 0]:
        where = f" ({credentials})" if credentials else ""
        raise InvalidValue(f"credentials in the URL would end up in the build's logs and history; allowed: the URL "
                           f"without user:password@{where}")
    if not _HTTPS_URL.fullmatch(text):
        names = f", or one of: {allowed(tuple(known))}" if known else ""
        raise InvalidValue(f"{show(text)} is not {what}; allowed: https://host[:port][/path]{names}")
    port_text = text.split("/")[2].partition(":")[2]
    if port_text and not 1 <= int(port_text) <= 65535:
        raise InvalidValue(f"port {port_text} of {show(text)} is out of range; allowed: 1-65535")
    return text


def https_url_schema(known: Mapping[str, str]) -> dict[str, Any]:
    """JSON Schema keywords for what :func:`https_url` accepts: its pattern, with the port's range written
    into it (the parser checks the range with int())."""
    url = {"pattern": json_pattern(_HTTPS_URL).replace("(:[0-9]{1,5})?", f"(:(?=[0-9]{{1,5}}(?:/|$)){_PORT_DIGITS})?")}
    return {"anyOf": [{"enum": list(known)}, url]} if known else url


@cache
def _timezones() -> frozenset[str]:
    import zoneinfo  # walks and opens every file of the tz database: only for a name not found directly

    return frozenset(zoneinfo.available_timezones())


@cache
def _tz_roots() -> tuple[str, ...]:
    """The tz database directories zoneinfo searches (its TZPATH), found without importing zoneinfo."""
    env = os.environ.get("PYTHONTZPATH")
    if env is None:
        import sysconfig

        env = sysconfig.get_config_var("TZPATH") or ""
    return tuple(root for root in env.split(os.pathsep) if os.path.isabs(root))


def _is_zone_file(name: str) -> bool:
    """Whether ``name`` is a zone file in the tz database: what ``zoneinfo.available_timezones()`` would list
    (it skips ``right/``, ``posix/`` and ``posixrules``), without listing them all."""
    if name == "posixrules" or name.split("/")[0] in ("right", "posix"):
        return False
    for root in _tz_roots():
        try:
            with open(os.path.join(root, name), "rb") as handle:
                if handle.read(4) == b"TZif":
                    return True
        except OSError:
            continue
    return False


#: Names in a tz database that are not zones: ``localtime`` is whatever the building machine is set to.
_NOT_ZONES = ("localtime", "posixrules", "Factory")


def timezone(value: Any) -> str:
    text = as_str(value)
    if text in _NOT_ZONES:
        raise InvalidValue(f"{show(text)} is not a zone but depends on the machine; allowed: an IANA name like "
                           "Europe/Berlin, Asia/Shanghai, UTC")
    if _TZ_NAME.fullmatch(text) and _is_zone_file(text):
        return text
    known = _timezones()
    if known and text not in known:
        folded = {zone.lower(): zone for zone in known}
        if text.lower() in folded:
            close = [folded[text.lower()]]
        else:
            import difflib  # for the hint of an error only

            close = difflib.get_close_matches(text, known, n=1)
        hint = f" (did you mean {show(close[0])}?)" if close else ""
        raise InvalidValue(f"{show(text)} is not an IANA time zone{hint}; allowed: names like Europe/Berlin, "
                           "Asia/Shanghai, UTC")
    if not _TZ_NAME.fullmatch(text):
        # Only reached on a machine without a tz database: fall back to the shape of a name.
        raise InvalidValue(f"{show(text)} is not an IANA time zone name; allowed: names like Europe/Berlin")
    return text


with_schema(timezone, pattern=json_pattern(_TZ_NAME), **{"not": {"enum": list(_NOT_ZONES)}})


#: Characters a description may not have: it becomes the image's description LABEL, in double quotes.
_LABEL_SPECIALS = '"\\$'
DESCRIPTION_MAX = 200


def description(value: Any) -> str:
    text = as_str(value)
    if any(not ch.isprintable() for ch in text) or len(text) > DESCRIPTION_MAX:
        raise InvalidValue("must be one line of at most 200 characters")
    bad = sorted({ch for ch in text if ch in _LABEL_SPECIALS})
    if bad:
        raise InvalidValue(f"{show(text)} has {' '.join(bad)}; allowed: text without \" \\ $ (it becomes the "
                           "image's org.opencontainers.image.description label)")
    return text


# The schema's view of "printable": no ASCII control character (the parser also refuses other Unicode
# non-printables, such as U+2028, which no pattern here lists).
with_schema(description, maxLength=DESCRIPTION_MAX, pattern="^[^\\x00-\\x1f\\x7f\"\\\\$]*$")


def timezone_field() -> Field:
    return Field("timezone", "IANA time zone the app runs in, e.g. Asia/Shanghai", timezone, optional=True)


def port_field(default: int) -> Field:
    return Field("port", "the port the app listens on", port, default=default, kind="integer")
