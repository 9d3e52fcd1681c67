"""Go preset keys: their fields, the preset type, the rules between keys and the warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...errors import InvalidValue, show
from ...fields import (Field, allowed, as_bool, as_str, choice, https_url, https_url_schema, json_pattern, port_field,
                       relative_path, timezone_field, with_schema)
from ..base import KeyProblem, common_fields

#: The Go releases with maintained golang images (Go supports the two newest); the newest is the default.
GO_VERSIONS = ("1.26", "1.27")
DEFAULT_GO_VERSION = GO_VERSIONS[-1]
BASES = ("distroless", "scratch", "alpine")
KNOWN_MIRRORS = {"goproxy.cn": "https://goproxy.cn", "goproxy.io": "https://goproxy.io"}
#: Hosts a plain-http module proxy may be on: the build machine itself (an Athens started next to the build).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

_PACKAGE = re.compile(r"\.(/[A-Za-z0-9_][A-Za-z0-9._+-]*)*")
_LOOPBACK_URL = re.compile(r"http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?")


def _go_version(value: Any) -> str:
    # YAML reads `go_version: 1.26` as a float: take its text (1.3 would be ambiguous, so 1.30 must be quoted).
    text = repr(value) if isinstance(value, float) else as_str(value)
    text = text.strip()
    if text.startswith("go"):
        text = text[2:]
    if not re.fullmatch(r"[0-9]{1,3}\.[0-9]{1,3}(\.[0-9]{1,3})?", text):
        raise InvalidValue(f"{show(text)} is not a Go release; allowed: {allowed(GO_VERSIONS)}")
    if text not in GO_VERSIONS:
        raise InvalidValue(f"Go {text} has no maintained golang image; allowed: {allowed(GO_VERSIONS)}")
    return text


# `go_version: 1.27` unquoted is a YAML number: the schema takes it as the parser does.
with_schema(_go_version, enum=[*GO_VERSIONS, *(float(version) for version in GO_VERSIONS)])


def _package(value: Any) -> str:
    text = as_str(value)
    if not _PACKAGE.fullmatch(text) or ".." in text.split("/"):
        raise InvalidValue(f"{show(text)} is not a main package inside the module; allowed: . or ./dir/dir "
                           "(letters, digits, . _ + -), no '..'")
    return text


with_schema(_package, pattern=json_pattern(_PACKAGE))


def _local_modules(value: Any) -> tuple[str, ...] | None:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise InvalidValue(f"expected a list of directories, got {show(value)}")
    check = relative_path("directory")
    dirs = []
    for item in items:
        text = as_str(item).removeprefix("./").rstrip("/")
        if text:
            dirs.append(check(text))
    return tuple(dict.fromkeys(dirs)) or None


# Each item: a directory as relative_path takes it, or nothing once "./" and trailing "/" are dropped.
with_schema(_local_modules, type="array", items={"type": "string", "anyOf": [
    relative_path("directory").json_schema,  # type: ignore[attr-defined]
    {"pattern": "^(?:\\./)?/*$"}]})


def _registry_mirror(value: Any) -> str:
    text = as_str(value)
    if "," in text or "|" in text:
        raise InvalidValue(f"{show(text)} is a GOPROXY list; allowed: one proxy URL (dockgen sets GOPROXY to it alone, "
                           "with no ',direct' fallback behind the mirror's back)")
    if _LOOPBACK_URL.fullmatch(text):
        return text
    return https_url(text, "a Go module proxy URL", KNOWN_MIRRORS)


with_schema(_registry_mirror, anyOf=[*https_url_schema(KNOWN_MIRRORS)["anyOf"], {"pattern": json_pattern(_LOOPBACK_URL)}])


#: Every Go preset key, in the order the README, the wizard and saved presets use.
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        *common_fields(),
        Field("go_version", "Go release of the build image", _go_version, default=DEFAULT_GO_VERSION,
              choices=GO_VERSIONS),
        Field("base", "runtime image: distroless, scratch or alpine", choice(BASES), default="distroless",
              choices=BASES),
        Field("package", "the main package to build, e.g. . or ./cmd/server", _package, default="."),
        Field("cgo", "build with cgo (C toolchain; runs on distroless base, glibc)", as_bool, default=False,
              kind="boolean"),
        Field("vendor", "the project commits vendor/ (go mod vendor): build with -mod=vendor, download nothing",
              as_bool, default=False, kind="boolean"),
        Field("local_modules", "directories that go.mod `replace`s modules with (their go.mod joins the module "
              "layer)", _local_modules, optional=True, when={"vendor": (False,)}, kind="array"),
        Field("registry_mirror", "Go module proxy (GOPROXY) used at build time only: an https URL, goproxy.cn, "
              "goproxy.io, or http on the build machine's loopback", _registry_mirror, optional=True,
              when={"vendor": (False,)}),
        timezone_field(),
        port_field(8080),
    )
}


@dataclass(frozen=True)
class GoPreset:
    """A validated Go preset. Build one with :func:`generator.model.preset_from_mapping`."""

    description: str | None
    language: str
    go_version: str
    base: str
    package: str
    cgo: bool
    vendor: bool
    local_modules: tuple[str, ...] | None
    registry_mirror: str | None
    timezone: str | None
    port: int


def cross_check(values: dict[str, Any]) -> None:
    """Rules that involve two keys."""
    if values["cgo"] and values["base"] != "distroless":
        raise KeyProblem("cgo", f"a cgo binary links against glibc, which base {values['base']} does not have; "
                                "allowed: base distroless (gcr.io/distroless/base-debian13), or cgo false",
                         ("base",))


def warnings(preset: GoPreset) -> list[str]:
    """Things that are allowed but probably wrong; shown by every way in."""
    found = []
    if preset.cgo:
        found.append("cgo: true builds with the golang image's gcc and runs on gcr.io/distroless/base-debian13 "
                     "(glibc): scratch and the static distroless image are ruled out, and C libraries beyond glibc "
                     "must be added to the runtime yourself")
    if preset.registry_mirror and preset.registry_mirror.startswith("http://"):
        found.append(f"registry_mirror: {preset.registry_mirror} is plain http on the build machine's loopback; "
                     "the build needs the host network (docker build --network host)")
    return found
