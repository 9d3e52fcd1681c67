"""The preset model: one definition of every key, its default and its validation.

YAML preset files, built-in presets, ``--set`` overrides and the wizard all go through
:func:`parse_field` and :func:`preset_from_mapping`, so a value accepted in one way in is
accepted in all of them, and rejected with the same reason.

Every value that reaches a Dockerfile is checked against a narrow pattern here: no newline,
quote, space or shell metacharacter can get through to smuggle in an instruction.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .errors import InvalidValue, UserError

LANGUAGES = ("node",)
#: Languages the model leaves room for; named in the error so users know they are planned.
PLANNED_LANGUAGES = ("python", "go")
PACKAGE_MANAGERS = ("npm", "yarn", "pnpm")
BASES = ("full", "slim", "alpine", "distroless")
#: The lockfile each package manager's Dockerfile copies (detection looks for the same names).
LOCKFILE_NAMES = {"npm": "package-lock.json", "yarn": "yarn.lock", "pnpm": "pnpm-lock.yaml"}

#: Node.js majors with an image per base. 20 and 25 reached end of life in 2026 and get
#: no new images; distroless publishes even (LTS) majors only, on -debian13.
NODE_VERSIONS: dict[str, tuple[int, ...]] = {
    "full": (22, 24, 26),
    "slim": (22, 24, 26),
    "alpine": (22, 24, 26),
    "distroless": (22, 24, 26),
}
#: The current Active LTS line, per the Node.js release schedule.
DEFAULT_NODE_VERSION = 24
#: yarn classic (1) and yarn berry (4). Yarn 2 and 3 are past their end of life and can only install
#: production dependencies with the workspace-tools plugin, which the Dockerfile cannot assume.
YARN_VERSIONS = (1, 4)

_RELATIVE_PATH = re.compile(r"[A-Za-z0-9_@][A-Za-z0-9._@+-]*(/[A-Za-z0-9_@][A-Za-z0-9._@+-]*)*")
_SCRIPT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._-]*")
_HTTPS_URL = re.compile(
    r"https://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?"
)
_TZ_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*")
_ENTRYPOINT_SUFFIXES = (".js", ".mjs", ".cjs")

#: Dead registries and their replacement, warned about rather than rejected.
DEAD_REGISTRIES = {
    "registry.npm.taobao.org": "https://registry.npmmirror.com",
    "npm.taobao.org": "https://registry.npmmirror.com",
}
KNOWN_MIRRORS = {"npmmirror": "https://registry.npmmirror.com"}


def _allowed(values: tuple[Any, ...]) -> str:
    return ", ".join(str(v) for v in values)


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidValue(f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InvalidValue(f"expected a whole number, got {value!r}")


def _as_str(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidValue(f"expected text, got {value!r}")
    return str(value).strip()


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "y", "1", "false", "no", "n", "0"):
        return value.strip().lower() in ("true", "yes", "y", "1")
    raise InvalidValue(f"expected true or false, got {value!r}")


def _choice(choices: tuple[str, ...], hint: str = "") -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = _as_str(value)
        if text not in choices:
            raise InvalidValue(f"{text!r} is not allowed{hint}; allowed: {_allowed(choices)}")
        return text

    return check


def _language(value: Any) -> str:
    text = _as_str(value)
    if text in PLANNED_LANGUAGES:
        raise InvalidValue(f"{text!r} is not supported yet; allowed: {_allowed(LANGUAGES)}")
    return _choice(LANGUAGES)(text)


def _node_version(value: Any) -> int:
    version = _as_int(value)
    known = sorted({v for versions in NODE_VERSIONS.values() for v in versions})
    if version not in known:
        raise InvalidValue(f"Node.js {version} has no maintained image; allowed: {_allowed(tuple(known))}")
    return version


def _yarn_version(value: Any) -> int:
    version = _as_int(value)
    if version in (2, 3):
        raise InvalidValue(f"yarn {version} is past its end of life and needs the workspace-tools plugin for a "
                           "production install (upgrade with `yarn set version 4`); allowed: 1 (classic), 4 (berry)")
    if version not in YARN_VERSIONS:
        raise InvalidValue(f"{version} is not a yarn major; allowed: 1 (classic), 4 (berry)")
    return version


def _port(value: Any) -> int:
    port = _as_int(value)
    if not 1 <= port <= 65535:
        raise InvalidValue(f"{port} is out of range; allowed: 1-65535")
    return port


def _relative_path(what: str, suffixes: tuple[str, ...] = ()) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = _as_str(value)
        if not _RELATIVE_PATH.fullmatch(text) or any(part in (".", "..") for part in text.split("/")):
            raise InvalidValue(
                f"{text!r} is not a plain relative {what}; allowed: letters, digits, . _ @ + - "
                "separated by /, no leading /, no '..', no spaces or quotes"
            )
        if suffixes and not text.endswith(suffixes):
            raise InvalidValue(f"{text!r} is not a JavaScript file; allowed endings: {_allowed(suffixes)}")
        return text

    return check


def _script_name(value: Any) -> str:
    text = _as_str(value)
    if not _SCRIPT_NAME.fullmatch(text):
        raise InvalidValue(
            f"{text!r} is not a package.json script name; allowed: letters, digits and : . _ -"
        )
    return text


def _registry_mirror(value: Any) -> str:
    text = _as_str(value)
    text = KNOWN_MIRRORS.get(text, text)
    if text.startswith("http://"):
        raise InvalidValue(f"{text!r} is plain http; allowed: an https:// URL (packages must not travel unencrypted)")
    if not _HTTPS_URL.fullmatch(text):
        raise InvalidValue(
            f"{text!r} is not a registry URL; allowed: https://host[:port][/path], "
            f"or one of: {_allowed(tuple(KNOWN_MIRRORS))}"
        )
    return text


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _timezone(value: Any) -> str:
    text = _as_str(value)
    known = _timezones()
    if known and text not in known:
        close = difflib.get_close_matches(text, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InvalidValue(f"{text!r} is not an IANA time zone{hint}; allowed: names like Europe/Berlin, Asia/Shanghai, UTC")
    if not _TZ_NAME.fullmatch(text):
        # Only reached on a machine without a tz database: fall back to the shape of a name.
        raise InvalidValue(f"{text!r} is not an IANA time zone name; allowed: names like Europe/Berlin")
    return text


def _description(value: Any) -> str:
    text = _as_str(value)
    if any(ord(ch) < 32 for ch in text) or len(text) > 200:
        raise InvalidValue("must be one line of at most 200 characters")
    return text


@dataclass(frozen=True)
class Field:
    name: str
    help: str
    parse: Callable[[Any], Any]
    optional: bool = False
    choices: tuple[Any, ...] = ()


#: Every preset key, in the order the README, the wizard and saved presets use.
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("description", "one line shown by `dockgen presets`", _description, optional=True),
        Field("language", "the app's language", _language, choices=LANGUAGES),
        Field("package_manager", "npm, yarn or pnpm", _choice(PACKAGE_MANAGERS), choices=PACKAGE_MANAGERS),
        Field("yarn_version", "yarn major: 1 = classic, 4 = berry (yarn only)", _yarn_version, optional=True,
              choices=YARN_VERSIONS),
        Field("node_version", "Node.js major version", _node_version),
        Field("base", "runtime image: full, slim, alpine or distroless", _choice(BASES), choices=BASES),
        Field("registry_mirror", "https URL of an npm registry mirror, used at build time only", _registry_mirror,
              optional=True),
        Field("timezone", "IANA time zone the app runs in, e.g. Asia/Shanghai", _timezone, optional=True),
        Field("port", "the port the app listens on", _port),
        Field("entrypoint", "the file node runs, relative to the app root", _relative_path("file", _ENTRYPOINT_SUFFIXES)),
        Field("build_script", "package.json script run in the build stage, e.g. build", _script_name, optional=True),
        Field("build_output", "directory the build script writes, copied to the runtime image",
              _relative_path("directory")),
        Field("lockfile", "the project commits a lockfile (false: non-reproducible fallback install)", _as_bool),
        Field("npmrc_secret", "private registry credentials come from the build secret `npmrc` "
              "(yarn berry: `yarnrc`), mounted for the install only", _as_bool),
    )
}


@dataclass(frozen=True)
class Preset:
    """A validated preset. Build one with :func:`preset_from_mapping`, not directly."""

    description: str | None = None
    language: str = "node"
    package_manager: str = "npm"
    yarn_version: int | None = None
    node_version: int = DEFAULT_NODE_VERSION
    base: str = "slim"
    registry_mirror: str | None = None
    timezone: str | None = None
    port: int = 3000
    entrypoint: str = "index.js"
    build_script: str | None = None
    build_output: str = "dist"
    lockfile: bool = True
    npmrc_secret: bool = False

    @property
    def yarn_berry(self) -> bool:
        return self.package_manager == "yarn" and (self.yarn_version or 1) >= 2

    @property
    def package_manager_label(self) -> str:
        if self.package_manager != "yarn":
            return self.package_manager
        return "yarn berry" if self.yarn_berry else "yarn classic"

    def to_mapping(self) -> dict[str, Any]:
        """The preset as YAML-ready data: every key whose value differs from the default."""
        defaults = Preset()
        always = ("language", "package_manager", "node_version", "base")
        return {
            name: getattr(self, name)
            for name in FIELDS
            if name in always or getattr(self, name) != getattr(defaults, name)
        }


def parse_field(name: str, value: Any) -> Any:
    """Validate one value for key ``name``; raise :class:`InvalidValue` with the reason."""
    spec = FIELDS[name]
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.optional:
            return None
        raise InvalidValue("a value is required")
    return spec.parse(value)


def _cross_check(values: dict[str, Any]) -> None:
    """Rules that involve two keys; raise UserError-ready (key, message) pairs."""
    base, version = values["base"], values["node_version"]
    if version not in NODE_VERSIONS[base]:
        raise _KeyProblem("node_version", f"Node.js {version} has no {base} image; allowed: {_allowed(NODE_VERSIONS[base])}",
                          ("base",))
    if values.get("yarn_version") is not None and values["package_manager"] != "yarn":
        raise _KeyProblem("yarn_version", f"only applies to package_manager yarn, not {values['package_manager']}",
                          ("package_manager",))
    output = values["build_output"]
    if values.get("build_script") and not values["entrypoint"].startswith(f"{output}/"):
        raise _KeyProblem("entrypoint", f"{values['entrypoint']!r} is outside build_output {output!r}, and the "
                                        f"runtime image gets only package.json and {output}/ of the app; "
                                        f"allowed: a file under {output}/", ("build_script", "build_output"))


class _KeyProblem(Exception):
    """A rule between ``key`` and the ``related`` keys is broken."""

    def __init__(self, key: str, message: str, related: tuple[str, ...] = ()):
        self.key, self.message, self.related = key, message, related


def preset_from_mapping(data: Any, source: str, origins: Mapping[str, str] | None = None) -> Preset:
    """Validate raw preset data (from YAML, ``--set`` or the wizard) into a :class:`Preset`.

    ``source`` names where the data came from in error messages; ``origins`` overrides it per key
    (a ``--set`` value on top of a file is reported as coming from ``--set``).
    """
    origins = origins or {}
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise UserError(f"a preset must be a mapping of keys to values, got {type(data).__name__}", source=source)
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UserError(f"unknown key{hint}; allowed: {_allowed(tuple(FIELDS))}",
                            source=origins.get(str(key), source), key=str(key))
        try:
            values[key] = parse_field(key, raw)
        except InvalidValue as exc:
            raise UserError(str(exc), source=origins.get(key, source), key=key) from None
    merged = {f.name: getattr(Preset(), f.name) for f in dataclasses.fields(Preset) if f.name in FIELDS}
    merged.update(values)
    pm_origin = origins.get("package_manager", source)
    if merged["package_manager"] != "yarn" and "package_manager" in values and \
            origins.get("yarn_version", source) != pm_origin:
        # `--set package_manager=npm` on top of a yarn preset: its yarn_version no longer applies.
        merged["yarn_version"] = None
    if merged["package_manager"] == "yarn" and merged["yarn_version"] is None:
        merged["yarn_version"] = 1
    try:
        _cross_check(merged)
    except _KeyProblem as exc:
        # Name where the clash came from: the key's own origin, else the origin of a related key that was
        # overridden (`--set build_script=build` on a preset whose entrypoint does not fit).
        origin = next((origins[k] for k in (exc.key, *exc.related) if k in origins), source)
        raise UserError(exc.message, source=origin, key=exc.key) from None
    return Preset(**merged)


def preset_warnings(preset: Preset) -> list[str]:
    """Things that are allowed but probably wrong; shown by every way in."""
    warnings = []
    if preset.registry_mirror:
        for dead, replacement in DEAD_REGISTRIES.items():
            host = preset.registry_mirror.split("/")[2].split(":")[0]
            if host == dead:
                warnings.append(
                    f"registry_mirror: {dead} has been shut down; use {replacement} (its replacement) instead"
                )
    if preset.base == "alpine":
        warnings.append(
            "base: alpine uses musl libc; native addons (node-gyp builds, prebuilt binaries for glibc) may fail "
            "to install or crash at run time; prefer slim or distroless if the app has any"
        )
    if not preset.lockfile:
        warnings.append(
            "lockfile: false; without a committed lockfile the image build is not reproducible "
            "(dependencies resolve anew on every build)"
        )
    return warnings
