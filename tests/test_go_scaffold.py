"""Go through every way in: `dockgen new` (wizard), `dockgen scaffold` and plain `cookiecutter`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.languages.go.model import BASES, GO_VERSIONS
from generator.model import preset_from_mapping
from generator.presets import load_preset
from generator.render import render
from generator.scaffold import PRESET_FILE, scaffold, template_dir, validate_answers, variables

from .test_wizard import CONFIRM, DOWN, ENTER, piped

TEMPLATE = template_dir("go")
MAIN = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":9090", nil) }\n'


def go_project(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    (root / "cmd" / "api").mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/svc\n\ngo 1.26\n\ntoolchain go1.26.2\n")
    (root / "cmd" / "api" / "main.go").write_text(MAIN)
    return root


# ---- dockgen new --------------------------------------------------------------------------------------


def test_wizard_defaults_come_from_go_detection(tmp_path: Path) -> None:
    from generator import wizard

    root = go_project(tmp_path)
    # language, Go version, cgo, base, package, module proxy, time zone, port
    with piped(ENTER * 8 + CONFIRM) as prompter:
        assert wizard.run_new(root, prompter=prompter) == 0
    expected = preset_from_mapping({"language": "go", "go_version": "1.26", "package": "./cmd/api", "port": 9090}, "t")
    assert (root / "Dockerfile").read_text() == render(expected).files["Dockerfile"]
    assert len(prompter.asked) == 9 and prompter.rejections == []


def test_wizard_cgo_forces_distroless_and_a_bad_package_is_reasked(tmp_path: Path) -> None:
    from generator import wizard

    root = go_project(tmp_path)
    saved = tmp_path / "dockgen.yaml"
    keys = (ENTER + ENTER + DOWN + ENTER          # language, Go version, cgo: yes
            + DOWN + ENTER                         # base: scratch and alpine are disabled, so distroless stays
            + "\x15../x" + ENTER + "\x15./cmd/api" + ENTER  # package: refused, then accepted
            + ENTER + ENTER + ENTER + CONFIRM)
    with piped(keys) as prompter:
        assert wizard.run_new(root, prompter=prompter, save_preset=saved) == 0
    preset = load_preset(str(saved))
    assert (preset.cgo, preset.base, preset.package) == (True, "distroless", "./cmd/api")
    assert prompter.rejections and prompter.rejections[0].startswith("package: '../x' is not a main package")


def test_new_yes_on_a_go_project(tmp_path: Path) -> None:
    root = go_project(tmp_path)
    result = CliRunner().invoke(cli, ["new", str(root), "--yes"])
    assert result.exit_code == 0, result.output
    assert "go build" in (root / "Dockerfile").read_text() and "-o /out/app ./cmd/api" in (root / "Dockerfile").read_text()


# ---- scaffold -----------------------------------------------------------------------------------------


def test_cookiecutter_json_asks_exactly_the_scaffold_questions() -> None:
    config = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    assert [k for k in config if not k.startswith("_")] == list(variables("go"))
    assert set(config["__prompts__"]) == set(variables("go"))
    for key, values in {"go_version": GO_VERSIONS, "base": BASES}.items():
        assert all(v in config["__prompts__"][key] for v in values)
    defaults = validate_answers({**config, "project_slug": "hello-service", "module_path": "example.com/hello"})
    assert defaults.preset == preset_from_mapping({"language": "go", "description": config["description"]}, "t")


def test_dockgen_scaffold_writes_a_go_service(tmp_path: Path) -> None:
    created = scaffold(tmp_path, {"language": "go", "project_name": "Billing", "base": "scratch",
                                  "timezone": "Asia/Shanghai", "go_version": "1.26"})
    assert sorted(p.name for p in created.iterdir()) == sorted(
        [".dockerignore", ".gitignore", "Dockerfile", "README.md", PRESET_FILE, "go.mod", "main.go", "main_test.go"])
    assert (created / "go.mod").read_text() == "module example.com/billing\n\ngo 1.26\n"
    preset = load_preset(str(created / PRESET_FILE))
    assert (preset.language, preset.base, preset.timezone) == ("go", "scratch", "Asia/Shanghai")
    assert (created / "Dockerfile").read_text() == render(preset).files["Dockerfile"]
    main = (created / "main.go").read_text()
    assert 'port = "8080"' in main and "signal.NotifyContext" in main


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "go_version=1.25"], "error: --set: go_version: Go 1.25 has no maintained golang image"),
    (["--set", "cgo=true"], "error: --set: cgo: not a question of the scaffold template (the scaffolded service is pure Go)"),
    (["--set", "module_path=Not A Path"], "error: --set: module_path: 'Not A Path' is not a Go module path"),
])
def test_dockgen_scaffold_rejects_bad_go_answers(tmp_path: Path, args: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "scaffold", "--no-input", "-o", "out",
                             "--set", "language=go", *args], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(message)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_plain_cookiecutter_command(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE)]
    bad = subprocess.run([*run, "base=scratch", "go_version=1.20"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "error: answers: go_version: Go 1.20 has no maintained golang image; allowed: 1.26, 1.27" in bad.stderr
    assert list(tmp_path.iterdir()) == []
    good = subprocess.run([*run, "project_name=Ledger", "base=alpine", "registry_mirror=goproxy.cn"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert good.returncode == 0, good.stderr
    preset = load_preset(str(tmp_path / "ledger" / PRESET_FILE))
    assert (preset.base, preset.registry_mirror) == ("alpine", "https://goproxy.cn")
    assert "GOPROXY=https://goproxy.cn go mod download" in (tmp_path / "ledger" / "Dockerfile").read_text()
