"""The cookiecutter template and `dockgen scaffold`: a new service that ships with dockgen's Dockerfile."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

from generator.languages.node import model
from generator.cli import cli
from generator.errors import UserError
from generator.model import parse_field, preset_from_mapping
from generator.presets import load_preset
from generator.render import render
from generator.languages.node.scaffold import FRAMEWORKS
from generator.scaffold import PRESET_FILE, scaffold, template_dir, validate_answers, variables

VARIABLES = variables("node")

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = template_dir()
LOCKFILES = {"npm": "package-lock.json", "yarn": "yarn.lock", "pnpm": "pnpm-lock.yaml"}

#: Every base and every package manager flavour, each with both frameworks somewhere.
CASES = [
    pytest.param({"package_manager": "npm", "base": "slim", "framework": "express"}, id="npm-slim-express"),
    pytest.param({"package_manager": "yarn", "yarn_version": "1", "base": "full", "framework": "http"},
                 id="yarn1-full-http"),
    pytest.param({"package_manager": "yarn", "yarn_version": "4", "base": "distroless", "node_version": "22",
                  "framework": "express"}, id="yarn4-distroless-express"),
    pytest.param({"package_manager": "pnpm", "base": "alpine", "node_version": "26", "framework": "http",
                  "timezone": "Asia/Shanghai", "registry_mirror": "npmmirror", "port": "8080"},
                 id="pnpm-alpine-http"),
    pytest.param({"package_manager": "yarn", "yarn_version": "4", "base": "slim", "framework": "express",
                  "lockfile": "no"}, id="yarn4-slim-nolockfile"),
]


def generate(out: Path, **answers: str) -> Path:
    """The template through cookiecutter's own API, as a user of plain cookiecutter runs it."""
    return Path(cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=str(out)))


def expected_preset(answers: dict[str, str]) -> Preset:
    """The preset the answers mean, built independently of the template."""
    keys = ("package_manager", "yarn_version", "node_version", "base", "registry_mirror", "timezone", "port",
            "entrypoint", "lockfile")
    data: dict[str, Any] = {k: answers[k] for k in keys if k in answers}
    data.setdefault("yarn_version", "1" if data.get("package_manager") == "yarn" else None)
    return preset_from_mapping({"description": "A small Node.js web service", **data}, "test")


def copied_manifests(dockerfile: str) -> list[str]:
    """The files the Dockerfile's dependency stage copies before installing."""
    line = next(line for line in dockerfile.splitlines() if line.startswith("COPY package.json"))
    return line.split()[1:-1]


@pytest.mark.parametrize("answers", CASES)
def test_scaffolded_project_ships_the_rendered_dockerfile(tmp_path: Path, answers: dict[str, str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    project = generate(tmp_path, project_name="Orders API", **answers)
    assert project == tmp_path / "orders-api"
    preset = expected_preset(answers)

    # One renderer: the files are exactly what `dockgen render` gives for the same preset.
    rendered = render(preset).files
    assert (project / "Dockerfile").read_text() == rendered["Dockerfile"]
    assert (project / ".dockerignore").read_text() == rendered[".dockerignore"]
    assert load_preset(str(project / PRESET_FILE)) == preset
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["render", PRESET_FILE, "--check"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output

    package = json.loads((project / "package.json").read_text())
    assert package["name"] == "orders-api"
    assert package["main"] == "index.js"
    assert package["scripts"]["start"] == "node index.js"
    assert package["engines"]["node"] == f"{preset.node_version}.x"
    assert package["description"] == "A small Node.js web service"
    if preset.package_manager == "pnpm":
        assert re.fullmatch(r"pnpm@10\.\d+\.\d+", package["packageManager"])
    elif preset.yarn_berry:
        assert re.fullmatch(rf"yarn@{preset.yarn_version}\.\d+\.\d+", package["packageManager"])
    else:
        assert "packageManager" not in package
    express = answers["framework"] == "express"
    assert ("express" in package["dependencies"]) is express
    index = (project / "index.js").read_text()
    assert f"process.env.PORT || {preset.port}" in index
    assert ("require('express')" in index) is express

    # Lockfile-ready: every manifest the Dockerfile copies is there but the lockfile the README makes.
    lockfile = LOCKFILES[preset.package_manager]
    for name in copied_manifests(rendered["Dockerfile"]):
        assert name == lockfile or (project / name).is_file(), name
    assert (project / ".yarnrc.yml").is_file() is preset.yarn_berry
    if preset.yarn_berry:
        assert yaml.safe_load((project / ".yarnrc.yml").read_text()) == {"nodeLinker": "node-modules"}
    assert not (project / lockfile).exists()

    readme = (project / "README.md").read_text()
    assert "docker build -t orders-api ." in readme
    assert f"docker run --rm -p {preset.port}:{preset.port} orders-api" in readme
    assert "dockgen verify" in readme
    assert "dockgen render dockgen.yaml --check" in readme
    assert (f"git add {lockfile}" in readme) is preset.lockfile
    assert "node_modules/" in (project / ".gitignore").read_text().splitlines()
    assert (".pnp.*" in (project / ".gitignore").read_text()) is preset.yarn_berry


def test_answers_are_read_as_the_preset_model_reads_them(tmp_path: Path) -> None:
    """Spaces and other spellings the model accepts reach every file in their normal form."""
    project = generate(tmp_path, project_name="x", package_manager=" yarn ", yarn_version=" 4", node_version="22 ",
                       port="08080", lockfile="Y", entrypoint="src/server.cjs", description="say 'hi' <now> & more",
                       author="Zoë O'Brien")
    preset = load_preset(str(project / PRESET_FILE))
    assert (preset.package_manager, preset.yarn_version, preset.node_version, preset.port) == ("yarn", 4, 22, 8080)
    assert (project / "Dockerfile").read_text() == render(preset).files["Dockerfile"]
    package = json.loads((project / "package.json").read_text())
    assert package["engines"]["node"] == "22.x"
    assert package["packageManager"].startswith("yarn@4.")
    assert package["main"] == "src/server.cjs"
    assert package["description"] == "say 'hi' <now> & more"
    assert package["author"] == "Zoë O'Brien"
    assert not (project / "index.js").exists()
    assert "process.env.PORT || 8080" in (project / "src/server.cjs").read_text()


def test_yarn_version_is_ignored_unless_the_package_manager_is_yarn() -> None:
    answers = validate_answers({"project_name": "a", "project_slug": "a", "framework": "http",
                                "package_manager": "npm", "yarn_version": "4"})
    assert answers.preset.yarn_version is None
    assert not answers.install_dependencies


BAD_ANSWERS = [
    pytest.param({"base": "distroless", "node_version": "23"}, "node_version", id="distroless-node23"),
    pytest.param({"timezone": "Europe/Berln"}, "timezone", id="timezone"),
    pytest.param({"project_slug": "Orders API"}, "project_slug", id="slug"),
    pytest.param({"framework": "koa"}, "framework", id="framework"),
    pytest.param({"port": "70000"}, "port", id="port"),
    pytest.param({"registry_mirror": "http://registry.npmjs.org"}, "registry_mirror", id="plain-http-mirror"),
    pytest.param({"install_dependencies": "maybe"}, "install_dependencies", id="install"),
]


@pytest.mark.parametrize(("answers", "key"), BAD_ANSWERS)
def test_invalid_answers_leave_no_directory(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                            answers: dict[str, str], key: str) -> None:
    with pytest.raises(FailedHookException):
        generate(tmp_path, **answers)
    assert list(tmp_path.iterdir()) == []
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: answers: {key}: ")


def test_plain_cookiecutter_command(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE)]
    bad = subprocess.run([*run, "base=distroless", "node_version=23"], cwd=tmp_path, capture_output=True,
                         text=True, check=False)
    assert bad.returncode == 1
    assert "error: answers: node_version: Node.js 23 has no maintained image; allowed: 22, 24, 26" in bad.stderr
    assert list(tmp_path.iterdir()) == []
    good = subprocess.run([*run, "project_name=Billing", "base=alpine"], cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert good.returncode == 0, good.stderr
    assert "warning: base: alpine uses musl libc" in good.stderr
    assert load_preset(str(tmp_path / "billing" / PRESET_FILE)).base == "alpine"


def dockgen(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          input=stdin, check=False)


SCAFFOLD_ERRORS = [
    pytest.param(["--set", "base=distroless", "--set", "node_version=23"],
                 "error: --set: node_version: Node.js 23 has no maintained image; allowed: 22, 24, 26", id="node23"),
    pytest.param(["--set", "timezone=Mars/Olympus"], "error: --set: timezone: 'Mars/Olympus' is not an IANA time zone",
                 id="timezone"),
    pytest.param(["--set", "colour=blue"], "error: --set: colour: not a question of the scaffold template; allowed:",
                 id="unknown-key"),
    pytest.param(["--preset", "node-typescript-distroless"],
                 "error: built-in preset node-typescript-distroless: build_script: not a question", id="build-step"),
    pytest.param(["--preset", "missing.yaml"], "error: missing.yaml: no such preset file", id="no-preset-file"),
]


@pytest.mark.parametrize(("args", "message"), SCAFFOLD_ERRORS)
def test_dockgen_scaffold_rejects_bad_answers_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = dockgen("scaffold", "--no-input", "-o", "out", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_dockgen_scaffold_never_touches_an_existing_project(tmp_path: Path) -> None:
    (tmp_path / "hello-service").mkdir()
    (tmp_path / "hello-service" / "keep.txt").write_text("mine")
    result = dockgen("scaffold", "--no-input", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: hello-service: already exists; choose another project_slug or output directory\n"
    assert [p.name for p in (tmp_path / "hello-service").iterdir()] == ["keep.txt"]


def test_dockgen_scaffold_from_a_preset_file(tmp_path: Path) -> None:
    preset_file = ROOT / "presets" / "node-yarn-berry-distroless.yaml"
    result = dockgen("scaffold", "--no-input", "--preset", str(preset_file), "--set", "project_name=Edge Proxy",
                     "--set", "port=9000", "-o", "services", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "services" / "edge-proxy"
    assert result.stdout.strip().endswith(f"created {project}")
    # The preset's description describes the preset; the project gets the template's (its image label).
    preset = load_preset(str(preset_file), ["port=9000", "description=A small Node.js web service"])
    assert (project / "Dockerfile").read_text() == render(preset).files["Dockerfile"]
    saved = load_preset(str(project / PRESET_FILE))
    assert saved.port == 9000 and saved.yarn_version == 4 and saved.base == "distroless"
    assert json.loads((project / "package.json").read_text())["packageManager"].startswith("yarn@4.")


def test_a_yarn_preset_without_yarn_version_stays_yarn_classic(tmp_path: Path) -> None:
    preset_file = tmp_path / "p.yaml"
    preset_file.write_text("package_manager: yarn\nbase: slim\n")
    project = scaffold(tmp_path, {"project_name": "classic"}, preset=str(preset_file))
    assert load_preset(str(project / PRESET_FILE)).yarn_version == 1
    assert not (project / ".yarnrc.yml").exists()


def test_dockgen_scaffold_asks_the_template_questions(tmp_path: Path) -> None:
    # yarn_version is not asked: it does not apply to pnpm.
    questions = [key for key in VARIABLES if key != "yarn_version"]
    typed = {"project_name": "Ask Me", "framework": "http", "package_manager": "pnpm", "base": "distroless",
             "port": "8081"}
    stdin = "".join(typed.get(key, "") + "\n" for key in questions)
    result = dockgen("scaffold", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    preset = load_preset(str(tmp_path / "ask-me" / PRESET_FILE))
    assert (preset.package_manager, preset.base, preset.port) == ("pnpm", "distroless", 8081)
    assert "Yarn major" not in result.stdout


def test_dockgen_scaffold_asks_again_at_once_after_a_bad_answer(tmp_path: Path) -> None:
    typed = {"project_name": "Ask Me", "package_manager": "yarn", "yarn_version": "3\n4", "port": "0\n8081"}
    stdin = "".join(typed.get(key, "") + "\n" for key in VARIABLES)
    result = dockgen("scaffold", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "  yarn_version: yarn 3 is past its end of life and needs the workspace-tools plugin for a production "
        "install (upgrade with `yarn set version 4`); allowed: 1 (classic), 4 (berry)",
        "  port: 0 is out of range; allowed: 1-65535",
    ]
    assert result.stdout.count("Port the app listens on") == 2, "asked again, not after the last question"
    preset = load_preset(str(tmp_path / "ask-me" / PRESET_FILE))
    assert (preset.yarn_version, preset.port) == (4, 8081)
    # Input ends while a bad answer is asked again: nothing is created.
    cut = dockgen("scaffold", "-o", "cut", cwd=tmp_path, stdin="Ask Me\n" + "\n" * 10 + "0\n")
    assert cut.returncode != 0 and "Traceback" not in cut.stderr
    assert not (tmp_path / "cut").exists()


def test_cookiecutter_json_asks_exactly_the_scaffold_questions() -> None:
    config = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    assert [k for k in config if not k.startswith("_")] == list(VARIABLES)
    prompts = config["__prompts__"]
    assert set(prompts) == set(VARIABLES)
    # The prompt text names every allowed value the model (or the template) has.
    choices = {"package_manager": model.PACKAGE_MANAGERS, "base": model.BASES, "framework": FRAMEWORKS,
               "node_version": sorted({v for vs in model.NODE_VERSIONS.values() for v in vs}),
               "yarn_version": model.YARN_VERSIONS}
    for key, values in choices.items():
        for value in values:
            assert str(value) in prompts[key], (key, value)
    # The defaults are valid and are the model's defaults: scaffold and render agree (yarn_version too).
    defaults = validate_answers({**config, "project_slug": "hello-service"})
    expected = preset_from_mapping({"description": config["description"]}, "expected")
    assert defaults.preset == expected
    for key, spec in model.FIELDS.items():
        if key in config and key != "description":
            assert parse_field(key, config[key]) == spec.default, key


def test_invalid_answer_via_the_library_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"^answers: base: 'scratch' is not allowed"):
        scaffold(tmp_path, {"base": "scratch"})
    assert list(tmp_path.iterdir()) == []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answer_of(project: Path, entrypoint: str) -> str:
    """Start the app with the host's node, GET / and stop it with SIGTERM (it must exit cleanly)."""
    port = free_port()
    proc = subprocess.Popen(["node", entrypoint], cwd=project, env={**os.environ, "PORT": str(port)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the app did not answer: {proc.communicate()[0]}") from None
                time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        return body
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed on this machine")
def test_node_http_app_answers_hello_world(tmp_path: Path) -> None:
    project = scaffold(tmp_path, {"framework": "http", "entrypoint": "src/server.mjs"})
    assert json.loads((project / "package.json").read_text())["dependencies"] == {}
    assert answer_of(project, "src/server.mjs") == "Hello World!"


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed on this machine")
def test_express_app_installs_from_the_npm_registry_and_answers_hello_world(tmp_path: Path) -> None:
    # install_dependencies=yes: the post-gen hook runs the host's npm, which writes the lockfile.
    project = scaffold(tmp_path, {"framework": "express", "install_dependencies": "yes"})
    assert (project / "package-lock.json").is_file()
    assert (project / "node_modules" / "express" / "package.json").is_file()
    assert answer_of(project, "index.js") == "Hello World!"


def test_installed_wheel_scaffolds_anywhere(tmp_path: Path) -> None:
    """A non-editable install finds the template inside the package (generator/templates)."""
    wheels = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)],
                   check=True)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # The machine's pip installs into the venv (no pip bootstrap: faster); dependencies come from the system.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    *map(str, wheels.glob("*.whl"))], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    # Neither the checkout nor its editable install may be on the path: only the wheel.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([str(python), "-c", "import generator.scaffold as s; print(s.template_dir())"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(env_dir)), where
    result = subprocess.run([str(env_dir / "bin" / "dockgen"), "scaffold", "--no-input", "--set",
                             "package_manager=pnpm"], cwd=work, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    project = work / "hello-service"
    assert (project / "Dockerfile").read_text() == render(preset_from_mapping(
        {"package_manager": "pnpm", "description": "A small Node.js web service"}, "test")).files["Dockerfile"]
    assert (project / ".gitignore").is_file()
    # the Go template's hooks are links to the Node.js template's: the wheel carries their content
    go = subprocess.run([str(env_dir / "bin" / "dockgen"), "scaffold", "--no-input", "-o", "go", "--set", "language=go"],
                        cwd=work, env=env, capture_output=True, text=True, check=False)
    assert go.returncode == 0, go.stderr
    assert (work / "go" / "hello-service" / "Dockerfile").read_text() == render(preset_from_mapping(
        {"language": "go", "description": "A small Go web service"}, "test")).files["Dockerfile"]


def test_cookiecutter_overwrite_if_exists_updates_dockgens_files_too(tmp_path: Path) -> None:
    first = generate(tmp_path, project_name="again")
    again = Path(cookiecutter(str(TEMPLATE), no_input=True, overwrite_if_exists=True,
                              extra_context={"project_name": "again", "port": "8090", "base": "distroless"},
                              output_dir=str(tmp_path)))
    assert again == first
    preset = load_preset(str(again / PRESET_FILE))
    assert (preset.port, preset.base) == (8090, "distroless")
    assert (again / "Dockerfile").read_text() == render(preset).files["Dockerfile"]
    assert load_preset(str(again / PRESET_FILE)) == preset


def test_dockgen_scaffold_refuses_an_explicit_yarn_version_with_npm(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="yarn_version: only applies to package_manager yarn, not npm"):
        scaffold(tmp_path, overrides=["yarn_version=4"])
    assert list(tmp_path.iterdir()) == []
