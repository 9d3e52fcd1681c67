"""The real `dockgen new` in a pseudo-terminal (pexpect): every question answered, files checked."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

pexpect = pytest.importorskip("pexpect")

PROJECTS = Path(__file__).parent / "fixtures" / "projects"
REPO = Path(__file__).resolve().parents[1]
ENTER, DOWN, UP, CLEAR, CTRL_C = "\r", "\x1b[B", "\x1b[A", "\x15", "\x03"


def spawn(*args: str):
    # PROMPT_TOOLKIT_NO_CPR: pexpect is no terminal emulator and never answers cursor-position requests
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "generator", "new", *args], cwd=str(REPO), env=env,
                          encoding="utf-8", timeout=20, dimensions=(40, 120))
    return child


def answer(child, question: str, keys: str) -> None:
    child.expect_exact(question)
    child.send(keys)


def test_new_in_a_terminal_answers_every_question(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(PROJECTS / "pnpm-ts", root)
    saved = tmp_path / "dockgen.yaml"
    child = spawn(str(root), "--save-preset", str(saved))
    answer(child, "Language of the app?", ENTER)
    answer(child, "Package manager?", ENTER)                       # pnpm (detected)
    answer(child, "Node.js version?", DOWN + ENTER)                # 24 -> 26
    answer(child, "Runtime base image?", DOWN + DOWN + ENTER)      # slim -> distroless
    answer(child, "npm registry mirror", DOWN + DOWN + ENTER)      # custom...
    answer(child, "Registry mirror URL", "http://mirror.example.com" + ENTER)
    child.expect_exact("plain http")                               # re-asked with the reason
    child.send(CLEAR + "https://mirror.example.com/npm/" + ENTER)
    answer(child, "Time zone the app runs in?", DOWN + ENTER)      # UTC
    answer(child, "Port the app listens on?", CLEAR + "9000" + ENTER)
    answer(child, "Entrypoint", ENTER)                             # out/server.js (detected)
    answer(child, "Build script", ENTER)                           # build (detected)
    answer(child, "Directory the build writes", ENTER)             # out (from tsconfig.json)
    child.expect_exact("Files:")
    child.expect_exact("(new)")
    answer(child, "Write these files?", "y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    dockerfile = (root / "Dockerfile").read_text()
    assert "FROM gcr.io/distroless/nodejs26-debian13:nonroot AS runtime" in dockerfile
    assert "TZ=UTC" in dockerfile and "PORT=9000" in dockerfile
    assert "pnpm run build" in dockerfile
    assert (root / ".dockerignore").is_file()
    assert yaml.safe_load(saved.read_text()) == {
        "language": "node", "package_manager": "pnpm", "node_version": 26, "base": "distroless",
        "registry_mirror": "https://mirror.example.com/npm/", "timezone": "UTC", "port": 9000,
        "entrypoint": "out/server.js", "build_script": "build", "build_output": "out",
    }


def test_ctrl_c_in_a_terminal_aborts_with_130(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(PROJECTS / "npm-lock", root)
    before = sorted(p.name for p in root.iterdir())
    child = spawn(str(root))
    answer(child, "Language of the app?", ENTER)
    answer(child, "Package manager?", CTRL_C)
    child.expect_exact("aborted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert sorted(p.name for p in root.iterdir()) == before
