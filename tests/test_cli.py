"""`dockgen render` and `dockgen presets`: files written, drift gate, and user errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import builtin_presets, load_preset, render
from generator import output as output_module
from generator.cli import cli

PRESET = "node-npm-slim"


def run(*args: str, cwd: Path | None = None) -> Result:
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), prog_name="dockgen")
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), prog_name="dockgen")
    finally:
        os.chdir(old)


def assert_user_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_render_writes_both_files(tmp_path: Path) -> None:
    result = run("render", PRESET, "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    files = render(load_preset(PRESET)).files
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dockerignore", "Dockerfile"]
    for name, text in files.items():
        assert (tmp_path / name).read_text() == text


def test_render_into_current_directory(tmp_path: Path) -> None:
    assert run("render", PRESET, cwd=tmp_path).exit_code == 0
    assert (tmp_path / "Dockerfile").exists() and (tmp_path / ".dockerignore").exists()


def test_existing_files_need_force(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    result = run("render", PRESET, "-o", str(tmp_path))
    assert_user_error(result, "Dockerfile", "--force")
    assert (tmp_path / "Dockerfile").read_text() == "FROM scratch\n"
    assert not (tmp_path / ".dockerignore").exists(), "nothing is written when one file clashes"
    assert run("render", PRESET, "-o", str(tmp_path), "--force").exit_code == 0
    assert (tmp_path / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1")


def test_stdout_prints_the_dockerfile_and_writes_nothing(tmp_path: Path) -> None:
    result = run("render", PRESET, "--stdout", "-o", str(tmp_path))
    assert result.exit_code == 0
    assert result.stdout == render(load_preset(PRESET)).files["Dockerfile"]
    assert list(tmp_path.iterdir()) == []


def test_check_is_a_drift_gate(tmp_path: Path) -> None:
    missing = run("render", PRESET, "--check", "-o", str(tmp_path))
    assert missing.exit_code == 1 and "(missing)" in missing.stdout
    assert list(tmp_path.iterdir()) == []
    run("render", PRESET, "-o", str(tmp_path))
    same = run("render", PRESET, "--check", "-o", str(tmp_path))
    assert same.exit_code == 0, same.output
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("USER 1000:1000", "USER root"))
    drifted = run("render", PRESET, "--check", "-o", str(tmp_path))
    assert drifted.exit_code == 1
    assert "-USER root" in drifted.stdout and "+USER 1000:1000" in drifted.stdout
    assert "USER root" in dockerfile.read_text(), "--check writes nothing"
    other = run("render", PRESET, "--check", "-o", str(tmp_path), "--set", "port=8080")
    assert other.exit_code == 1 and "+EXPOSE 8080" in other.stdout


def test_set_overrides_keys(tmp_path: Path) -> None:
    result = run("render", PRESET, "--stdout", "--set", "port=8080", "--set", "timezone=Europe/Berlin",
                 "--set", "base=distroless")
    assert result.exit_code == 0, result.output
    assert "EXPOSE 8080" in result.stdout and "TZ=Europe/Berlin" in result.stdout
    assert 'CMD ["index.js"]' in result.stdout


@pytest.mark.parametrize(("yaml_text", "fragments"), [
    ("base: [slim\n", ("bad.yaml", "line", "invalid YAML")),
    ("base: slim\nbase: full\n", ("bad.yaml", "duplicate key 'base'")),
    ("- npm\n", ("bad.yaml", "mapping")),
    ("bsae: slim\n", ("bad.yaml", "bsae", "did you mean 'base'", "allowed:")),
    ("base: distroless\nnode_version: 25\n", ("bad.yaml", "node_version", "allowed: 22, 24, 26")),
    ("entrypoint: \"index.js\\nUSER root\"\n", ("bad.yaml", "entrypoint", "allowed")),
    ("timezone: Mars/Olympus\n", ("bad.yaml", "timezone", "IANA")),
])
def test_bad_preset_files_are_one_line_user_errors(tmp_path: Path, yaml_text: str, fragments: tuple[str, ...]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml_text)
    out = tmp_path / "out"
    result = run("render", str(bad), "-o", str(out))
    assert_user_error(result, *fragments)
    assert not out.exists(), "nothing is written on a user error"


@pytest.mark.parametrize(("args", "fragments"), [
    (("render", "no-such-preset"), ("no-such-preset", "built-in presets:", PRESET)),
    (("render", "missing.yaml"), ("missing.yaml", "no such preset file")),
    (("render", PRESET, "--set", "port"), ("--set", "KEY=VALUE")),
    (("render", PRESET, "--set", "port=http"), ("--set", "port", "whole number")),
    (("render", PRESET, "--set", "colour=blue"), ("--set", "colour", "unknown key")),
    (("render", PRESET, "--stdout", "--check"), ("--stdout and --check",)),
])
def test_bad_arguments_are_one_line_user_errors(tmp_path: Path, args: tuple[str, ...],
                                                fragments: tuple[str, ...]) -> None:
    result = run(*args, cwd=tmp_path)
    assert_user_error(result, *fragments)
    assert list(tmp_path.iterdir()) == []


def test_warnings_go_to_stderr_and_do_not_fail(tmp_path: Path) -> None:
    result = run("render", PRESET, "--stdout", "--set", "registry_mirror=https://registry.npm.taobao.org/")
    assert result.exit_code == 0
    assert "warning: registry_mirror" in result.stderr and "https://registry.npmmirror.com" in result.stderr


def test_presets_lists_every_builtin_with_a_description() -> None:
    result = run("presets")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(builtin_presets())
    for name, line in zip(sorted(builtin_presets()), lines, strict=True):
        assert line.startswith(name) and len(line.split(None, 1)) == 2


def test_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing leaves the old files untouched and no temporary file behind."""
    (tmp_path / "Dockerfile").write_text("old\n")
    real_fsync = os.fsync
    calls = []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(output_module.os, "fsync", failing_fsync)
    result = run("render", PRESET, "-o", str(tmp_path), "--force")
    assert_user_error(result, "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"]
    assert (tmp_path / "Dockerfile").read_text() == "old\n"


def test_the_installed_command_runs(tmp_path: Path) -> None:
    """The real process: exit codes and streams as a shell sees them."""
    proc = subprocess.run([sys.executable, "-m", "generator", "render", "nope"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


@pytest.mark.parametrize(("args", "fragments"), [
    (("render",), ("Missing argument 'PRESET'", "dockgen render --help")),
    (("rendr", "x"), ("No such command 'rendr'", "Did you mean 'render'")),
    (("render", PRESET, "--port", "3"), ("No such option '--port'",)),
])
def test_usage_errors_are_one_line_too(tmp_path: Path, args: tuple[str, ...], fragments: tuple[str, ...]) -> None:
    result = run(*args, cwd=tmp_path)
    assert_user_error(result, *fragments)
    assert list(tmp_path.iterdir()) == []


def test_unreadable_targets_are_user_errors(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    assert_user_error(run("render", PRESET, "--check", "-o", str(tmp_path / "afile")), "Not a directory")
    (tmp_path / "d" / "Dockerfile").mkdir(parents=True)
    assert_user_error(run("render", PRESET, "--check", "-o", str(tmp_path / "d")), "Is a directory")
    assert_user_error(run("render", PRESET, "--force", "-o", str(tmp_path / "d")), "is a directory")
    (tmp_path / "latin1" ).mkdir()
    (tmp_path / "latin1" / "Dockerfile").write_bytes(b"FROM caf\xe9\n")
    assert_user_error(run("render", PRESET, "--check", "-o", str(tmp_path / "latin1")), "cannot read it")
    assert_user_error(run("detect", str(tmp_path / "nope")), "not a directory")


def test_set_reads_digits_as_a_number_not_yaml_octal() -> None:
    result = run("render", PRESET, "--stdout", "--set", "port=010")
    assert result.exit_code == 0 and "EXPOSE 10\n" in result.stdout


@pytest.mark.parametrize(("item", "value"), [
    ("description=hello: world", "hello: world"),   # YAML would read a mapping: it is text
    ("description=[draft] api", "[draft] api"),    # YAML would read a list (and fail): text
    ("description='quoted'", "quoted"),            # a YAML scalar is still read as YAML
    ("port=8080", "8080"),
    ("lockfile=false", False),
    ("registry_mirror=", None),                    # empty unsets
    ("description=a\nb", "a\nb"),                   # not folded into "a b": the model refuses it
])
def test_set_values_are_yaml_scalars_or_else_text(item: str, value: object) -> None:
    from generator.presets import parse_overrides

    key = item.partition("=")[0]
    assert parse_overrides([item]) == {key: value}


def test_bare_dockgen_prints_a_usage_line() -> None:
    result = run()
    assert result.exit_code == 2
    assert result.stderr.startswith("usage: dockgen COMMAND") and "error" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
