"""Detection of what the image runs: the start command, the build, the port, and the frameworks that decide
them (Next.js, NestJS).

The rule: a value dockgen picked by default never makes detection fail. When the project can't be
understood, a warning says what was read (quoting it) and what was used instead, and the values left are a
valid preset the user can correct.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ...detection import MAX_SCAN_BYTES, Detection, read_text, record
from ...errors import show
from ...fields import normalize_relative_path
from ...lazyre import lazy
from .model import FIELDS
from .start import StartCommand, read_start

_PORT_DEFAULT = lazy(r"process\.env\.PORT\b\s*\)?\s*(?:\|\||\?\?)\s*['\"]?(\d{1,5})\b")
_OUT_DIR_FLAG = lazy(r"(?:--outDir|--out-dir|--outdir|-d)(?:\s+|=)(?:\./)?([^\s&|;]+)")
_TS_OUT_DIR = lazy(r'"outDir"\s*:\s*"([^"]+)"')
_NEXT_STANDALONE = lazy(r"""output\s*:\s*['"`]standalone['"`]""")
_NEXT_PORT = lazy(r"\bnext\s+start\b.*?(?:-p|--port)[\s=]+(\d{1,5})\b")
NEXT_CONFIGS = ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs", "next.config.mts")
#: Scripts that may hold the production start command, in the order they are read.
START_SCRIPTS = ("start", "start:prod", "serve")

#: Measured by the e2e suite's Next.js app (tests/e2e/apps/next): bytes the image adds above its base.
NEXT_SIZES = "38 MB instead of 326 MB above the base for the e2e suite's small Next.js 16 app"


def clean_path(text: str) -> str:
    return normalize_relative_path(text)


def _scripts(pkg: dict[str, Any]) -> dict[str, str]:
    scripts = pkg.get("scripts")
    return {k: v for k, v in scripts.items() if isinstance(v, str)} if isinstance(scripts, dict) else {}


def _dependencies(pkg: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        if isinstance(pkg.get(key), dict):
            names.update(pkg[key])
    return names


def detect_start(root: Path, pkg: dict[str, Any], result: Detection) -> None:
    """Framework, start command, build and port, in that order (each reads what the one before found)."""
    scripts = _scripts(pkg)
    deps = _dependencies(pkg)
    if "next" in deps and _detect_next(root, scripts, result):
        return
    nest = "@nestjs/core" in deps
    if nest:
        result.notes.append("NestJS (@nestjs/core): built by `nest build`, run as node dist/main.js")
    start, unread = _detect_entrypoint(pkg, scripts, result)
    _detect_build(root, scripts, result, nest)
    _fit_entrypoint(result, quiet=unread is not None)
    if unread:
        _warn_unread_start(result, *unread)
    _detect_port(root, result, start)


# ---------------------------------------------------------------------------------------------
# start command and entrypoint


Unread = tuple[str, StartCommand, "str | None"]


def _detect_entrypoint(pkg: dict[str, Any], scripts: dict[str, str],
                       result: Detection) -> tuple[StartCommand | None, Unread | None]:
    """The entrypoint, node flags and env from the first start script node runs a file in; else ``main``.
    Returns the start command that was read, and (script name, command, what was used instead) when the
    project has start scripts but none could be read."""
    read = [read_start(scripts[name]) for name in START_SCRIPTS if name in scripts]
    names = [name for name in START_SCRIPTS if name in scripts]
    usable = next(((name, s) for name, s in zip(names, read) if s.entrypoint and not s.runner and not s.program), None)
    if usable:
        name, start = usable
        how = f"the {name} script {show(start.script)}"
        if record(result, "node", "entrypoint", start.entrypoint, how):
            result.notes.extend(start.notes)
            if name != names[0]:
                result.notes.append(f"the {names[0]} script {show(scripts[names[0]])} is not a plain node command; "
                                    f"the {name} script is")
            if start.node_options:
                record(result, "node", "node_options", list(start.node_options), how)
            if start.env:
                record(result, "node", "env", list(start.env), how)
            if start.problems:
                result.warnings.append(f"the {name} script {show(start.script)}: {'; '.join(start.problems)}; the "
                                       f"image runs {_command(result)}")
            return start, None
    first = read[0] if read else None
    main = pkg.get("main")
    if isinstance(main, str) and record(result, "node", "entrypoint", clean_path(main), "package.json main"):
        used = f"{result.values['entrypoint']} (package.json main)"
    else:
        used = None  # decided later: the default, or one inside the build output
    return first, ((names[0], first, used) if first is not None else None)


def _command(result: Detection) -> str:
    options = " ".join(result.values.get("node_options", ()))
    return " ".join(part for part in ("node", options, result.values.get("entrypoint", "")) if part)


def _warn_unread_start(result: Detection, name: str, start: StartCommand, used: str | None) -> None:
    entry = result.values.get("entrypoint", FIELDS["entrypoint"].default)
    instead = used or f"{entry} ({'inside the build output' if 'build_script' in result.values else 'dockgen default'})"
    result.warnings.append(f"the {name} script {show(start.script)} cannot be read: {'; '.join(start.problems)}; "
                           f"the image runs node {instead}: set entrypoint (and node_options) if that is wrong")


# ---------------------------------------------------------------------------------------------
# build


def _detect_build(root: Path, scripts: dict[str, str], result: Detection, nest: bool) -> None:
    script = scripts.get("build")
    if script is None:
        return
    record(result, "node", "build_script", "build", "package.json scripts.build")
    outputs = []
    tsconfig = read_text(root / "tsconfig.build.json") or read_text(root / "tsconfig.json")
    if tsconfig:
        match = _TS_OUT_DIR.search(tsconfig)
        if match:
            outputs.append((clean_path(match.group(1)), "tsconfig compilerOptions.outDir"))
    match = _OUT_DIR_FLAG.search(script)
    if match:
        outputs.insert(0, (clean_path(match.group(1)), f"the build script {show(script)}"))
    for value, how in outputs:
        if record(result, "node", "build_output", value, how):
            break
    if nest and "entrypoint" not in result.values:
        output = result.values.get("build_output", FIELDS["build_output"].default)
        entry_file = _nest_entry_file(root)
        record(result, "node", "entrypoint", f"{output}/{entry_file}.js", "NestJS: nest build writes it")


def _nest_entry_file(root: Path) -> str:
    try:
        config = json.loads(read_text(root / "nest-cli.json") or "{}")
    except ValueError:
        config = {}
    entry = config.get("entryFile") if isinstance(config, dict) else None
    return entry if isinstance(entry, str) and re.fullmatch(r"[A-Za-z0-9_.-]+", entry) else "main"


def _fit_entrypoint(result: Detection, quiet: bool) -> None:
    """With a build script only the build output reaches the image (never an error: the user fixes the value):
    no word about the file node runs gives the output's index.js; a file outside the output is what the project
    runs, so the preset keeps it and drops the build stage. Both with a warning (``quiet``: the unread start
    script's warning already says what runs)."""
    if "build_script" not in result.values:
        return
    output = result.values.get("build_output", FIELDS["build_output"].default)
    entry = result.values.get("entrypoint")
    if entry is None:
        default = f"{output}/{FIELDS['entrypoint'].default}"
        if record(result, "node", "entrypoint", default, f"the build output {output}/ (no start script or main)") \
                and not quiet:
            result.warnings.append(f"no start script or main in package.json: assuming the build writes {default}, "
                                   "the file node runs; set entrypoint if it is another")
    elif not entry.startswith(f"{output}/"):
        # With a build stage the runtime gets only the build output: a file outside it cannot be served that
        # way. Keep what the project runs, without the build stage, and say so.
        result.values.pop("build_script", None)
        result.values.pop("build_output", None)
        result.notes.append(f"build_script: not used (the app runs {entry}, outside {output}/)")
        result.warnings.append(f"package.json has a build script, but the app runs {entry}, outside the build "
                               f"output {output}/, and with a build stage the image gets only {output}/: the "
                               "preset has no build_script; set build_script, build_output and entrypoint if "
                               "the built file is what runs")


def _detect_port(root: Path, result: Detection, start: StartCommand | None) -> None:
    if start is not None and start.port and start.entrypoint:
        if record(result, "node", "port", start.port, f"PORT={start.port} in the start script"):
            return
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
# Next.js


def _next_config(root: Path) -> tuple[str | None, bool]:
    """The app's next.config file, and whether it sets output: 'standalone'."""
    name = next((name for name in NEXT_CONFIGS if (root / name).is_file()), None)
    return name, bool(name and _NEXT_STANDALONE.search(read_text(root / name) or ""))


def next_output_warnings(root: Path, nextjs: str | None) -> list[str]:
    """`nextjs: standalone` for an app whose next.config does not ask for it: the build would fail late."""
    name, standalone = _next_config(root)
    if nextjs == "standalone" and not standalone:
        return [f"nextjs: standalone, but {name or 'the app has no next.config.js that'} does not set output: "
                "'standalone': `next build` will write no .next/standalone and the image build will fail; add it, "
                "or set nextjs: server"]
    return []


def _detect_next(root: Path, scripts: dict[str, str], result: Detection) -> bool:
    """A Next.js app: standalone or server output, its build script and port. False if it has no script
    that runs `next build` (then it is treated as a plain Node.js app, with a warning)."""
    build = next((name for name in ("build", *scripts) if "next build" in scripts.get(name, "")), None)
    if build is None:
        result.warnings.append("next is a dependency but no package.json script runs `next build`: not treated as "
                               "a Next.js app; add \"build\": \"next build\" and run dockgen detect again")
        return False
    config_name, standalone = _next_config(root)
    if standalone:
        record(result, "node", "nextjs", "standalone", f"output: 'standalone' in {config_name}")
    else:
        record(result, "node", "nextjs", "server", f"{config_name or 'no next.config'} without output: 'standalone'")
        result.warnings.append(f"Next.js without output: 'standalone': the image gets all production node_modules "
                               f"and runs next start; add output: 'standalone' to {config_name or 'next.config.js'} "
                               f"for the smallest image ({NEXT_SIZES}), then set nextjs: standalone")
    record(result, "node", "build_script", build, f"the {build} script {show(scripts[build])}")
    start = scripts.get("start", "")
    port = _NEXT_PORT.search(start)
    if port:
        record(result, "node", "port", port.group(1), f"the start script {show(start)}")
    return True
