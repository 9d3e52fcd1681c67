"""`dockgen new` on Python projects: the language from detection, then Python's questions only."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from generator import wizard
from generator.cli import cli
from generator.detect import detect
from generator.model import preset_from_mapping
from generator.render import render

from .test_wizard import CONFIRM, DOWN, ENTER, piped

APPS = Path(__file__).parent / "e2e" / "apps"


def project(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(APPS / name, tmp_path / name))


def test_all_defaults_come_from_detection(tmp_path: Path) -> None:
    root = project("python-uv-app", tmp_path)
    # language, package manager, Python, base, command, install_project, mirror, time zone, port
    with piped(ENTER * 9 + CONFIRM) as prompter:
        assert wizard.run_new(root, prompter=prompter) == 0
    assert prompter.asked[0].startswith("Language") or "anguage" in prompter.asked[0]
    assert len(prompter.asked) == 10 and prompter.rejections == [], prompter.asked
    assert not any("Node" in message or "yarn" in message for message in prompter.asked)
    expected = render(preset_from_mapping(detect(root).values, "t")).files
    assert (root / "Dockerfile").read_text() == expected["Dockerfile"]
    assert 'CMD ["uv-app"]' in expected["Dockerfile"]


def test_changed_answers_and_a_rejected_command(tmp_path: Path) -> None:
    root = project("python-pip-app", tmp_path)
    keys = (
        ENTER                                   # language: python (detected)
        + DOWN + DOWN + ENTER                   # package manager: pip -> uv
        + DOWN + ENTER                          # Python: 3.13 -> 3.14
        + DOWN + ENTER                          # base: slim -> alpine (distroless is disabled for 3.14)
        + "\x15" + "python main.py; rm -rf /" + ENTER   # command: rejected
        + "\x15" + "gunicorn --bind 0.0.0.0:8000 main:app" + ENTER
        + ENTER                                 # install_project: no
        + ENTER                                 # mirror: none
        + ENTER                                 # time zone: none
        + ENTER                                 # port
        + CONFIRM
    )
    with piped(keys) as prompter:
        assert wizard.run_new(root, prompter=prompter, save_preset=root / "dockgen.yaml") == 0
    assert any("not a plain command word" in r for r in prompter.rejections), prompter.rejections
    saved = yaml.safe_load((root / "dockgen.yaml").read_text())
    assert (saved["language"], saved["package_manager"], saved["python_version"], saved["base"]) == (
        "python", "uv", "3.14", "alpine")
    assert saved["command"] == ["gunicorn", "--bind", "0.0.0.0:8000", "main:app"]


def test_yes_takes_the_detected_python_preset(tmp_path: Path) -> None:
    root = project("python-poetry-app", tmp_path)
    result = CliRunner().invoke(cli, ["new", str(root), "--yes", "--save-preset", str(root / "dockgen.yaml")])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / "dockgen.yaml").read_text())
    assert (data["language"], data["package_manager"], data["install_project"]) == ("python", "poetry", True)
    assert "poetry export --only main" in (root / "Dockerfile").read_text()
