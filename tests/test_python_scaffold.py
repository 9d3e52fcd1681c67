"""The Python cookiecutter template: plain cookiecutter and `dockgen scaffold` give a project whose
`dockgen render dockgen.yaml --check` passes straight away; bad answers leave nothing behind."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from generator.languages.python import model
from generator.model import preset_from_mapping
from generator.presets import load_preset
from generator.scaffold import PRESET_FILE, template_dir, validate_answers, variables

TEMPLATE = template_dir("python")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_cookiecutter_json_asks_exactly_the_scaffold_questions() -> None:
    config = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    assert config["_language"] == "python"
    assert [k for k in config if not k.startswith("_")] == list(variables("python"))
    prompts = config["__prompts__"]
    assert set(prompts) == set(variables("python"))
    for key, values in {"package_manager": model.PACKAGE_MANAGERS, "base": model.BASES,
                        "python_version": model.PYTHON_VERSIONS}.items():
        for value in values:
            assert value in prompts[key], (key, value)
    defaults = validate_answers({**config, "project_slug": "hello-service"})
    assert defaults.preset == preset_from_mapping({"language": "python", "description": config["description"]}, "x")


@pytest.mark.parametrize("pm", model.PACKAGE_MANAGERS)
def test_plain_cookiecutter_project_passes_render_check(tmp_path: Path, pm: str) -> None:
    made = run("-m", "cookiecutter", "--no-input", str(TEMPLATE), "project_name=Billing", f"package_manager={pm}",
               "base=distroless", "timezone=Europe/Berlin", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "billing"
    check = run("-m", "generator", "render", PRESET_FILE, "--check", cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr
    preset = load_preset(str(project / PRESET_FILE))
    assert (preset.language, preset.package_manager, preset.base) == ("python", pm, "distroless")
    assert (project / "requirements.txt").exists() == (pm == "pip")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "billing"
    if pm == "poetry":
        assert pyproject["tool"]["poetry"]["package-mode"] is False
    if pm == "uv":
        assert pyproject["tool"]["uv"]["package"] is False
    compile(( project / "main.py").read_text(), "main.py", "exec")


def test_plain_cookiecutter_refuses_a_bad_answer(tmp_path: Path) -> None:
    bad = run("-m", "cookiecutter", "--no-input", str(TEMPLATE), "base=distroless", "python_version=3.12", cwd=tmp_path)
    assert bad.returncode == 1
    assert "error: answers: python_version: Python 3.12 has no distroless image" in bad.stderr
    assert list(tmp_path.iterdir()) == []


def test_dockgen_scaffold_python(tmp_path: Path) -> None:
    made = run("-m", "generator", "scaffold", "--no-input", "--set", "language=python", "--set", "project_name=api",
               "--set", "command=python main.py", "--set", "port=8080", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    check = run("-m", "generator", "render", PRESET_FILE, "--check", cwd=tmp_path / "api")
    assert check.returncode == 0, check.stdout + check.stderr
    assert load_preset(str(tmp_path / "api" / PRESET_FILE)).port == 8080
    assert "8080" in (tmp_path / "api" / "main.py").read_text()
    bad = run("-m", "generator", "scaffold", "--no-input", "--set", "language=python", "--set", "node_version=24",
              cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.splitlines()[-1].startswith("error: --set: node_version:")


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not installed")
def test_install_dependencies_locks_with_uv(tmp_path: Path) -> None:
    made = run("-m", "generator", "scaffold", "--no-input", "--set", "language=python", "--set", "package_manager=uv",
               "--set", f"python_version={sys.version_info.major}.{sys.version_info.minor}",
               "--set", "install_dependencies=yes", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "hello-service" / "uv.lock").is_file()


def test_dockgen_scaffold_from_a_python_preset_keeps_its_command(tmp_path: Path) -> None:
    made = run("-m", "generator", "scaffold", "--no-input", "--preset", "python-uv-tuna-shanghai", "--set",
               "project_name=api", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    preset = load_preset(str(tmp_path / "api" / PRESET_FILE))
    assert preset.command == ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
    assert (preset.registry_mirror, preset.timezone, preset.index_secret) == (
        "https://pypi.tuna.tsinghua.edu.cn/simple", "Asia/Shanghai", True)
