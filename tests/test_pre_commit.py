"""The pre-commit hook (.pre-commit-hooks.yaml), run by pre-commit itself against a scratch repository.

pre-commit installs this repository into its own virtualenv with pip (dependencies from PyPI: about 30 s
the first time); the environment is kept in pytest's cache directory and reused while the code is the same.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                            env={**os.environ, **GIT_ENV})
    return result.stdout.strip()


def snapshot_of_this_repository(dest: Path) -> str:
    """This working tree (tracked and new files, not ignored ones) committed in a repository of its own:
    the same content gives the same commit, so pre-commit's environment for it is reused."""
    files = git("ls-files", "-co", "--exclude-standard", cwd=ROOT).splitlines()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "snapshot", cwd=dest)
    return git("rev-parse", "HEAD", cwd=dest)


def dockgen(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def project(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, dict[str, str]]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    source = tmp_path / "dockgen-src"
    source.mkdir()
    rev = snapshot_of_this_repository(source)
    repo = tmp_path / "monorepo"
    for service, text in {"api": "base: distroless\n", "web": "package_manager: pnpm\n"}.items():
        (repo / "services" / service).mkdir(parents=True)
        (repo / "services" / service / ("dockgen.yml" if service == "web" else "dockgen.yaml")).write_text(text)
    (repo / "config.yaml").write_text("not: a preset\n")
    dockgen("render", "services/api/dockgen.yaml", "services/web/dockgen.yml", cwd=repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {source}\n  rev: {rev}\n  hooks:\n  - id: dockgen-check\n")
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "services", cwd=repo)
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    home = cache.mkdir("pre-commit-home") if cache else tmp_path / "pre-commit-home"
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home)}
    return repo, env


def pre_commit(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_hook_passes_then_reports_every_drifted_service(project: tuple[Path, dict[str, str]]) -> None:
    repo, env = project
    clean = pre_commit(repo, env, "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "dockgen render --check" in clean.stdout and "Passed" in clean.stdout

    (repo / "services" / "api" / "dockgen.yaml").write_text("base: full\n")
    dockerfile = repo / "services" / "web" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("USER 1000:1000", "USER root"))
    drifted = pre_commit(repo, env, "--all-files")
    assert drifted.returncode == 1
    drift_lines = [line for line in drifted.stdout.splitlines() if line.startswith("drift: ")]
    assert sorted(line.split()[1] for line in drift_lines) == ["services/api", "services/web"]
    assert "config.yaml" not in drifted.stdout  # not a preset file: the hook's pattern leaves it out

    only_api = pre_commit(repo, env, "--files", "services/api/dockgen.yaml")
    assert only_api.returncode == 1 and "drift: services/api" in only_api.stdout
    assert "services/web" not in only_api.stdout
