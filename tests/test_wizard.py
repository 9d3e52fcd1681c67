"""`dockgen new`, driven in-process through a prompt_toolkit pipe input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from generator.errors import UserError
from generator import wizard
from generator.cli import cli
from generator.model import preset_from_mapping
from generator.render import render

PROJECTS = Path(__file__).parent / "fixtures" / "projects"
REPO = Path(__file__).resolve().parents[1]

ENTER, DOWN, UP, CLEAR, CTRL_C = "\r", "\x1b[B", "\x1b[A", "\x15", "\x03"
#: language, package manager, Node.js, base, mirror, time zone, port, entrypoint, build script
ALL_DEFAULTS = ENTER * 9
CONFIRM = ENTER


class RecordingPrompter(wizard.Prompter):
    """The real questionary prompter, recording the messages and every validation verdict."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked: list[str] = []
        self.rejections: list[str] = []

    def select(self, message, choices, default):
        self.asked.append(message)
        return super().select(message, choices, default)

    def confirm(self, message, default):
        self.asked.append(message)
        return super().confirm(message, default)

    def text(self, message, default, validate, instruction=None):
        self.asked.append(message)

        def recording(value):
            verdict = validate(value)
            if verdict is not True:
                self.rejections.append(verdict)
            return verdict

        return super().text(message, default, recording, instruction)


@contextmanager
def piped(keys: str) -> Iterator[RecordingPrompter]:
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        yield RecordingPrompter(input=pipe, output=DummyOutput())


def project(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(PROJECTS / name, target)
    return target


def add_script(root: Path, name: str, command: str) -> None:
    """Declare a script in the project's package.json (the wizard accepts only declared build scripts)."""
    pkg = json.loads((root / "package.json").read_text())
    pkg.setdefault("scripts", {})[name] = command
    (root / "package.json").write_text(json.dumps(pkg))


def files_in(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()}


def test_all_defaults_come_from_detection(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)
    with piped(ALL_DEFAULTS + CONFIRM) as prompter:
        assert wizard.run_new(root, prompter=prompter) == 0
    expected = render(preset_from_mapping({"port": 8080, "entrypoint": "server.js"}, "t")).files
    assert (root / "Dockerfile").read_text() == expected["Dockerfile"]
    assert (root / ".dockerignore").read_text() == expected[".dockerignore"]
    assert len(prompter.asked) == 10 and prompter.rejections == []


def test_every_answer_changed_bad_values_reasked_and_saved_preset_reproduces(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)
    add_script(root, "compile", "tsc")  # not `build`, which detection would pick up as the default
    saved = tmp_path / "ci" / "dockgen.yaml"
    keys = (
        ENTER                                   # language: node
        + DOWN + ENTER                          # package manager: npm -> yarn
        + DOWN + ENTER                          # yarn: 1 -> 4 (berry)
        + UP + ENTER                            # Node.js: 24 -> 22
        + DOWN + DOWN + ENTER                   # base: slim -> distroless
        + DOWN + ENTER                          # mirror: npmmirror
        + DOWN * 7 + ENTER                      # time zone: custom...
        + "Mars/Olympus" + ENTER                # rejected: not a time zone
        + CLEAR + "Europe/Paris" + ENTER
        + CLEAR + "99999" + ENTER               # port: rejected, out of range
        + CLEAR + "8081" + ENTER
        + CLEAR + "dist/main.js" + ENTER        # entrypoint
        + "no spaces" + ENTER                   # build script: rejected
        + CLEAR + "build" + ENTER               # rejected: not a script in package.json
        + CLEAR + "compile" + ENTER
        + CLEAR + "../out" + ENTER              # build output: rejected
        + CLEAR + "dist" + ENTER
        + CONFIRM
    )
    with piped(keys) as prompter:
        assert wizard.run_new(root, save_preset=saved, prompter=prompter) == 0
    assert [r.split(":")[0] for r in prompter.rejections] == ["timezone", "port", "build_script", "build_script",
                                                              "build_output"]
    assert "build is not a script in package.json; allowed: start, compile, or empty" in prompter.rejections[3]
    assert "out of range; allowed: 1-65535" in prompter.rejections[1]

    data = yaml.safe_load(saved.read_text())
    assert data == {
        "language": "node", "package_manager": "yarn", "yarn_version": 4, "node_version": 22,
        "base": "distroless", "registry_mirror": "https://registry.npmmirror.com", "timezone": "Europe/Paris",
        "port": 8081, "entrypoint": "dist/main.js", "build_script": "compile",
        "lockfile": False,  # npm-lock has package-lock.json but no yarn.lock
    }
    # CI reproduces exactly the same files from the saved preset
    out = tmp_path / "reproduced"
    result = CliRunner().invoke(cli, ["render", str(saved), "-o", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("Dockerfile", ".dockerignore"):
        assert (out / name).read_text() == (root / name).read_text()
    check = CliRunner().invoke(cli, ["render", str(saved), "-o", str(root), "--check"])
    assert check.exit_code == 0, check.output


def test_preset_prefills_answers_over_detection(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)
    preset = tmp_path / "team.yaml"
    preset.write_text("language: node\npackage_manager: npm\nnode_version: 22\nbase: alpine\ntimezone: Asia/Shanghai\n")
    saved = tmp_path / "saved.yaml"
    with piped(ALL_DEFAULTS + CONFIRM) as prompter:
        assert wizard.run_new(root, preset_ref=str(preset), save_preset=saved, prompter=prompter) == 0
    data = yaml.safe_load(saved.read_text())
    assert data["base"] == "alpine" and data["timezone"] == "Asia/Shanghai" and data["node_version"] == 22
    assert data["port"] == 8080 and data["entrypoint"] == "server.js"  # from detection


def test_ctrl_c_writes_nothing_and_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project("npm-lock", tmp_path)
    before = files_in(root)
    for keys in (ENTER + ENTER + CTRL_C, ALL_DEFAULTS + CTRL_C):  # mid-way, and at the final confirmation
        with piped(keys) as prompter:
            monkeypatch.setattr(wizard, "make_prompter", lambda: prompter)
            monkeypatch.setattr(wizard, "stdin_is_tty", lambda: True)
            result = CliRunner().invoke(cli, ["new", str(root), "--save-preset", str(root / "p.yaml")])
        assert result.exit_code == 130, result.output
        assert "aborted" in result.stderr
        assert files_in(root) == before


def test_declining_writes_nothing(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)
    before = files_in(root)
    with piped(ALL_DEFAULTS + "n") as prompter:
        assert wizard.run_new(root, prompter=prompter) == wizard.EXIT_DECLINED
    assert files_in(root) == before


def test_existing_files_need_confirmation_or_force(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)
    (root / "Dockerfile").write_text("FROM scratch\n")
    with piped(ALL_DEFAULTS + ENTER) as prompter:  # "Overwrite ...?" defaults to No
        assert wizard.run_new(root, prompter=prompter) == wizard.EXIT_DECLINED
    assert (root / "Dockerfile").read_text() == "FROM scratch\n"
    assert not (root / ".dockerignore").exists()
    assert any(m.startswith("Overwrite") for m in prompter.asked)

    with piped(ALL_DEFAULTS + "y" + CONFIRM) as prompter:
        assert wizard.run_new(root, prompter=prompter) == 0
    assert (root / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1")

    (root / "Dockerfile").write_text("FROM scratch\n")
    with piped(ALL_DEFAULTS + CONFIRM) as prompter:
        assert wizard.run_new(root, force=True, prompter=prompter) == 0
    assert not any(m.startswith("Overwrite") for m in prompter.asked)
    assert (root / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1")


def test_alpine_choice_is_labelled_and_warned_for_native_addons(tmp_path: Path, capsys) -> None:
    root = project("npm-native", tmp_path)
    with piped(ENTER * 3 + DOWN + ENTER + ENTER * 5 + CONFIRM) as prompter:  # base: slim -> alpine
        assert wizard.run_new(root, prompter=prompter) == 0
    assert "node:24-alpine" in (root / "Dockerfile").read_text()
    err = capsys.readouterr().err
    assert "native addons: bcrypt" in err and "base: alpine" in err


def test_yes_needs_no_terminal_and_accepts_defaults(tmp_path: Path) -> None:
    root = project("yarn-classic", tmp_path)
    result = CliRunner().invoke(cli, ["new", str(root), "--yes", "--save-preset", str(root / "dockgen.yaml")])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / "dockgen.yaml").read_text())
    assert data["package_manager"] == "yarn" and data["yarn_version"] == 1 and data["node_version"] == 22
    assert "yarn install --frozen-lockfile" in (root / "Dockerfile").read_text()


def test_yes_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)
    (root / ".dockerignore").write_text("keep\n")
    result = CliRunner().invoke(cli, ["new", str(root), "--yes"])
    assert result.exit_code == 2
    assert "already exist" in result.stderr and "--force" in result.stderr
    assert not (root / "Dockerfile").exists() and (root / ".dockerignore").read_text() == "keep\n"
    assert CliRunner().invoke(cli, ["new", str(root), "--yes", "--force"]).exit_code == 0
    assert (root / "Dockerfile").exists()


def test_bad_preset_file_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: tiny\n")
    result = CliRunner().invoke(cli, ["new", str(root), "--yes", "--preset", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: {bad}: base: 'tiny' is not allowed; allowed: full, slim, alpine, distroless"]
    assert not (root / "Dockerfile").exists()


def test_no_terminal_is_one_line_exit_2_nothing_written(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)
    before = files_in(root)
    result = subprocess.run([sys.executable, "-m", "generator", "new", str(root)], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "dockgen render PRESET" in lines[0] and "dockgen new --yes" in lines[0]
    assert result.stdout == ""
    assert files_in(root) == before


def test_a_build_script_reasks_an_entrypoint_outside_its_output(tmp_path: Path) -> None:
    """The runtime gets only the build output: the wizard asks for a file in it instead of failing at the end."""
    root = project("npm-lock", tmp_path)
    add_script(root, "compile", "tsc")
    keys = (
        ENTER * 8                              # language .. entrypoint: detected defaults (server.js)
        + "compile" + ENTER                    # build script
        + ENTER                                # build output: dist
        + CLEAR + "server.js" + ENTER          # entrypoint inside dist/: rejected
        + CLEAR + "dist/server.js" + ENTER
        + CONFIRM
    )
    with piped(keys) as prompter:
        assert wizard.run_new(root, prompter=prompter) == 0
    assert len(prompter.rejections) == 1 and "allowed: a file under dist/" in prompter.rejections[0]
    assert 'CMD ["node", "dist/server.js"]' in (root / "Dockerfile").read_text()


def test_yes_with_existing_files_refuses_before_promising_to_write(tmp_path: Path, capsys) -> None:
    root = project("npm-lock", tmp_path)
    (root / "Dockerfile").write_text("FROM scratch\n")
    with pytest.raises(UserError, match=r"Dockerfile already exists; use --force to overwrite"):
        wizard.run_new(root, yes=True)
    assert "will be overwritten" not in capsys.readouterr().out
    assert (root / "Dockerfile").read_text() == "FROM scratch\n"
    assert wizard.run_new(root, yes=True, force=True) == 0
    assert "exists, will be overwritten" in capsys.readouterr().out


def test_the_summary_shows_the_build_output_even_at_its_default() -> None:
    from generator.languages.node.wizard import summary_rows
    from generator.model import preset_from_mapping

    rows = dict(summary_rows(preset_from_mapping({"build_script": "build", "entrypoint": "dist/a.js"}, "t")))
    assert rows["build_output"] == "dist"
    assert "build_output" not in dict(summary_rows(preset_from_mapping({}, "t")))
