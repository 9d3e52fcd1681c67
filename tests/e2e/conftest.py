"""End-to-end fixtures: stand-in base images, building fixture apps with buildah through `generator.verify`,
and looking inside the running containers.

The e2e tests run wherever their prerequisites are (root, buildah, debootstrap, unshare, npm) and skip with
the reason where they are not (a developer laptop); with ``CI`` set a missing prerequisite is a failure, not
a skip. To leave them out on a machine that has buildah: ``python -m pytest -m "not e2e"``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from generator.model import preset_from_mapping
from generator.output import write_files
from generator.render import render
from generator.verify import (STOP_LIMIT, BuildahBuilder, BuildResult, ImageInfo, Running, VerifyFailed,
                              VerifyReport, added_files, verify)

from .fixtures import copy_app

E2E_DIR = Path(__file__).parent
REPO = E2E_DIR.parent.parent
#: The machine's CA bundle, mounted into RUN steps by this harness only (never by the Dockerfile).
CA_VOLUME = "/etc/ssl/certs:/etc/ssl/certs:ro"
NODE_MAJORS = ("24", "26")
TOOLS = ("buildah", "debootstrap", "unshare", "npm")

LOCKFILES = {"npm": "package-lock.json", "yarn": "yarn.lock", "pnpm": "pnpm-lock.yaml"}
#: Package manager caches that must never reach a final image.
CACHE_PATHS = ("root/.npm", "root/.cache", "usr/local/share/.cache/yarn", "root/.yarn/berry/cache",
               "pnpm/store", "root/.local/share/pnpm", "app/.yarn/cache", "app/.pnpm-store")


@dataclass
class Stats:
    builds: int = 0
    standins_seconds: float | None = None
    builds_log: list[tuple[str, float]] = field(default_factory=list)


STATS = Stats()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def missing_prerequisites() -> list[str]:
    missing = [] if os.geteuid() == 0 else ["root"]
    return missing + [tool for tool in TOOLS if shutil.which(tool) is None]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if STATS.standins_seconds is None and not STATS.builds:
        return
    terminalreporter.section("dockgen e2e")
    if STATS.standins_seconds is not None:
        terminalreporter.write_line(f"stand-in images: {STATS.standins_seconds:.1f} s")
    for label, seconds in STATS.builds_log:
        terminalreporter.write_line(f"  build {label}: {seconds:.1f} s")
    terminalreporter.write_line(f"e2e builds: {STATS.builds}")


@pytest.fixture(scope="session")
def standins() -> None:
    """Stand-in base images under the real names (built once, cached across runs by the script)."""
    missing = missing_prerequisites()
    if missing:
        message = f"e2e needs {', '.join(missing)} (apt-get install buildah debootstrap npm; run as root)"
        if in_ci():
            pytest.fail(f"CI is set but {message}", pytrace=False)
        pytest.skip(message)
    start = time.monotonic()
    proc = subprocess.run(["bash", str(E2E_DIR / "standins.sh"), *NODE_MAJORS], cwd=REPO,
                          capture_output=True, text=True)
    STATS.standins_seconds = time.monotonic() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        pytest.fail(f"standins.sh failed with exit code {proc.returncode}:\n{tail}", pytrace=False)
    yield
    # Keep the stand-ins; drop the dangling layers the builds left behind.
    subprocess.run(["buildah", "rmi", "--prune"], capture_output=True)


@dataclass
class Built:
    report: VerifyReport
    build: BuildResult
    preset: Any
    checks: dict[str, Any]


class AppBuilder:
    """Render a preset into a copy of a fixture app, then build, run and check it with `verify`."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.builder = BuildahBuilder()

    def prepare(self, app: str, **preset: Any) -> tuple[Path, Any]:
        directory = copy_app(app, self.tmp_path / f"{app}-{uuid.uuid4().hex[:6]}")
        if preset.get("language", "node") == "node":
            pm = preset.setdefault("package_manager", "npm")
            preset.setdefault("lockfile", (directory / LOCKFILES[pm]).exists())
        model = preset_from_mapping(preset, f"e2e:{app}")
        write_files(render(model).files, directory)
        return directory, model

    def verify(self, directory: Path, label: str, *, expect: str | None = None, keep: bool = False,
               tag: str | None = None, inspect: Callable[[Running, ImageInfo, dict], None] | None = None,
               build_args: tuple[str, ...] = ()) -> Built:
        builds: list[BuildResult] = []
        checks: dict[str, Any] = {}
        output: list[str] = []

        def while_running(running: Running, image: ImageInfo) -> None:
            checks["uid"] = running.app_uid()
            if inspect:
                inspect(running, image, checks)

        STATS.builds += 1
        try:
            report = verify(directory, builder=self.builder, expect=expect, keep=keep, tag=tag,
                            volumes=[CA_VOLUME], timeout=60, on_output=output.append,
                            extra_build_args=build_args,
                            while_running=while_running, build_hook=builds.append)
        except VerifyFailed as exc:
            pytest.fail(f"{label}: {exc.message}\n" + "\n".join(exc.tail), pytrace=False)
        STATS.builds_log.append((label, report.build_seconds))
        print("\n".join(report.lines()))
        return Built(report=report, build=builds[0], preset=None, checks=checks)


@pytest.fixture
def app_builder(standins: None, tmp_path: Path) -> AppBuilder:
    return AppBuilder(tmp_path)


def image_audit(builder: BuildahBuilder, running: Running, image: ImageInfo, base_ref: str) -> dict[str, Any]:
    """What the image's own layers added on top of its base, by file."""
    assert running.rootfs is not None
    with builder.mounted(base_ref) as base_root:
        added = added_files(running.rootfs, base_root)
    return {"added": added}


def assert_clean(added: dict[str, int], rootfs: Path) -> None:
    """No .npmrc, no dev dependency, no package manager cache among the files the image added."""
    npmrc = [p for p in added if os.path.basename(p) == ".npmrc"]
    assert not npmrc, f".npmrc in the image: {npmrc}"
    dev = [p for p in added if "node_modules/is-number" in p or "node_modules/typescript" in p]
    assert not dev, f"dev dependencies in the image: {dev[:5]}"
    caches = [p for p in CACHE_PATHS if (rootfs / p).exists() and any(a.startswith(p) for a in added)]
    assert not caches, f"package manager caches in the image: {caches}"


def assert_runtime(built: Built) -> None:
    """Common to every build: not root, prompt SIGTERM shutdown."""
    report = built.report
    assert report.uid is not None and report.uid != 0, f"the app runs as uid {report.uid}"
    assert report.stop_seconds < STOP_LIMIT, f"took {report.stop_seconds:.2f} s to stop after SIGTERM"
