"""Node.js preset keys: their fields, the preset type, the rules between keys and the warnings."""

from __future__ import annotations

from collections.abc import Mapping
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
#: A value that reaches an exec-form CMD or an ENV line: no space, quote, backslash, $ or newline.
_PLAIN_VALUE = lazy(r"[A-Za-z0-9@._:/%+,=-]+")
_PLAIN_CHARS = "letters, digits and @ . _ : / % + , = -"
#: An environment value may also hold * (DEBUG=app:*): ENV does no globbing.
_ENV_VALUE = lazy(r"[A-Za-z0-9@._:/%+,=*-]+")
_NODE_FLAG = lazy(r"--?[A-Za-z][A-Za-z0-9-]*(=[A-Za-z0-9@._:/%+,=-]+)?")
#: node flags whose value is the next argument (`-r dotenv/config`).
VALUE_FLAGS = frozenset({"-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions",
                         "--env-file", "--env-file-if-exists", "--title"})
#: node flags that run something else than the entrypoint, or nothing: not options of a service.
NOT_SERVICE_FLAGS = frozenset({"-e", "--eval", "-p", "--print", "-i", "--interactive", "-c", "--check", "-v",
                               "--version", "-h", "--help", "--test", "--watch", "--run"})
_ENV_NAME = lazy(r"[A-Za-z_][A-Za-z0-9_]*")
#: Variables the Dockerfile sets from other keys (or always).
RESERVED_ENV = {"NODE_ENV": "the image always sets NODE_ENV=production", "PORT": "set it with the port key",
                "TZ": "set it with the timezone key", "HOSTNAME": "the image sets it for Next.js"}
NEXTJS_OUTPUTS = ("standalone", "server")

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


def _words(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, (list, tuple)):
        return [as_str(item) for item in value]
    raise InvalidValue(f"expected a list of {what}, got {show(value)}")


def _node_options(value: Any) -> tuple[str, ...]:
    """node's own flags, each an argument of the exec-form CMD before the entrypoint."""
    items = _words(value, "node flags")
    wanted = None  # the flag waiting for its value
    for item in items:
        if wanted:
            if item.startswith("-") or not _PLAIN_VALUE.fullmatch(item):
                raise InvalidValue(f"{show(item)} is not a value for {wanted}; allowed: {_PLAIN_CHARS}")
            wanted = None
        elif not _NODE_FLAG.fullmatch(item):
            raise InvalidValue(f"{show(item)} is not a node flag; allowed: -x, --flag or --flag=value ({_PLAIN_CHARS}), "
                               f"and the value after {', '.join(sorted(VALUE_FLAGS))}")
        elif item.split("=", 1)[0] in NOT_SERVICE_FLAGS:
            raise InvalidValue(f"{show(item)} does not start a service; allowed: flags such as --enable-source-maps, "
                               "--max-old-space-size=512, -r dotenv/config, --import ./otel.mjs")
        else:
            wanted = item if item in VALUE_FLAGS else None
    if wanted:
        raise InvalidValue(f"{wanted} needs a value after it; allowed: {wanted} MODULE")
    return tuple(items)


# The first item a flag (not one that replaces the program), then flags or the values that follow them.
_FLAG_SCHEMA = {"type": "string", "pattern": "^(?!(?:" + "|".join(sorted(NOT_SERVICE_FLAGS)) + ")(?:=|$))"
                f"(?:{_NODE_FLAG.pattern})$"}
with_schema(_node_options, type="array", items=[_FLAG_SCHEMA], additionalItems={"anyOf": [
    _FLAG_SCHEMA, {"type": "string", "pattern": f"^(?!-)(?:{_PLAIN_VALUE.pattern})$"}]})


def _workspace_deps(value: Any) -> tuple[str, ...]:
    check = relative_path("directory")
    return tuple(dict.fromkeys(check(item) for item in _words(value, "workspace directories")))


with_schema(_workspace_deps, type="array",
            items=relative_path("directory").json_schema)  # type: ignore[attr-defined]


def _env(value: Any) -> tuple[str, ...]:
    """Runtime environment variables, ``NAME=value`` each (a mapping or a list of NAME=value)."""
    if isinstance(value, Mapping):
        pairs = [(str(k), v) for k, v in value.items()]
    else:
        pairs = [tuple(item.split("=", 1)) if "=" in item else (item, None) for item in _words(value, "NAME=value")]
    result = []
    for name, raw in pairs:
        if not _ENV_NAME.fullmatch(name):
            raise InvalidValue(f"{show(name)} is not a variable name; allowed: letters, digits and _, not first a digit")
        if name in RESERVED_ENV:
            raise InvalidValue(f"{name} is set by dockgen ({RESERVED_ENV[name]}); allowed: other names")
        if raw is None:
            raise InvalidValue(f"{name} has no value; allowed: NAME=value")
        text = "" if raw == "" else as_str(raw)
        if text and not _ENV_VALUE.fullmatch(text):
            raise InvalidValue(f"{name}: {show(text)} is not a plain value; allowed: {_PLAIN_CHARS} *")
        result.append(f"{name}={text}")
    return tuple(result)


_RESERVED_ENV_PATTERN = "|".join(RESERVED_ENV)
_ENV_VALUE_SCHEMA = {"type": "string", "pattern": f"^(?:{_ENV_VALUE.pattern})?$"}
with_schema(_env, type=["array", "object"], anyOf=[
    {"type": "array", "items": {"type": "string", "pattern": f"^(?!(?:{_RESERVED_ENV_PATTERN})=)(?:{_ENV_NAME.pattern})="
                                                              f"(?:{_ENV_VALUE.pattern})?$"}},
    {"type": "object", "propertyNames": {"pattern": f"^(?!(?:{_RESERVED_ENV_PATTERN})$)(?:{_ENV_NAME.pattern})$"},
     "additionalProperties": {"anyOf": [_ENV_VALUE_SCHEMA, {"type": "integer"}]}}])


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
        Field("workspace", "the workspace to build, a directory of the monorepo (the build context is its root)",
              relative_path("directory"), optional=True),
        Field("workspace_deps", "the local workspace packages the workspace depends on, copied with it",
              _workspace_deps, default=(), optional=True, when={"workspace": ANY}, kind="array"),
        Field("nextjs", "a Next.js app: standalone (output: 'standalone', the smallest image) or server "
              "(next start)", choice(NEXTJS_OUTPUTS), optional=True, choices=NEXTJS_OUTPUTS),
        Field("entrypoint", "the file node runs, relative to the app root",
              relative_path("file", _ENTRYPOINT_SUFFIXES, "JavaScript file"), default="index.js"),
        Field("node_options", "node's own flags, kept in the CMD before the entrypoint, e.g. [--enable-source-maps]",
              _node_options, default=(), kind="array"),
        Field("env", "environment variables of the app, NAME: value", _env, default=(), kind="array"),
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
    workspace: str | None
    workspace_deps: tuple[str, ...] | None
    nextjs: str | None
    entrypoint: str
    node_options: tuple[str, ...]
    env: tuple[str, ...]
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
    _check_workspace(values)
    if values.get("nextjs"):
        if not values.get("build_script"):
            raise KeyProblem("build_script", "a Next.js app is built by `next build`; allowed: the package.json "
                                             "script that runs it, e.g. build", ("nextjs",))
        return
    output = values["build_output"]
    if values.get("build_script") and not values["entrypoint"].startswith(f"{output}/"):
        raise KeyProblem("entrypoint", f"{show(values['entrypoint'])} is outside build_output {show(output)}, and the "
                                       f"runtime image gets only package.json and {output}/ of the app; "
                                       f"allowed: a file under {output}/", ("build_script", "build_output"))


def _check_workspace(values: dict[str, Any]) -> None:
    workspace, deps = values.get("workspace"), values.get("workspace_deps") or ()
    if not workspace:
        return
    if values["package_manager"] == "yarn" and (values.get("yarn_version") or 1) < 2:
        raise KeyProblem("workspace", "yarn classic cannot install the production dependencies of one workspace "
                                      "(it has no `workspaces focus`); allowed: package_manager npm or pnpm, or "
                                      "yarn 4 (`yarn set version 4`)", ("package_manager", "yarn_version"))
    if workspace in deps:
        raise KeyProblem("workspace_deps", f"lists the workspace {workspace} itself; allowed: the other local "
                                           "packages it depends on", ("workspace",))
    if values.get("nextjs"):
        raise KeyProblem("nextjs", "is not supported inside a workspace yet; allowed: a Next.js app at the root of "
                                   "its repository", ("workspace",))


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
    if preset.nextjs and (preset.entrypoint != FIELDS["entrypoint"].default
                          or preset.build_output != FIELDS["build_output"].default):
        found.append(f"nextjs: {preset.nextjs}: entrypoint and build_output are not used; the image runs "
                     + ("the standalone server.js" if preset.nextjs == "standalone" else "next start")
                     + " from .next")
    if any(option.split("=", 1)[0] == "--env-file" for option in preset.node_options):
        found.append("node_options: --env-file names a file .dockerignore keeps out of the image (.env*), and node "
                     "stops when it is missing; set the variables with env, or at run time")
    if not preset.lockfile:
        found.append(
            "lockfile: false; without a committed lockfile the image build is not reproducible "
            "(dependencies resolve anew on every build)"
        )
    return found
