"""The fast `dockgen render` path: it parses exactly as click would, and loads neither click nor PyYAML."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from generator import entry
from generator.cli import cli

RENDER = cli.commands["render"]

WORDS = ["a.yaml", "-", "node-npm-slim", "-o", "out", "--output-dir", "--output-dir=out", "-o=out", "-oout",
         "--set", "port=1", "--set=port=1", "--stdout", "--stdout=x", "--check", "--force", "--file",
         ".dockerignore", "--file=Dockerfile", "--help", "-h", "--", "--unknown", "--che", "-"]


def corpus() -> list[list[str]]:
    lines = [["render", *words] for n in range(4) for words in itertools.product(WORDS, repeat=n)]
    return [*lines, [], ["presets"], ["--version"], ["render"]]


def click_params(args: list[str]) -> dict[str, object] | None:
    try:
        ctx = RENDER.make_context("render", list(args[1:]), resilient_parsing=False)
    except (click.exceptions.Exit, click.UsageError, click.BadParameter):
        return None
    params = dict(ctx.params)
    params["presets"] = list(params["presets"])
    params["overrides"] = list(params["overrides"])
    params["output_dir"] = None if params["output_dir"] is None else str(params["output_dir"])
    return params


def test_the_fast_parser_knows_the_options_click_declares() -> None:
    declared = {opt: param.name for param in RENDER.params if isinstance(param, click.Option) for opt in param.opts}
    fast = {**entry.FLAGS, **entry.VALUES, **entry.MULTIPLE}
    hidden = {"--help", "-h"}
    assert {k: v for k, v in declared.items() if k not in hidden} == fast
    for opt, name in entry.FLAGS.items():
        assert next(p for p in RENDER.params if p.name == name).is_flag, opt
    for opt, name in entry.MULTIPLE.items():
        assert next(p for p in RENDER.params if p.name == name).multiple, opt


def test_every_line_the_fast_parser_takes_click_parses_the_same() -> None:
    taken = 0
    for args in corpus():
        fast = entry.parse_render(args)
        if fast is None:
            continue
        taken += 1
        assert fast == click_params(args), args
    assert taken > 1000  # the corpus exercises the fast path, not only the bail-outs


@pytest.mark.parametrize("args", [["render", "x.yaml", "--help"], ["render", "x.yaml", "--stdout=x"],
                                  ["render", "-o"], ["render", "--set", "--check", "x"], ["detect"], ["render"]])
def test_anything_unusual_goes_to_click(args: list[str]) -> None:
    assert entry.parse_render(args) is None


def run_dockgen(*args: str, cwd: Path | None = None, stdin: str | None = None,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd,
                          input=stdin, env=env)


def test_render_stdout_loads_neither_click_nor_yaml(tmp_path: Path) -> None:
    preset = tmp_path / "dockgen.yaml"
    preset.write_text("package_manager: pnpm\nbase: distroless\ntimezone: Asia/Shanghai\n")
    probe = ("import runpy, sys, json\n"
             "sys.argv = ['dockgen', 'render', sys.argv[1], '--stdout']\n"
             "try:\n    runpy.run_module('generator', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", probe, str(preset)], capture_output=True, text=True)
    assert "FROM " in result.stdout
    modules = set(json.loads(result.stderr.strip().splitlines()[-1]))
    for heavy in ("click", "yaml", "zoneinfo", "questionary", "cookiecutter", "prompt_toolkit", "generator.cli"):
        assert heavy not in modules, heavy


def test_fast_path_and_click_path_print_the_same(tmp_path: Path) -> None:
    from click.testing import CliRunner

    args = ["render", "node-pnpm-slim", "--set", "port=8080", "--stdout"]
    fast = run_dockgen(*args)
    slow = CliRunner().invoke(cli, args, prog_name="dockgen")
    assert fast.returncode == slow.exit_code == 0
    assert fast.stdout == slow.stdout


def test_fast_path_user_error_is_one_line(tmp_path: Path) -> None:
    result = run_dockgen("render", "node-npm-slim", "--set", "port=0", "--stdout")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "error: --set: port: 0 is out of range; allowed: 1-65535\n"
