"""Python preset keys: their fields, the preset type, the rules between keys and the warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...errors import InvalidValue, show
from ...fields import (Field, allowed, as_bool, as_str, choice, https_url, https_url_schema, port_field,
                       relative_path, timezone_field, with_schema)
from ..base import KeyProblem, common_fields

PACKAGE_MANAGERS = ("pip", "poetry", "uv")
PACKAGE_MANAGER_LABELS = {"pip": "pip", "poetry": "Poetry", "uv": "uv"}
BASES = ("full", "slim", "alpine", "distroless")
#: The maintained CPython lines that have python:<v> images (3.15 is in pre-release).
PYTHON_VERSIONS = ("3.11", "3.12", "3.13", "3.14", "3.15")
#: gcr.io/distroless/python3-debian13 carries Debian 13's python3.13 and nothing else.
DISTROLESS_PYTHON = "3.13"
DEFAULT_PYTHON_VERSION = DISTROLESS_PYTHON
#: The files each package manager's deps stage copies (detection looks for the same names).
LOCKFILE_NAMES = {"pip": "requirements.txt", "poetry": "poetry.lock", "uv": "uv.lock"}
DEFAULT_COMMAND = ("python", "main.py")

#: One word of the start command: what a program name, a flag, a module, host:port or app:callable need;
#: no quote, space, $, backslash or newline.
_COMMAND_WORD = re.compile(r"[A-Za-z0-9_./:=@%+,-]+")
#: Well-known PyPI mirrors by short name (each serves the simple index at this URL).
KNOWN_MIRRORS = {
    "tuna": "https://pypi.tuna.tsinghua.edu.cn/simple",
    "aliyun": "https://mirrors.aliyun.com/pypi/simple",
    "ustc": "https://mirrors.ustc.edu.cn/pypi/simple",
}


def _python_version(value: Any) -> str:
    if isinstance(value, float):  # YAML reads 3.13 as a number; 3.11-3.15 survive that unambiguously
        value = repr(value)
    text = as_str(value)
    if text not in PYTHON_VERSIONS:
        raise InvalidValue(f"Python {show(text)} has no maintained image; allowed: {allowed(PYTHON_VERSIONS)}")
    return text


# `python_version: 3.13` unquoted is a YAML number: the schema takes it as the parser does.
with_schema(_python_version, enum=[*PYTHON_VERSIONS, *(float(version) for version in PYTHON_VERSIONS)])


def _command(value: Any) -> list[str]:
    """The start command, exec form: a list of words (numbers allowed), or one line of words split at spaces."""
    if isinstance(value, str):
        words = value.split()
    elif isinstance(value, (list, tuple)):
        words = [as_str(word) for word in value]
    else:
        raise InvalidValue(f"expected a list of words like [gunicorn, --bind, '0.0.0.0:8000', 'app:app'], "
                           f"got {show(value)}")
    if not words:
        raise InvalidValue("the command is empty; allowed: a list of words like [python, main.py]")
    for word in words:
        if not _COMMAND_WORD.fullmatch(word):
            raise InvalidValue(f"{show(word)} is not a plain command word; "
                               "allowed: letters, digits and _ . / : = @ % + , -"
                               " (no spaces, quotes, $ or backslashes: the command runs without a shell)")
    return words


_WORD = _COMMAND_WORD.pattern
with_schema(_command, type=["array", "string"], anyOf=[
    {"type": "array", "minItems": 1, "items": {"anyOf": [{"type": "string", "pattern": f"^\\s*(?:{_WORD})\\s*$"},
                                                          {"type": "integer"}]}},
    {"type": "string", "pattern": f"^\\s*(?:{_WORD})(?:\\s+(?:{_WORD}))*\\s*$"},
])


def _registry_mirror(value: Any) -> str:
    return https_url(as_str(value), "a PyPI simple index URL", KNOWN_MIRRORS).rstrip("/")


with_schema(_registry_mirror, **https_url_schema(KNOWN_MIRRORS))


#: Every Python preset key, in the order the README, the wizard and saved presets use.
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        *common_fields(),
        Field("package_manager", "pip (requirements.txt), poetry (poetry.lock) or uv (uv.lock)",
              choice(PACKAGE_MANAGERS), default="pip", choices=PACKAGE_MANAGERS),
        Field("python_version", "Python line, e.g. 3.13", _python_version, default=DEFAULT_PYTHON_VERSION,
              choices=PYTHON_VERSIONS),
        Field("base", "runtime image: full, slim, alpine or distroless", choice(BASES), default="slim",
              choices=BASES),
        Field("command", "the start command as an exec-form list; programs resolve from the app's venv",
              _command, default=list(DEFAULT_COMMAND), kind="array"),
        Field("requirements_file", "the pinned requirements pip installs (pip only)",
              relative_path("file", (".txt",), "requirements file (.txt)"), default="requirements.txt",
              optional=True, when={"package_manager": ("pip",)}),
        Field("require_hashes", "requirements carry --hash pins: install with --require-hashes (pip only)",
              as_bool, default=False, optional=True, when={"package_manager": ("pip",)}, kind="boolean"),
        Field("install_project", "the project is itself a package ([build-system]): build it and install it "
              "non-editable into the venv instead of copying the source tree", as_bool, default=False,
              kind="boolean"),
        Field("registry_mirror", "https URL of a PyPI simple index (mirror), used at build time only",
              _registry_mirror, optional=True),
        timezone_field(),
        port_field(8000),
        Field("index_secret", "private-index credentials come from the build secret `netrc` (a .netrc file), "
              "mounted for the installs only", as_bool, default=False, kind="boolean"),
    )
}


@dataclass(frozen=True)
class PythonPreset:
    """A validated Python preset. Build one with :func:`generator.model.preset_from_mapping`."""

    description: str | None
    language: str
    package_manager: str
    python_version: str
    base: str
    command: list[str]
    requirements_file: str | None
    require_hashes: bool | None
    install_project: bool
    registry_mirror: str | None
    timezone: str | None
    port: int
    index_secret: bool

    @property
    def package_manager_label(self) -> str:
        return PACKAGE_MANAGER_LABELS[self.package_manager]


def cross_check(values: dict[str, Any]) -> None:
    """Rules that involve two keys."""
    if values["base"] == "distroless" and values["python_version"] != DISTROLESS_PYTHON:
        raise KeyProblem("python_version", f"Python {values['python_version']} has no distroless image: "
                         f"gcr.io/distroless/python3-debian13 ships Debian 13's Python {DISTROLESS_PYTHON} only; "
                         f"allowed: {DISTROLESS_PYTHON}", ("base",))


def warnings(preset: PythonPreset) -> list[str]:
    """Things that are allowed but probably wrong; shown by every way in."""
    found = []
    if preset.base == "alpine":
        found.append(
            "base: alpine uses musl libc; packages without a musllinux wheel compile from source at build time "
            "and need build tools (gcc, musl-dev, headers) the Dockerfile does not install; prefer slim or "
            "distroless if any dependency ships compiled code"
        )
    return found
