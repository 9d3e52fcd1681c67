"""Node.js preset keys: their fields, the preset type, the rules between keys and the warnings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import InvalidValue, show
from ...fields import (ANY, Field, allowed, as_bool, as_int, as_str, choice, https_url, https_url_schema, json_pattern,
                       port_field, relative_path, timezone_field, with_schema)
from ...lazyre import lazy
from ..base import KeyProblem, common_fields

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

_SCRIPT_NAME = lazy(r"[A-Za-z0-9][A-Za-z0-9:._-]*")
_ENTRYPOINT_SUFFIXES = (".js", ".mjs", ".cjs")

#: Dead registries and their replacement, warned about rather than rejected.
DEAD_REGISTRIES = {
    "registry.npm.taobao.org": "https://registry.npmmirror.com",
    "npm.taobao.org": "https://registry.npmmirror.com",
}
KNOWN_MIRRORS = {"npmmirror": "https://registry.npmmirror.com"}


def _node_version(value: Any) -> int:
    version = as_int(value)
    known = sorted({v for versions in NODE_VERSIONS.values() for v in versions})
    if version not in known:
        raise InvalidValue(f"Node.js {version} has no maintained image; allowed: {allowed(tuple(known))}")
    return version


def _yarn_version(value: Any) -> int:
    version = as_int(value)
    if version in (2, 3):
        raise InvalidValue(f"yarn {version} is past its end of life and needs the workspace-tools plugin for a "
                           "production install (upgrade with `yarn set version 4`); allowed: 1 (classic), 4 (berry)")
    if version not in YARN_VERSIONS:
        raise InvalidValue(f"{version} is not a yarn major; allowed: 1 (classic), 4 (berry)")
    return version


def _script_name(value: Any) -> str:
    text = as_str(value)
    if not _SCRIPT_NAME.fullmatch(text):
        raise InvalidValue(
            f"{show(text)} is not a package.json script name; allowed: a letter or digit, then letters, digits "
            "and : . _ - (the name of a key under \"scripts\", not an option)"
        )
    return text


with_schema(_script_name, pattern=json_pattern(_SCRIPT_NAME))
_build_output_path = relative_path("directory")
#: Directories the Dockerfile itself fills: a build output there would be overwritten or overwrite them.
_RESERVED_OUTPUTS = ("node_modules", "package.json", ".yarn", ".pnpm-store")


def _build_output(value: Any) -> str:
    text = _build_output_path(value)
    if text.split("/")[0] in _RESERVED_OUTPUTS:
        raise InvalidValue(f"{show(text)} is where the image's dependencies go, not a build's output; allowed: the "
                           "directory the build script writes, e.g. dist, build, out")
    return text


_RESERVED_PATTERN = "|".join(name.replace(".", "\\.") for name in _RESERVED_OUTPUTS)
with_schema(_build_output, allOf=[*_build_output_path.json_schema["allOf"],  # type: ignore[attr-defined]
                                  {"not": {"type": "string",
                                           "pattern": f"^(?:\\./)*(?:{_RESERVED_PATTERN})(?:/|$)"}}])


def _registry_mirror(value: Any) -> str:
    return https_url(as_str(value), "a registry URL", KNOWN_MIRRORS,
                     credentials="for a private registry set npmrc_secret: true and keep the token in .npmrc")


with_schema(_registry_mirror, **https_url_schema(KNOWN_MIRRORS))


#: Every Node.js preset key, in the order the README, the wizard and saved presets use.
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        *common_fields(),
        Field("package_manager", "npm, yarn or pnpm", choice(PACKAGE_MANAGERS), default="npm",
              choices=PACKAGE_MANAGERS),
        Field("yarn_version", "yarn major: 1 = classic, 4 = berry (yarn only)", _yarn_version, default=1,
              optional=True, choices=YARN_VERSIONS, when={"package_manager": ("yarn",)}, kind="integer"),
        Field("node_version", "Node.js major version", _node_version, default=DEFAULT_NODE_VERSION,
              choices=tuple(sorted({v for vs in NODE_VERSIONS.values() for v in vs})), kind="integer"),
        Field("base", "runtime image: full, slim, alpine or distroless", choice(BASES), default="slim",
              choices=BASES),
        Field("registry_mirror", "https URL of an npm registry mirror, used at build time only", _registry_mirror,
              optional=True),
        timezone_field(),
        port_field(3000),
        Field("entrypoint", "the file node runs, relative to the app root",
              relative_path("file", _ENTRYPOINT_SUFFIXES, "JavaScript file"), default="index.js"),
        Field("build_script", "package.json script run in the build stage, e.g. build", _script_name, optional=True),
        Field("build_output", "directory the build script writes, copied to the runtime image (with build_script)",
              _build_output, default="dist", optional=True, when={"build_script": ANY}),
        Field("lockfile", "the project commits a lockfile (false: non-reproducible fallback install)", as_bool,
              default=True, kind="boolean"),
        Field("npmrc_secret", "private registry credentials come from the build secret `npmrc` "
              "(yarn berry: `yarnrc`), mounted for the install only", as_bool, default=False, kind="boolean"),
    )
}


@dataclass(frozen=True)
class NodePreset:
    """A validated Node.js preset. Build one with :func:`generator.model.preset_from_mapping`."""

    description: str | None
    language: str
    package_manager: str
    yarn_version: int | None
    node_version: int
    base: str
    registry_mirror: str | None
    timezone: str | None
    port: int
    entrypoint: str
    build_script: str | None
    build_output: str | None
    lockfile: bool
    npmrc_secret: bool

    @property
    def yarn_berry(self) -> bool:
        return self.package_manager == "yarn" and (self.yarn_version or 1) >= 2

    @property
    def package_manager_label(self) -> str:
        if self.package_manager != "yarn":
            return self.package_manager
        return "yarn berry" if self.yarn_berry else "yarn classic"


def cross_check(values: dict[str, Any]) -> None:
    """Rules that involve two keys."""
    base, version = values["base"], values["node_version"]
    if version not in NODE_VERSIONS[base]:
        raise KeyProblem("node_version", f"Node.js {version} has no {base} image; allowed: {allowed(NODE_VERSIONS[base])}",
                         ("base",))
    output = values["build_output"]
    if values.get("build_script") and not values["entrypoint"].startswith(f"{output}/"):
        raise KeyProblem("entrypoint", f"{show(values['entrypoint'])} is outside build_output {show(output)}, and the "
                                       f"runtime image gets only package.json and {output}/ of the app; "
                                       f"allowed: a file under {output}/", ("build_script", "build_output"))


def warnings(preset: NodePreset) -> list[str]:
    """Things that are allowed but probably wrong; shown by every way in."""
    found = []
    if preset.registry_mirror:
        for dead, replacement in DEAD_REGISTRIES.items():
            host = preset.registry_mirror.split("/")[2].split(":")[0]
            if host == dead:
                found.append(
                    f"registry_mirror: {dead} has been shut down; use {replacement} (its replacement) instead"
                )
    if preset.base == "alpine":
        found.append(
            "base: alpine uses musl libc; native addons (node-gyp builds, prebuilt binaries for glibc) may fail "
            "to install or crash at run time; prefer slim or distroless if the app has any"
        )
    if not preset.lockfile:
        found.append(
            "lockfile: false; without a committed lockfile the image build is not reproducible "
            "(dependencies resolve anew on every build)"
        )
    return found
