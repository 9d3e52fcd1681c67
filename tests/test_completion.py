"""Shell completion through the `dockgen` command, as bash, zsh and fish ask for it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generator.presets import builtin_presets


def complete(shell: str, words: str, cword: str | int) -> list[str]:
    env = {**os.environ, "_DOCKGEN_COMPLETE": f"{shell}_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    result = subprocess.run([sys.executable, "-m", "generator"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip("\n").splitlines()
    # zsh (and fish before click 8.5): type, value, help on three lines each; fish since click 8.5 and
    # bash: one "type,value<TAB>help" line each
    if shell == "zsh" or (shell == "fish" and lines and "\t" not in result.stdout):
        return [lines[i + 1] for i in range(0, len(lines), 3)]
    return [line.split(",", 1)[1].split("\t")[0] for line in lines if line]


def test_commands() -> None:
    assert complete("bash", "dockgen ", 1) == ["detect", "new", "presets", "render", "scaffold", "schema", "verify"]
    assert complete("bash", "dockgen sc", 1) == ["scaffold", "schema"]


def test_options() -> None:
    assert complete("bash", "dockgen render --s", 2) == ["--set", "--stdout"]
    assert "--check" in complete("zsh", "dockgen render x --", 3)


def test_builtin_preset_names_and_files() -> None:
    names = complete("bash", "dockgen render node-y", 2)
    assert names == [*(n for n in builtin_presets() if n.startswith("node-y")), "node-y"]  # last: "file" entry
    assert complete("bash", "dockgen presets node-p", 2) == ["node-pnpm-slim"]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_set_keys(shell: str) -> None:
    assert complete(shell, "dockgen render x --set ba", 4) == ["base="]
    assert complete(shell, "dockgen render x --set yarn", 4) == ["yarn_version="]


def test_set_values_of_keys_with_a_fixed_set() -> None:
    assert complete("zsh", "dockgen render x --set base=d", 4) == ["base=distroless"]
    assert complete("zsh", "dockgen render x --set base=s", 4) == ["base=slim", "base=scratch"]  # Node.js and Go
    assert complete("zsh", "dockgen render x --set lockfile=", 4) == ["lockfile=true", "lockfile=false"]
    assert complete("zsh", "dockgen render x --set port=", 4) == []


def test_fish_and_the_file_option() -> None:
    assert complete("fish", "dockgen render --set po", "po") == ["port="]
    assert complete("bash", "dockgen render x --stdout --file .d", 5) == [".dockerignore"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_activation_scripts(shell: str) -> None:
    env = {**os.environ, "_DOCKGEN_COMPLETE": f"{shell}_source"}
    result = subprocess.run([sys.executable, "-m", "generator"], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and "_DOCKGEN_COMPLETE" in result.stdout
