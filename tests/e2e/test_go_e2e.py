"""Go images prove themselves: each fixture app is rendered, built with buildah on the stand-in golang and
distroless images (or scratch), run the way its config says, asked over HTTP (its answer, the time zone,
/tmp), stopped with SIGTERM as PID 1, and searched for anything but the binary."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.model import preset_from_mapping
from generator.output import write_files
from generator.render import render
from generator.verify import STOP_LIMIT, ImageInfo, Running, runtime_base

from .conftest import E2E_DIR, REPO, STATS, AppBuilder, Built, image_audit
from .fixtures import copy_app
from .goproxy import build_tree, serve

pytestmark = pytest.mark.e2e

#: app -> what its answer says beyond "hello from <app>", and whether it needs the module proxy.
APPS = {
    "go-stdlib-app": ("", False),
    "go-mod-app": (" greet=v1.0.0", True),
    "go-vendor-app": (" greet=v1.0.0", False),
    "go-replace-app": (" greet=v1.0.0 SHOUT=LOCAL", True),
}
#: The only files a Go image may add to its base: the binary, and on scratch the few files of the rootfs stage.
BINARY = "app"
SCRATCH_FILES = {"etc", "etc/passwd", "etc/group", "etc/ssl", "etc/ssl/certs", "etc/ssl/certs/ca-certificates.crt",
                 "tmp"}


@pytest.fixture(scope="session")
def go_standins(standins: None) -> None:
    """golang:1.26/1.27 and the distroless static/base stand-ins (cached across runs by the script)."""
    start = time.monotonic()
    proc = subprocess.run(["bash", str(E2E_DIR / "standins_go.sh")], cwd=REPO, capture_output=True, text=True)
    STATS.standins_seconds = (STATS.standins_seconds or 0) + time.monotonic() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        pytest.fail(f"standins_go.sh failed with exit code {proc.returncode}:\n{tail}", pytrace=False)


@pytest.fixture(scope="session")
def goproxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The module proxy fixture on loopback: the URL given as registry_mirror (GOPROXY)."""
    with serve(build_tree(tmp_path_factory.mktemp("goproxy"))) as url:
        yield url


@pytest.fixture
def go_builder(go_standins: None, app_builder: AppBuilder) -> AppBuilder:
    return app_builder


def prepare(builder: AppBuilder, app: str, **keys: Any) -> tuple[Path, Any]:
    directory = copy_app(app, builder.tmp_path / f"{app}-{uuid.uuid4().hex[:6]}")
    preset = preset_from_mapping({"language": "go", **keys}, f"e2e:{app}")
    write_files(render(preset).files, directory)
    return directory, preset


def go_keys(app: str, goproxy: str) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    if app == "go-vendor-app":
        keys["vendor"] = True   # and no proxy at all: a download would fail (the real proxy is unreachable)
    elif APPS[app][1]:
        keys["registry_mirror"] = goproxy
    if app == "go-replace-app":
        keys.update(package="./cmd/server", local_modules=["shout"])
    return keys


def audited(builder: AppBuilder, directory: Path, mark: str | None = None, paths: tuple[str, ...] = ("/tz", "/tmp")):
    """An ``inspect`` callback: the files the image added, its config, and what the live app says."""
    base = runtime_base((directory / "Dockerfile").read_text())

    def inspect(running: Running, image: ImageInfo, checks: dict[str, Any]) -> None:
        checks.update(image_audit(builder.builder, running, image, base))  # scratch (None): all it has
        checks["rootfs"] = running.rootfs
        for path in paths:
            status, body = running.get(path)
            assert status == 200, body
            checks[path] = json.loads(body)
        tmp = running.rootfs / "tmp"
        checks["tmp_mode"] = stat.S_IMODE(tmp.stat().st_mode) if tmp.exists() else None
        # a dynamically linked binary names the glibc loader
        checks["dynamic"] = b"ld-linux-x86-64.so.2" in (running.rootfs / BINARY).read_bytes()
        if mark:
            checks["leaks"] = [rel for rel in checks["added"]
                               if (running.rootfs / rel).is_file() and mark.encode() in (running.rootfs / rel).read_bytes()]
            checks["config_has_mirror"] = mark in builder.image_metadata(image)

    return inspect


def assert_go_runtime(built: Built, base: str) -> None:
    report = built.report
    assert report.uid == 65532, f"the app runs as uid {report.uid}"
    assert report.stop_seconds < STOP_LIMIT, f"took {report.stop_seconds:.2f} s to stop after SIGTERM"
    added = set(built.checks["added"])
    allowed = {BINARY} | (SCRATCH_FILES if base == "scratch" else set())
    assert added <= allowed, f"the image adds more than the binary: {sorted(added - allowed)[:10]}"
    assert BINARY in added
    assert built.checks["dynamic"] is False, "the binary is not static"
    if base == "scratch":
        assert built.checks["tmp_mode"] == 0o1777
        assert built.checks.get("/tmp", {"writable": True})["writable"] is True


CASES = [
    # app, base, time zone, expected (names, offsets in minutes west of UTC)
    ("go-stdlib-app", "distroless", "US/Eastern", ({"US/Eastern"}, {240, 300})),
    ("go-stdlib-app", "scratch", "Asia/Shanghai", ({"Asia/Shanghai"}, {-480})),
    ("go-mod-app", "distroless", None, ({"UTC"}, {0})),
    ("go-mod-app", "scratch", "Europe/Berlin", ({"Europe/Berlin"}, {-60, -120})),
    ("go-vendor-app", "distroless", "Asia/Tokyo", ({"Asia/Tokyo"}, {-540})),
    ("go-vendor-app", "scratch", None, ({"UTC"}, {0})),
    ("go-replace-app", "distroless", None, ({"UTC"}, {0})),
    ("go-replace-app", "scratch", "America/Sao_Paulo", ({"America/Sao_Paulo"}, {180})),
]


#: Under docker: distroless and scratch, modules through the mirror, vendor/, local replace, time zones.
DOCKER_CASES = {("go-stdlib-app", "scratch"), ("go-mod-app", "distroless"), ("go-vendor-app", "distroless"),
                ("go-replace-app", "scratch")}


@pytest.mark.both_builders(where=lambda p: (p["app"], p["base"]) in DOCKER_CASES)
@pytest.mark.parametrize(("app", "base", "zone", "expected"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_go_app_on_base(go_builder: AppBuilder, goproxy: str, app: str, base: str, zone: str | None,
                        expected: tuple) -> None:
    keys = go_keys(app, goproxy)
    if zone:
        keys["timezone"] = zone
    directory, preset = prepare(go_builder, app, base=base, **keys)
    mark = goproxy.removeprefix("http://") if preset.registry_mirror else None
    if mark:
        assert mark in (directory / "Dockerfile").read_text(), "the mirror is not used at all"
    built = go_builder.verify(directory, f"{app}/{base}", expect=f"hello from {app}{APPS[app][0]}",
                              inspect=audited(go_builder, directory, mark))
    names, offsets = expected
    assert built.checks["/tz"]["tz"] in names and built.checks["/tz"]["offset"] in offsets, built.checks["/tz"]
    assert_go_runtime(built, base)
    if mark:
        assert built.checks["leaks"] == [], f"mirror URL in files: {built.checks['leaks']}"
        assert not built.checks["config_has_mirror"], "mirror URL in the image config or history"


@pytest.mark.both_builders
def test_go_module_layer_reused_on_a_code_change(go_builder: AppBuilder, goproxy: str) -> None:
    directory, _ = prepare(go_builder, "go-mod-app", base="distroless", registry_mirror=goproxy)
    tag = f"localhost/dockgen-e2e-go-rebuild:{uuid.uuid4().hex[:6]}"
    first = go_builder.verify(directory, "go-rebuild/cold", expect="hello from go-mod-app", keep=True, tag=tag)
    try:
        # A change no earlier run made: BuildKit's cache outlives the test session (the daemon keeps it).
        version = f"go-mod-app-v2-{uuid.uuid4().hex[:8]}"
        main = directory / "main.go"
        main.write_text(main.read_text().replace('serve("go-mod-app"', f'serve("{version}"'))
        second = go_builder.verify(directory, "go-rebuild/code-change", expect=f"hello from {version}")
    finally:
        go_builder.builder.remove(tag)
    steps = second.build.steps
    download = [s for s in steps if s.text.startswith("RUN") and "go mod download" in s.text]
    assert download and all(s.cached for s in download), f"the module download re-ran: {download}"
    modules = [s for s in steps if s.text.startswith("COPY go.mod")]
    assert modules and all(s.cached for s in modules)
    code = [s for s in steps if s.text.startswith("COPY . .")]
    assert code and not any(s.cached for s in code), "the code change was not picked up"
    assert first.report.status == second.report.status == 200


@pytest.mark.both_builders
def test_go_cgo_runs_on_distroless_base(go_builder: AppBuilder, goproxy: str) -> None:
    directory, preset = prepare(go_builder, "go-mod-app", cgo=True, registry_mirror=goproxy)
    assert runtime_base((directory / "Dockerfile").read_text()) == "gcr.io/distroless/base-debian13:nonroot"
    built = go_builder.verify(directory, "go-cgo/distroless-base", expect="hello from go-mod-app greet=v1.0.0",
                              inspect=audited(go_builder, directory))
    assert built.checks["dynamic"] is True, "a cgo binary that is not dynamically linked"
    built.checks["dynamic"] = False  # the rest is the same as for a static binary
    assert_go_runtime(built, "distroless")


@pytest.mark.both_builders
@pytest.mark.parametrize("base", ["scratch"])
def test_scaffolded_go_service_builds_answers_and_stops(go_builder: AppBuilder, base: str) -> None:
    """`dockgen scaffold` for Go ends in a working image (the service handles SIGTERM itself)."""
    from generator.scaffold import scaffold

    project = scaffold(go_builder.tmp_path, {"language": "go", "project_name": "Hello Go", "base": base,
                                             "go_version": "1.26", "timezone": "Europe/Berlin"})
    check = subprocess.run([sys.executable, "-m", "generator", "render", "dockgen.yaml", "--check"], cwd=project,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    built = go_builder.verify(project, f"scaffold-go/{base}", expect="Hello World!",
                              inspect=audited(go_builder, project, paths=()))
    assert_go_runtime(built, base)
