"""Project detection: infer preset defaults from the files of a Node.js project.

:func:`detect` is a pure function of the directory's files (no network, no subprocess): it reads
package.json, the lockfiles, .nvmrc/.node-version, tsconfig.json, the entrypoint file and the
``binding.gyp`` files under node_modules, and returns the preset keys it could infer together
with notes (how a value was inferred) and warnings (what will probably go wrong).

Every inferred value has passed :func:`generator.model.parse_field`, and the mapping as a whole
passes :func:`generator.model.preset_from_mapping`, so ``dockgen detect > preset.yaml`` is valid
input for ``dockgen render``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...detection import MAX_SCAN_BYTES, Detection, read_json, read_manifest, read_text, record
from ...errors import show
from ...fields import normalize_relative_path
from ...lazyre import lazy
from .model import DEFAULT_NODE_VERSION, FIELDS, LOCKFILE_NAMES, NODE_VERSIONS, NodePreset

#: Files that make a directory a Node.js project.
MARKERS = ("package.json",)

#: Lockfile -> package manager, in the order a tie is broken when several are committed.
LOCKFILES = {
    "pnpm-lock.yaml": "pnpm",
    "yarn.lock": "yarn",
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
}
#: The lockfile the Dockerfile copies, per package manager (npm-shrinkwrap.json is not copied: warned about).
PM_LOCKFILES = {pm: (name,) for pm, name in LOCKFILE_NAMES.items()}

#: npm packages known to ship compiled code (node-gyp builds or prebuilt glibc binaries).
KNOWN_NATIVE = frozenset({
    "argon2", "bcrypt", "better-sqlite3", "bufferutil", "canvas", "cpu-features", "deasync", "diskusage",
    "fsevents", "grpc", "iconv", "isolated-vm", "kerberos", "leveldown", "libxmljs", "libxmljs2", "microtime",
    "node-expat", "node-pty", "node-sass", "oracledb", "phantomjs", "phantomjs-prebuilt", "re2", "sharp",
    "sqlite3", "ssh2", "utf-8-validate", "zeromq", "@serialport/bindings-cpp", "@tensorflow/tfjs-node",
})

#: Common packages whose install script only prints or patches JavaScript: not evidence of compiled code.
JS_ONLY_INSTALL_SCRIPTS = frozenset({"core-js", "core-js-pure", "es5-ext", "husky", "nodemon", "protobufjs",
                                     "styled-components", "yarn"})

#: Codenames of Node.js LTS lines, for ``lts/<name>`` in .nvmrc.
LTS_CODENAMES = {"argon": 4, "boron": 6, "carbon": 8, "dubnium": 10, "erbium": 12, "fermium": 14,
                 "gallium": 16, "hydrogen": 18, "iron": 20, "jod": 22, "krypton": 24}

_PORT_DEFAULT = lazy(r"process\.env\.PORT\b\s*\)?\s*(?:\|\||\?\?)\s*['\"]?(\d{1,5})\b")
_NODE_START = lazy(r"^\s*node\s+(?:-{1,2}[A-Za-z][\w-]*(?:=\S+)?\s+)*(?:\./)?(\S+)\s*$")
_OUT_DIR_FLAG = lazy(r"(?:--outDir|--out-dir|--outdir|-d)(?:\s+|=)(?:\./)?([^\s&|;]+)")
_PNPM_KEY = lazy(r"/?(@[^/@]+/[^/@]+|[^/@]+)")
_TS_OUT_DIR = lazy(r'"outDir"\s*:\s*"([^"]+)"')


# ---------------------------------------------------------------------------------------------
# package manager


def _detect_package_manager(root: Path, pkg: dict[str, Any], result: Detection) -> None:
    field_pm, field_major = None, None
    declared = pkg.get("packageManager")
    if isinstance(declared, str):
        match = re.fullmatch(r"(npm|yarn|pnpm)@v?(\d+)[\w.+-]*", declared.strip())
        if match:
            field_pm, field_major = match.group(1), int(match.group(2))
        else:
            result.notes.append(f"packageManager: cannot read {show(declared)}; ignored")

    present = [name for name in LOCKFILES if (root / name).is_file()]
    lock_pms = list(dict.fromkeys(LOCKFILES[name] for name in present))
    if field_pm:
        pm, how = field_pm, f"package.json packageManager {show(declared)}"
        if lock_pms and pm not in lock_pms:
            result.warnings.append(f"package.json names {pm} (packageManager) but the lockfile is for "
                                   f"{', '.join(lock_pms)}; using {pm}")
    elif lock_pms:
        pm, how = lock_pms[0], present[0]
        if len(lock_pms) > 1:
            result.warnings.append(f"several lockfiles ({', '.join(present)}); using {pm}; delete the others "
                                   "or set packageManager in package.json")
    else:
        pm, how = None, ""
    if pm:
        record(result, "node", "package_manager", pm, how)
    effective = pm or "npm"

    if effective == "yarn":
        yarn_lock = read_text(root / "yarn.lock") or ""
        if field_pm == "yarn" and field_major in (2, 3):
            record(result, "node", "yarn_version", 4, f"package.json packageManager {show(declared)}, berry")
            result.warnings.append(f"packageManager {show(declared)}: yarn {field_major} is past its end of life and "
                                   "cannot install production dependencies without the workspace-tools plugin; "
                                   "the Dockerfile is for yarn 4: run `yarn set version 4`")
        elif field_pm == "yarn" and field_major is not None:
            record(result, "node", "yarn_version", field_major, f"package.json packageManager {show(declared)}")
        elif (root / ".yarnrc.yml").is_file():
            record(result, "node", "yarn_version", 4, ".yarnrc.yml, yarn berry; no packageManager version, assuming 4")
        elif "__metadata:" in yarn_lock:
            record(result, "node", "yarn_version", 4, "yarn.lock, berry format; no packageManager version, assuming 4")
        else:
            record(result, "node", "yarn_version", 1, "yarn.lock, classic format")
        if result.values.get("yarn_version", 1) >= 2 and not (root / ".yarnrc.yml").is_file():
            result.warnings.append("yarn berry without .yarnrc.yml: the Dockerfile copies .yarnrc.yml; "
                                   "commit one (it may be empty)")
    if effective in ("pnpm", "yarn") and field_pm != effective and (root / "package.json").is_file():
        if effective == "pnpm" or result.values.get("yarn_version", 1) >= 2:
            result.notes.append(f"package.json has no packageManager field for {effective}: corepack will pick "
                                f"a {effective} release; pin one with `corepack use {effective}@<version>`")

    result.lockfiles = {name: any((root / f).is_file() for f in files) for name, files in PM_LOCKFILES.items()}
    if effective == "npm" and (root / "npm-shrinkwrap.json").is_file() and not result.lockfiles["npm"]:
        result.warnings.append("npm-shrinkwrap.json: the Dockerfile copies package-lock.json (a shrinkwrap is for "
                               "published command-line tools); rename it to package-lock.json for a frozen install")
    if not result.lockfiles[effective]:
        result.values["lockfile"] = False
        wanted = " or ".join(PM_LOCKFILES[effective])
        result.warnings.append(f"no {wanted}: the image build is not reproducible (dependencies resolve anew "
                               f"on every build); the Dockerfile falls back to a non-frozen install. Commit "
                               "a lockfile")


# ---------------------------------------------------------------------------------------------
# Node.js version

Version = tuple[int, int, int]
_INF = 10**9


def _partial(text: str) -> list[int] | None:
    """``"18"``, ``"18.2"``, ``"v18.2.1"``, ``"18.x"`` -> the numeric parts given (``x``/``*`` end it)."""
    text = text.strip().lstrip("vV=")
    parts: list[int] = []
    for piece in text.split(".")[:3]:
        if piece in ("x", "X", "*", ""):
            break
        if not piece.isdigit():
            # "18.0.0-rc.1": keep the numeric prefix of the last part
            digits = re.match(r"\d+", piece)
            if not digits:
                return None
            parts.append(int(digits.group()))
            break
        parts.append(int(piece))
    return parts


def _floor(parts: list[int]) -> Version:
    return tuple((parts + [0, 0, 0])[:3])  # type: ignore[return-value]


def _next(parts: list[int]) -> Version:
    """The first version after every version ``parts`` covers (``18.2`` -> ``18.3.0``)."""
    if not parts:
        return (_INF, 0, 0)
    bumped = parts[:-1] + [parts[-1] + 1]
    return _floor(bumped)


# An interval of versions: (low, low inclusive, high, high inclusive).
Interval = tuple[Version, bool, Version, bool]
_ALL: Interval = ((0, 0, 0), True, (_INF, 0, 0), False)


def _comparator(token: str) -> Interval:
    match = re.fullmatch(r"(>=|<=|>|<|=|\^|~>?)?\s*(v?[\dxX*][\w.*+-]*|\*|x|X)", token)
    if not match:
        raise ValueError(token)
    op, ver = match.group(1) or "", match.group(2)
    parts = _partial(ver)
    if parts is None:
        raise ValueError(token)
    lo, hi = _floor(parts), _next(parts)
    if op in ("", "="):
        if len(parts) == 3:
            return (lo, True, lo, True)
        return (lo, True, hi, False)
    if op == ">=":
        return (lo, True, (_INF, 0, 0), False)
    if op == ">":
        return (lo, False, (_INF, 0, 0), False) if len(parts) == 3 else (hi, True, (_INF, 0, 0), False)
    if op == "<":
        return ((0, 0, 0), True, lo, False)
    if op == "<=":
        return ((0, 0, 0), True, lo, True) if len(parts) == 3 else ((0, 0, 0), True, hi, False)
    if op == "^":
        first = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
        return (lo, True, _next(parts[: first + 1]), False)
    # ~ and ~>: patch changes (minor changes when only the major is given)
    return (lo, True, _next(parts[:2]) if len(parts) >= 2 else hi, False)


def _intersect(a: Interval, b: Interval) -> Interval:
    lo, lo_inc = max((a[0], not a[1]), (b[0], not b[1]))
    hi, hi_not_inc = min((a[2], not a[3]), (b[2], not b[3]))
    return (lo, not lo_inc, hi, not hi_not_inc)


def _empty(i: Interval) -> bool:
    return i[0] > i[2] or (i[0] == i[2] and not (i[1] and i[3]))


def parse_range(text: str) -> list[Interval]:
    """A semver range (npm syntax) as a union of intervals; raises ValueError if unreadable."""
    alternatives = []
    for alt in text.split("||"):
        alt = alt.strip()
        hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", alt)
        if hyphen:
            tokens = [f">={hyphen.group(1)}", f"<={hyphen.group(2)}"]
        else:
            # ">= 18" is written with a space at times: glue operators to their version
            tokens = re.sub(r"(>=|<=|>|<|=|\^|~>?)\s+", r"\1", alt).split()
        interval = _ALL
        for token in tokens or ["*"]:
            interval = _intersect(interval, _comparator(token))
        alternatives.append(interval)
    return alternatives


def satisfies_major(ranges: list[Interval], major: int) -> bool:
    """Whether some ``major.x.y`` release satisfies the range."""
    line: Interval = ((major, 0, 0), True, (major + 1, 0, 0), False)
    return any(not _empty(_intersect(r, line)) for r in ranges)


def _nearest(major: int, allowed: tuple[int, ...]) -> int:
    # ties go to the newer line: code for Node.js 25 runs on 26 more often than on 24
    return min(allowed, key=lambda v: (abs(v - major), -v))


def node_major_for(spec: str, allowed: tuple[int, ...]) -> tuple[int, str | None]:
    """Map a version spec (.nvmrc content or an engines range) to an allowed major and an optional note.

    Raises ValueError if the spec cannot be read.
    """
    text = spec.strip().lower()
    default = DEFAULT_NODE_VERSION if DEFAULT_NODE_VERSION in allowed else max(allowed)
    if text in ("lts/*", "lts", "stable"):
        return default, None
    if text in ("node", "latest", "current"):
        return max(allowed), None
    if text.startswith("lts/"):
        major = LTS_CODENAMES.get(text[4:])
        if major is None:
            raise ValueError(spec)
        text = str(major)
    ranges = parse_range(text)
    fitting = [v for v in allowed if satisfies_major(ranges, v)]
    if fitting:
        return (default if default in fitting else max(fitting)), None
    # Nothing maintained satisfies it: take the line nearest to what the range asks for.
    wanted = [r[0][0] if r[0][0] > 0 else r[2][0] for r in ranges]
    target = max(wanted) if wanted else default
    chosen = _nearest(min(target, _INF), allowed)
    return chosen, (f"no maintained Node.js image satisfies {show(spec.strip())}; using {chosen}, the nearest "
                    f"of {', '.join(map(str, allowed))}")


def _detect_node(root: Path, pkg: dict[str, Any], result: Detection, base: str) -> None:
    allowed = NODE_VERSIONS[base]
    sources: list[tuple[str, str]] = []
    for name in (".nvmrc", ".node-version"):
        text = read_text(root / name)
        if text and text.strip():
            sources.append((name, text.strip().splitlines()[0].split("#")[0].strip()))
    engines = pkg.get("engines")
    if isinstance(engines, dict) and isinstance(engines.get("node"), str):
        sources.append(("package.json engines.node", engines["node"]))
    # An exact pin (.nvmrc) says what the developers run; engines is the range they allow.
    for how, spec in sources:
        try:
            major, note = node_major_for(spec, allowed)
        except ValueError:
            result.notes.append(f"node_version: cannot read {show(spec)} in {how}; ignored")
            continue
        if record(result, "node", "node_version", major, f"{how} {show(spec)}") and note:
            result.warnings.append(f"node_version: {note}")
        return


# ---------------------------------------------------------------------------------------------
# entrypoint, build, port


def _clean_path(text: str) -> str:
    return normalize_relative_path(text)


def _detect_entrypoint(root: Path, pkg: dict[str, Any], result: Detection) -> None:
    scripts = pkg.get("scripts") if isinstance(pkg.get("scripts"), dict) else {}
    start = scripts.get("start")
    candidates = []
    if isinstance(start, str):
        match = _NODE_START.match(start)
        if match:
            candidates.append((match.group(1), f"the start script {show(start)}"))
    if isinstance(pkg.get("main"), str):
        candidates.append((_clean_path(pkg["main"]), "package.json main"))
    for value, how in candidates:
        if record(result, "node", "entrypoint", _clean_path(value), how):
            return


def _detect_build(root: Path, pkg: dict[str, Any], result: Detection) -> None:
    scripts = pkg.get("scripts") if isinstance(pkg.get("scripts"), dict) else {}
    script = scripts.get("build")
    if not isinstance(script, str):
        return
    record(result, "node", "build_script", "build", "package.json scripts.build")
    outputs = []
    tsconfig = read_text(root / "tsconfig.json")
    if tsconfig:
        match = _TS_OUT_DIR.search(tsconfig)
        if match:
            outputs.append((_clean_path(match.group(1)), "tsconfig.json compilerOptions.outDir"))
    match = _OUT_DIR_FLAG.search(script)
    if match:
        outputs.insert(0, (_clean_path(match.group(1)), f"the build script {show(script)}"))
    for value, how in outputs:
        if record(result, "node", "build_output", value, how):
            break
    output = result.values.get("build_output", FIELDS["build_output"].default)
    entry = result.values.get("entrypoint")
    if entry is None:
        default = f"{output}/{FIELDS['entrypoint'].default}"
        if record(result, "node", "entrypoint", default, f"the build output {output}/ (no start script or main)"):
            result.warnings.append(f"no start script or main in package.json: assuming the build writes {default}, "
                                   "the file node runs; set entrypoint if it is another")
    elif not entry.startswith(f"{output}/"):
        # With a build stage the runtime gets only the build output: a start script that runs a file outside
        # it cannot be served that way. Keep what the project runs, without the build stage, and say so.
        result.values.pop("build_script", None)
        result.values.pop("build_output", None)
        result.notes.append(f"build_script: not used (the start script runs {entry}, outside {output}/)")
        result.warnings.append(f"package.json has a build script, but the app runs {entry}, outside the build "
                               f"output {output}/, and with a build stage the image gets only {output}/: the "
                               "preset has no build_script; set build_script, build_output and entrypoint if "
                               "the built file is what runs")


def _detect_port(root: Path, result: Detection) -> None:
    entry = result.values.get("entrypoint", FIELDS["entrypoint"].default)
    candidates = [entry]
    if "build_output" in result.values or "build_script" in result.values:
        # the built file may not exist yet: look at its likely source
        output = result.values.get("build_output", FIELDS["build_output"].default)
        if entry.startswith(f"{output}/"):
            stem = entry[len(output) + 1:].rsplit(".", 1)[0]
            candidates += [f"src/{stem}.ts", f"src/{stem}.js", f"{stem}.ts"]
    for name in candidates:
        path = root / name
        try:
            if not path.is_file() or path.stat().st_size > MAX_SCAN_BYTES:
                continue
        except OSError:
            continue
        match = _PORT_DEFAULT.search(read_text(path) or "")
        if match:
            record(result, "node", "port", match.group(1), f"the PORT default in {name}")
            return


# ---------------------------------------------------------------------------------------------
# native addons


def _dependency_names(pkg: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for key in ("dependencies", "optionalDependencies", "devDependencies"):
        deps = pkg.get(key)
        if isinstance(deps, dict):
            names += [n for n in deps if isinstance(n, str)]
    return list(dict.fromkeys(names))


def find_native_addons(root: Path, pkg: dict[str, Any] | None = None) -> list[str]:
    """Packages of the project that ship compiled code, each with the evidence."""
    root = Path(root)
    if pkg is None:
        pkg = read_json(root / "package.json", Detection()) or {}
    found: dict[str, str] = {}
    for name in _dependency_names(pkg):
        if name in KNOWN_NATIVE:
            found.setdefault(name, "known native addon")
    modules = root / "node_modules"
    if modules.is_dir():
        try:
            for gyp in [*modules.glob("*/binding.gyp"), *modules.glob("@*/*/binding.gyp")]:
                found.setdefault(gyp.parent.relative_to(modules).as_posix(), "binding.gyp in node_modules")
        except OSError:
            pass
    for lockname in ("package-lock.json", "npm-shrinkwrap.json"):
        lock = read_json(root / lockname, Detection()) or {}
        packages = lock.get("packages") if isinstance(lock.get("packages"), dict) else {}
        for path, meta in packages.items():
            if not isinstance(meta, dict) or not path.startswith("node_modules/"):
                continue
            name = path.rsplit("node_modules/", 1)[1]
            if meta.get("gypfile"):
                found.setdefault(name, f"gypfile in {lockname}")
            elif meta.get("hasInstallScript") and name in KNOWN_NATIVE:
                found.setdefault(name, f"install script in {lockname}")
            elif meta.get("hasInstallScript") and name not in JS_ONLY_INSTALL_SCRIPTS:
                found.setdefault(name, f"install script in {lockname}, may build or download a binary")
    pnpm_lock = read_text(root / "pnpm-lock.yaml")
    if pnpm_lock and "requiresBuild: true" in pnpm_lock:
        import yaml  # here only: `dockgen render` imports this module, and PyYAML would slow its start

        try:
            data = yaml.safe_load(pnpm_lock) or {}
        except yaml.YAMLError:
            data = {}
        packages = data.get("packages") if isinstance(data, dict) else None
        for key, meta in (packages or {}).items():
            if isinstance(meta, dict) and meta.get("requiresBuild"):
                match = _PNPM_KEY.match(str(key))
                found.setdefault(match.group(1) if match else str(key), "requiresBuild in pnpm-lock.yaml")
    return [f"{name} ({why})" for name, why in sorted(found.items())]


def native_addon_warning(addons: list[str], base: str | None = None) -> str:
    where = "base: alpine" if base == "alpine" else "alpine"
    return (f"native addons: {', '.join(addons)}; {where} (musl libc) may break them: prebuilt binaries are "
            "built for glibc and node-gyp builds need python3, make and g++ (like PhantomJS, which has no musl "
            "build at all); prefer slim or distroless")


def project_warnings(project_dir: Path, preset: NodePreset) -> list[str]:
    """Warnings about rendering ``preset`` for the project in ``project_dir`` (used by ``dockgen render``)."""
    project_dir = Path(project_dir)
    if not (project_dir / "package.json").is_file():
        return []
    found = []
    if preset.build_script:
        scripts = (read_json(project_dir / "package.json", Detection()) or {}).get("scripts")
        if isinstance(scripts, dict) and preset.build_script not in scripts:
            found.append(f"build_script: {preset.build_script} is not a script in {project_dir / 'package.json'} "
                         f"(it has: {', '.join(map(str, scripts)) or 'none'}); the image's build stage will fail")
    if preset.base == "alpine":
        addons = find_native_addons(project_dir)
        found += [native_addon_warning(addons, preset.base)] if addons else []
    return found


# ---------------------------------------------------------------------------------------------


def detect(project_dir: Path | str, base: str | None = None) -> Detection:
    """Infer preset keys from the project in ``project_dir``.

    ``base`` is the runtime base the Node.js version must exist for (default: the model's).
    """
    root = Path(project_dir)
    base = base if base in NODE_VERSIONS else FIELDS["base"].default  # a bad base is the model's to report
    result = Detection()
    if not root.is_dir():
        result.warnings.append(f"{root}: not a directory; nothing detected")
        return result
    result.values["language"] = "node"
    pkg = read_manifest(root / "package.json")
    if pkg is None:
        pkg = {}
        result.warnings.append(f"no package.json in {root}: is this a Node.js project? Using defaults")
    _detect_package_manager(root, pkg, result)
    _detect_node(root, pkg, result, base)
    _detect_entrypoint(root, pkg, result)
    if (root / "package.json").is_file():
        scripts = pkg.get("scripts")
        result.scripts = tuple(str(name) for name in scripts) if isinstance(scripts, dict) else ()
    _detect_build(root, pkg, result)
    _detect_port(root, result)
    _detect_registry_auth(root, result)
    result.native_addons = find_native_addons(root, pkg)
    if result.native_addons:
        result.warnings.append(native_addon_warning(result.native_addons))
    return result


#: Lines of a project's .npmrc / .yarnrc.yml that carry registry credentials.
_NPMRC_AUTH = lazy(r"^\s*(//\S+:)?(_authToken|_auth|_password|username)\s*=", re.MULTILINE)
_YARNRC_AUTH = lazy(r"^\s*(npmAuthToken|npmAuthIdent)\s*:", re.MULTILINE)
#: The same keys with a literal value, not a ${VARIABLE} taken from the environment.
_YARNRC_LITERAL = lazy(r"^\s*(npmAuthToken|npmAuthIdent)\s*:\s*(?![\"']?\$\{)\S", re.MULTILINE)


def _detect_registry_auth(root: Path, result: Detection) -> None:
    """Registry settings the image build would miss or leak.

    .dockerignore keeps the project's .npmrc out of the build context (it may hold a token), so its
    credentials must come in as the build secret (``npmrc_secret``) and its other settings are lost
    unless passed the same way. A project .yarnrc.yml is copied into the image (yarn berry reads its
    settings from it), so a token written there literally would end up in a layer.
    """
    npmrc = read_text(root / ".npmrc")
    if npmrc:
        if _NPMRC_AUTH.search(npmrc):
            record(result, "node", "npmrc_secret", True, "registry credentials in .npmrc")
        settings = [line.split("=", 1)[0].strip() for line in npmrc.splitlines()
                    if "=" in line and not line.lstrip().startswith(("#", ";")) and not _NPMRC_AUTH.match(line)]
        if settings:
            result.warnings.append(
                f".npmrc sets {', '.join(settings)}: .dockerignore keeps .npmrc (and any token in it) out of the "
                "image build, so these settings do not reach the install; put them, with your token, in an .npmrc "
                "passed as the build secret (npmrc_secret: true; docker build --secret id=npmrc,src=FILE)")
    yarnrc = read_text(root / ".yarnrc.yml")
    if yarnrc and _YARNRC_AUTH.search(yarnrc):
        record(result, "node", "npmrc_secret", True, "registry credentials in .yarnrc.yml")
        literal = [m.group(1) for m in _YARNRC_LITERAL.finditer(yarnrc)]
        if literal:
            result.warnings.append(
                f".yarnrc.yml holds {', '.join(literal)} in clear: the Dockerfile copies .yarnrc.yml, so the token "
                "would be in an image layer; move it to your ~/.yarnrc.yml and pass that as the build secret "
                "(docker build --secret id=yarnrc,src=$HOME/.yarnrc.yml)")
