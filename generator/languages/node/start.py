"""Reading a package.json start script: what dockgen can keep of it in an exec-form CMD, and why not.

:func:`read_start` understands ``[cross-env] [VAR=value ...] node [flags] FILE``: the assignments become
the preset's ``env`` (``PORT`` its ``port``), the flags its ``node_options`` (values after ``-r``,
``--import``, ... included) and FILE its ``entrypoint`` (``dist/main`` is ``dist/main.js``, as node resolves
it). Dev-time runners (ts-node, tsx, nodemon, ...) and anything else are reported with the reason, so the
detector can warn, quoting the script, and say what it used instead. Pure: a string in, a result out.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from ...errors import InvalidValue
from .model import RESERVED_ENV, VALUE_FLAGS, _env, _node_options

#: Runners that compile or watch at run time, with the production alternative dockgen suggests.
DEV_RUNNERS = {
    "ts-node": "compile with a build step (tsc) and run node on its output",
    "ts-node-dev": "compile with a build step (tsc) and run node on its output",
    "tsx": "compile with a build step (tsc, or a bundler such as esbuild) and run node on its output",
    "nodemon": "run node on the file directly: nodemon restarts on file changes, which an image never has",
    "node-dev": "run node on the file directly: node-dev restarts on file changes, which an image never has",
    "babel-node": "compile with a build step (babel --out-dir dist) and run node on its output",
    "nest": "run the built file: `nest build` in the build script, then `node dist/main` (start:prod)",
    "vite-node": "compile with a build step and run node on its output",
}
_SHELL_OPERATORS = ("&&", "||", ";", "|", "&", ">", ">>", "<", "2>&1")
_JS_SUFFIXES = (".js", ".mjs", ".cjs")


@dataclass
class StartCommand:
    """What :func:`read_start` made of a start script."""

    script: str
    #: The file node runs, as written (``./`` removed), with ``.js`` added where node would add it.
    entrypoint: str | None = None
    node_options: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    port: str | None = None
    #: Notes: how something was read (``dist/main`` -> ``dist/main.js``).
    notes: list[str] = field(default_factory=list)
    #: Why (part of) the script cannot be kept; empty when it was read completely.
    problems: list[str] = field(default_factory=list)
    #: The dev-time runner the script uses, if any.
    runner: str | None = None
    #: The program the script runs instead of node (``next``, ``npm``, ...), if any.
    program: str | None = None


def _clean(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/")


def read_start(script: str) -> StartCommand:
    """Read ``script`` (a package.json scripts entry)."""
    result = StartCommand(script=script)
    try:
        words = shlex.split(script, comments=False, posix=True)
    except ValueError as exc:
        result.problems.append(f"it cannot be split into words ({exc})")
        return result
    if any(word in _SHELL_OPERATORS for word in words) or any(ch in script for ch in "`$();|&<>"):
        result.problems.append("it is a shell command line (operators, substitutions or redirections), not one "
                               "node command")
        return result
    if words[:1] in (["cross-env"], ["env"]):
        words = words[1:]
    assignments = []
    while words and "=" in words[0] and not words[0].startswith("-"):
        assignments.append(words.pop(0))
    _read_env(assignments, result)
    if not words:
        result.problems.append("it runs no program")
        return result
    program = words[0].rsplit("/", 1)[-1]
    if program in DEV_RUNNERS:
        result.runner = program
        result.problems.append(f"{program} is a development runner; for production, {DEV_RUNNERS[program]}")
        return result
    if program not in ("node", "nodejs"):
        result.program = program
        result.problems.append(f"it runs {program}, not node")
        return result
    _read_node(words[1:], result)
    return result


def _read_env(assignments: list[str], result: StartCommand) -> None:
    kept = []
    for item in assignments:
        name, _, value = item.partition("=")
        if name == "PORT":
            result.port = value
        elif name == "NODE_ENV":
            result.notes.append(f"{item} in the start script: the image sets NODE_ENV=production")
        elif name in RESERVED_ENV:
            result.problems.append(f"{item} is not kept ({RESERVED_ENV[name]})")
        else:
            try:
                kept.extend(_env([item]))
            except InvalidValue as exc:
                result.problems.append(f"{item} is not kept: {exc}")
    result.env = tuple(kept)


def _read_node(args: list[str], result: StartCommand) -> None:
    flags: list[str] = []
    rest = list(args)
    while rest and rest[0].startswith("-"):
        flag = [rest.pop(0)]
        if flag[0] in VALUE_FLAGS and rest:
            flag.append(rest.pop(0))
        if flag[0].split("=", 1)[0] == "--env-file":
            result.problems.append(f"{' '.join(flag)} is not kept: .dockerignore keeps .env files out of the image "
                                   "and node stops when the file is missing; set the variables with env, or at run "
                                   "time")
            continue
        flags.extend(flag)
    if not rest:
        result.problems.append("node is given no file to run")
        return
    target, extra = _clean(rest[0]), rest[1:]
    if extra:
        result.problems.append(f"the arguments after the file ({' '.join(extra)}) are not kept")
    try:
        result.node_options = _node_options(flags)
    except InvalidValue as exc:
        result.problems.append(f"its node flags ({' '.join(flags)}) are not kept: {exc}")
    if target in ("", "."):
        result.notes.append("node runs the package's main")
        return
    if not target.endswith(_JS_SUFFIXES):
        result.notes.append(f"node resolves {target} to {target}.js")
        target += ".js"
    result.entrypoint = target
