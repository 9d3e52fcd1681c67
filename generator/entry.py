"""The `dockgen` command's entry point, with a fast path for the one command CI runs on every commit.

Importing click (and through it the rest of :mod:`generator.cli`) costs more than starting Python.
So a plain `dockgen render ...` — presets, ``-o``, ``--set``, ``--stdout``, ``--file``, ``--check``,
``--force`` in their ordinary spellings — is parsed here and runs :func:`generator.batch.render_presets`,
the same function the click command calls. Anything else (``--help``, a misspelt option, a missing
value, shell completion, any other command) goes to click, which parses everything and gives its own
messages. ``tests/test_entry.py`` checks that for every command line this parser accepts, click would
have produced the same parameters.
"""

from __future__ import annotations

import os
import sys
from typing import Any

#: The render command's options, as click declares them in :mod:`generator.cli` (a test compares).
FLAGS = {"--stdout": "to_stdout", "--check": "check", "--force": "force"}
VALUES = {"-o": "output_dir", "--output-dir": "output_dir", "--file": "stdout_file"}
MULTIPLE = {"--set": "overrides"}
COMPLETE_VAR = "_DOCKGEN_COMPLETE"


def parse_render(args: list[str]) -> dict[str, Any] | None:
    """The parameters of a plain `render` command line, or None when click should parse it."""
    if not args or args[0] != "render":
        return None
    params: dict[str, Any] = {"presets": [], "output_dir": None, "overrides": [], "to_stdout": False,
                              "stdout_file": None, "check": False, "force": False}
    seen: set[str] = set()
    rest = iter(args[1:])
    for arg in rest:
        if arg == "-" or not arg.startswith("-"):
            params["presets"].append(arg)
            continue
        name, eq, value = arg.partition("=")
        if name in FLAGS and not eq:
            params[FLAGS[name]] = True
            continue
        if name not in VALUES and name not in MULTIPLE or (eq and not name.startswith("--")):
            return None
        if not eq:
            value = next(rest, None)
            if value is None or value.startswith("-"):
                return None
        if name in MULTIPLE:
            params[MULTIPLE[name]].append(value)
        elif VALUES[name] in seen:
            return None
        else:
            seen.add(VALUES[name])
            params[VALUES[name]] = value
    return params if params["presets"] else None


def main() -> None:
    params = None if COMPLETE_VAR in os.environ else parse_render(sys.argv[1:])
    if params is None:
        from .cli import main as click_main

        click_main()
        return
    from pathlib import Path

    from .batch import render_presets
    from .console import guarded

    output_dir = params.pop("output_dir")
    params["output_dir"] = None if output_dir is None else Path(output_dir)

    def run() -> int:
        code = render_presets(**params)
        sys.stdout.flush()  # a closed or full stdout fails here, inside the guard, as one line
        return code

    sys.exit(guarded(run))


if __name__ == "__main__":
    main()
