"""`dockgen verify --builder docker` end to end, through the command line, as users run it: BuildKit on the
host network, the layer table, and the one-line stop when the docker client would use the legacy builder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.dockerfile import without_syntax_directive

from .conftest import AppBuilder, external_images, load_into_docker

pytestmark = pytest.mark.e2e


def dockgen(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, env=env,
                          timeout=600)


@pytest.fixture
def npm_app(docker_cli: str, tmp_path: Path) -> tuple[Path, Path]:
    """npm-app on slim, its stand-ins in the daemon, and the Dockerfile docker can build here (no `# syntax`)."""
    directory, _ = AppBuilder(tmp_path).prepare("npm-app", base="slim")
    text = (directory / "Dockerfile").read_text()
    load_into_docker(docker_cli, external_images(text))
    dockerfile = tmp_path / "Dockerfile.no-syntax"
    dockerfile.write_text(without_syntax_directive(text))
    return directory, dockerfile


def test_verify_cli_with_docker_on_the_host_network(docker_cli: str, npm_app: tuple[Path, Path]) -> None:
    directory, dockerfile = npm_app
    env = {**os.environ, "PATH": f"{Path(docker_cli).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = dockgen("verify", str(directory), "--builder", "docker", "--network", "host", "-f", str(dockerfile),
                   "--expect", "hello from npm-app", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    report = proc.stdout
    assert "builder             docker" in report
    assert "runs as             uid 1000 (node)" in report
    assert "--network host" in proc.stderr, "the build did not run on the host network"
    table = report[report.index("layer sizes"):].splitlines()
    assert "instructions above the base added bytes, largest first" in table[0]
    assert any(line.endswith("  COPY . .") for line in table[1:])
    assert any(line.endswith("  COPY --from=deps /app/node_modules ./node_modules") for line in table[1:])


def test_verify_cli_stops_before_the_legacy_builder(docker_cli: str, npm_app: tuple[Path, Path]) -> None:
    directory, dockerfile = npm_app
    env = {**os.environ, "PATH": f"{Path(docker_cli).parent}{os.pathsep}{os.environ['PATH']}", "DOCKER_BUILDKIT": "0"}
    proc = dockgen("verify", str(directory), "--builder", "docker", "--network", "host", "-f", str(dockerfile),
                   env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --builder: builder docker is not available: DOCKER_BUILDKIT=0 selects docker's legacy builder, "
        "which cannot build RUN --mount; unset DOCKER_BUILDKIT (or set it to 1)"]
    assert proc.stdout == ""


NEW_CLIENT = "/usr/local/bin/docker"


@pytest.mark.skipif(not os.access(NEW_CLIENT, os.X_OK), reason=f"no second docker client at {NEW_CLIENT}")
def test_verify_cli_names_a_client_without_buildx(docker_cli: str, npm_app: tuple[Path, Path]) -> None:
    """This machine kind ships a docker 28 client without buildx first on PATH: `docker build` there is the
    legacy builder. verify says so in one line instead of failing on `RUN --mount`."""
    if subprocess.run([NEW_CLIENT, "buildx", "version"], capture_output=True).returncode == 0:
        pytest.skip(f"{NEW_CLIENT} has buildx")
    directory, dockerfile = npm_app
    env = {**os.environ, "PATH": f"{Path(NEW_CLIENT).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DOCKER_BUILDKIT", None)
    assert shutil.which("docker", path=env["PATH"]) == NEW_CLIENT
    proc = dockgen("verify", str(directory), "--builder", "docker", "-f", str(dockerfile), env=env)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "has no buildx plugin" in lines[0] and "legacy builder" in lines[0], proc.stderr
