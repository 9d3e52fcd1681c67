"""`dockgen render` with several presets (a monorepo), stdin, --file, and `dockgen presets NAME`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import load_preset, render
from generator.cli import cli


def run(*args: str, cwd: Path, stdin: str | None = None) -> Result:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), prog_name="dockgen", input=stdin)
    finally:
        os.chdir(old)


def monorepo(root: Path) -> dict[str, Path]:
    services = {"api": "base: slim\n", "web": "package_manager: pnpm\nport: 8080\n", "jobs": "base: distroless\n"}
    presets = {}
    for name, text in services.items():
        (root / "services" / name).mkdir(parents=True)
        presets[name] = root / "services" / name / "dockgen.yaml"
        presets[name].write_text(text)
    return presets


def test_each_preset_renders_into_its_own_directory(tmp_path: Path) -> None:
    presets = monorepo(tmp_path)
    result = run("render", *(str(p.relative_to(tmp_path)) for p in presets.values()), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    for name, preset in presets.items():
        expected = render(load_preset(str(preset))).files
        for file, text in expected.items():
            assert (preset.parent / file).read_text() == text, (name, file)
    assert not (tmp_path / "Dockerfile").exists()
    assert result.stdout.count("wrote ") == 6


def test_check_reports_every_drifted_service_one_line_each(tmp_path: Path) -> None:
    presets = monorepo(tmp_path)
    refs = [str(p.relative_to(tmp_path)) for p in presets.values()]
    assert run("render", *refs, cwd=tmp_path).exit_code == 0
    assert run("render", "--check", *refs, cwd=tmp_path).exit_code == 0
    presets["api"].write_text("base: full\n")
    (presets["jobs"].parent / ".dockerignore").unlink()
    result = run("render", "--check", *refs, cwd=tmp_path)
    assert result.exit_code == 1
    drift_lines = [line for line in result.stderr.splitlines() if line.startswith("drift: ")]
    assert len(result.stderr.splitlines()) == 2
    assert [line.split()[1] for line in drift_lines] == ["services/api", "services/jobs"]
    assert "up to date: services/web/Dockerfile, services/web/.dockerignore" in result.stdout
    assert "FROM node:24 AS runtime" in result.stdout and ".dockerignore (missing)" in result.stdout


def test_a_bad_preset_among_many_writes_nothing(tmp_path: Path) -> None:
    presets = monorepo(tmp_path)
    presets["web"].write_text("port: 0\n")
    presets["jobs"].write_text("bsae: slim\n")
    result = run("render", *(str(p) for p in presets.values()), cwd=tmp_path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "web/dockgen.yaml: port:" in lines[0]
    assert not any((p.parent / "Dockerfile").exists() for p in presets.values())


def test_existing_files_in_any_directory_stop_the_whole_batch(tmp_path: Path) -> None:
    presets = monorepo(tmp_path)
    (presets["web"].parent / "Dockerfile").write_text("FROM scratch\n")
    result = run("render", *(str(p) for p in presets.values()), cwd=tmp_path)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert not (presets["api"].parent / "Dockerfile").exists()
    assert run("render", "--force", *(str(p) for p in presets.values()), cwd=tmp_path).exit_code == 0


@pytest.mark.parametrize(("args", "fragment"), [
    (("a.yaml", "b.yaml", "-o", "out"), "-o/--output-dir takes one preset"),
    (("a.yaml", "b.yaml", "--stdout"), "--stdout prints one preset's file"),
    (("-", "-"), "'-' (stdin) can be given once"),
    (("node-npm-slim", "--file", ".dockerignore"), "--file only chooses what --stdout prints"),
    (("node-npm-slim", "--stdout", "--file", "compose.yaml"), "--file: 'compose.yaml' is not a file this preset"),
    (("node-npm-slim", "node-pnpm-slim"), "renders into ., as node-npm-slim does"),
])
def test_argument_combinations_that_make_no_sense(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    result = run("render", *args, cwd=tmp_path)
    assert result.exit_code == 2 and fragment in result.stderr, result.output
    assert list(tmp_path.iterdir()) == []


def test_stdin_preset(tmp_path: Path) -> None:
    result = run("render", "-", "--stdout", cwd=tmp_path, stdin="package_manager: yarn\nport: 4000\n")
    assert result.exit_code == 0
    assert result.stdout == render(load_preset("node-yarn-slim", ["port=4000"])).files["Dockerfile"]
    bad = run("render", "-", "--stdout", cwd=tmp_path, stdin="port: nope\n")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: <stdin>: port: ")
    written = run("render", "-", cwd=tmp_path, stdin="base: alpine\n")
    assert written.exit_code == 0 and (tmp_path / "Dockerfile").exists()


def test_stdout_file_prints_the_dockerignore(tmp_path: Path) -> None:
    result = run("render", "node-npm-slim", "--stdout", "--file", ".dockerignore", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout == render(load_preset("node-npm-slim")).files[".dockerignore"]


def test_presets_name_prints_the_builtin_preset(tmp_path: Path) -> None:
    result = run("presets", "node-pnpm-slim", cwd=tmp_path)
    assert result.exit_code == 0
    (tmp_path / "p.yaml").write_text(result.stdout)
    assert load_preset(str(tmp_path / "p.yaml")) == load_preset("node-pnpm-slim")
    unknown = run("presets", "node-nope", cwd=tmp_path)
    assert unknown.exit_code == 2 and "did you mean 'node-npm-alpine'" in unknown.stderr
