"""Python Dockerfiles prove themselves: each package manager (pip, Poetry, uv) on the full, slim and
distroless stand-ins, built, run, asked over HTTP, stopped with SIGTERM and searched for what must not
be in the image. Python 3.13 only: the one line every base (distroless included) has; the other lines
differ only in image tags (see tests/e2e/standins_python.sh).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from generator.scaffold import scaffold
from generator.verify import BuildahBuilder, ImageInfo, Running, VerifyFailed, runtime_base, verify

from .conftest import E2E_DIR, REPO, STATS, AppBuilder, assert_runtime, image_audit, in_ci
from .pypi_mirror import RecordingMirror

pytestmark = pytest.mark.e2e

#: package manager -> (fixture app, preset keys). Poetry and uv apps are packages, installed non-editable.
PMS = {
    "pip": ("python-pip-app", {"package_manager": "pip"}),
    "poetry": ("python-poetry-app", {"package_manager": "poetry", "install_project": True,
                                     "command": ["python", "-m", "poetry_app"]}),
    "uv": ("python-uv-app", {"package_manager": "uv", "install_project": True, "command": ["uv-app"]}),
}
BASES = ("full", "slim", "distroless")
#: A mirror that reaches the real index but is spelled like nothing in a lockfile or base image, so finding
#: the string in the image means the mirror setting leaked.
MIRROR = "https://pypi.org:443/simple"
MIRROR_MARK = b"pypi.org:443"
SECRET_MARK = b"dockgen-netrc-marker-5d2"
ZONE, ZONE_OFFSET = "Asia/Shanghai", -480
SITE = "opt/venv/lib/python3.13/site-packages"
#: Package manager caches that must never reach a final image.
CACHE_PATHS = ("root/.cache", "root/.local", "root/.config/pypoetry", "tmp/requirements.txt", "opt/project",
               "app/.venv")


@pytest.fixture(scope="session")
def python_standins(standins: None) -> None:
    """The Python stand-ins (cached across runs by the script's label)."""
    start = time.monotonic()
    proc = subprocess.run(["bash", str(E2E_DIR / "standins_python.sh")], cwd=REPO, capture_output=True, text=True)
    STATS.standins_seconds = (STATS.standins_seconds or 0) + time.monotonic() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        message = f"standins_python.sh failed with exit code {proc.returncode}:\n{tail}"
        if proc.returncode == 3 and not in_ci():
            pytest.skip(message)
        pytest.fail(message, pytrace=False)


@pytest.fixture
def netrc(tmp_path: Path) -> Path:
    """A .netrc build secret for a host nothing asks, carrying a marker that must never reach the image."""
    path = tmp_path / "netrc"
    path.write_text(f"machine private-index.invalid login dockgen password {SECRET_MARK.decode()}\n")
    return path


def metadata(app_builder: AppBuilder, image: ImageInfo) -> str:
    """The image's config and history: where a leaked ENV, ARG or build command would show."""
    own = getattr(app_builder, "image_metadata", None)
    if own is not None:
        return own(image)
    return subprocess.run(["buildah", "inspect", "--type", "image", image.id], capture_output=True, text=True,
                          check=True).stdout


def audited(app_builder: AppBuilder, directory: Path):
    """An ``inspect`` callback: the files the image added, the app's answers, leaks of mirror and secret."""
    base = runtime_base((directory / "Dockerfile").read_text())

    def inspect(running: Running, image: ImageInfo, checks: dict[str, Any]) -> None:
        checks.update(image_audit(app_builder.builder, running, image, base))
        for path in ("/dev", "/tz"):
            status, body = running.get(path)
            assert status == 200, (path, body)
            checks[path] = json.loads(body)
        leaks = []
        for rel in checks["added"]:
            path = running.rootfs / rel if running.rootfs else None
            if path and path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                leaks += [(rel, mark) for mark in (MIRROR_MARK, SECRET_MARK) if mark in data]
        checks["leaks"] = leaks
        checks["editable"] = [rel for rel in checks["added"] if rel.endswith("direct_url.json") and running.rootfs
                              and b'"editable": true' in (running.rootfs / rel).read_bytes()]
        meta = metadata(app_builder, image)
        checks["meta_leaks"] = [m for m in (MIRROR_MARK.decode(), SECRET_MARK.decode(), "netrc") if m in meta]
        if running.rootfs:
            python = running.rootfs / "opt/venv/bin/python"
            checks["venv_python"] = os.path.realpath(python) if python.is_symlink() else None
            target = os.readlink(python) if python.is_symlink() else ""
            resolved = running.rootfs / os.path.normpath(os.path.join("opt/venv/bin", target)).lstrip("/")
            while resolved.is_symlink():
                link = os.readlink(resolved)
                resolved = (running.rootfs / link.lstrip("/")) if link.startswith("/") else resolved.parent / link
            checks["venv_python_exists"] = resolved.exists()

    return inspect


# Under docker (BuildKit) too, on distroless: every package manager's stages, the secret and cache mounts.
@pytest.mark.both_builders(where=lambda params: params["base"] == "distroless")
@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("pm", list(PMS))
def test_package_manager_on_base(app_builder: AppBuilder, python_standins: None, netrc: Path, pm: str,
                                 base: str) -> None:
    app, keys = PMS[pm]
    directory, _ = app_builder.prepare(app, language="python", base=base, timezone=ZONE, registry_mirror=MIRROR,
                                       index_secret=True, **keys)
    dockerfile = (directory / "Dockerfile").read_text()
    assert MIRROR in dockerfile and "id=netrc" in dockerfile, "the mirror or the secret is not used at all"
    built = app_builder.verify(directory, f"python-{pm}/{base}", expect=f"hello from {app} size=7.2 MB",
                               inspect=audited(app_builder, directory),
                               build_args=("--secret", f"id=netrc,src={netrc}"))
    checks, added = built.checks, built.checks["added"]
    assert_runtime(built)
    assert built.report.uid == (65532 if base == "distroless" else 10001)
    # the production dependency, compiled to bytecode at build time; no dev dependency
    assert f"{SITE}/humanize/__init__.py" in added, "the production dependency is missing"
    assert any(p.startswith(f"{SITE}/humanize/__pycache__/") and p.endswith(".cpython-313.pyc") for p in added)
    assert checks["/dev"]["present"] is False, "the dev dependency is importable at run time"
    assert not [p for p in added if "iniconfig" in p], "the dev dependency is in the image"
    # no package manager cache, no lock export, no netrc, no staging prefix; nothing of mirror or secret
    caches = [p for p in added if p.startswith(CACHE_PATHS) or os.path.basename(p) in (".netrc", "netrc")]
    assert not caches, f"caches or build leftovers in the image: {caches[:5]}"
    assert checks["leaks"] == [], f"mirror or secret in files: {checks['leaks']}"
    assert checks["meta_leaks"] == [], f"in the image config or history: {checks['meta_leaks']}"
    assert not [p for p in added if p.startswith(("opt/venv/bin/pip", f"{SITE}/pip/"))], "pip in the venv"
    # the time zone, read by the C library inside the container
    assert checks["/tz"]["tz"] == ZONE and checks["/tz"]["offset"] == ZONE_OFFSET, checks["/tz"]
    # the venv's interpreter exists in the runtime (distroless: /usr/bin/python3.13, not /usr/local)
    if "venv_python_exists" in checks:  # buildah: the image's root is mounted
        assert checks["venv_python_exists"], f"opt/venv/bin/python points nowhere: {checks['venv_python']}"
    if keys.get("install_project"):
        package = {"poetry": "poetry_app", "uv": "uv_app"}[pm]
        assert f"{SITE}/{package}/__init__.py" in added, "the project is not installed into the venv"
        editable = [p for p in added if p.endswith(".pth") or "__editable__" in p] + checks["editable"]
        assert not editable, f"an editable install: {editable}"
        assert not [p for p in added if p.startswith("app/")], "a package's source tree was copied too"
    else:
        assert "app/main.py" in added and "app/__pycache__/server.cpython-313.pyc" in added, \
            "the app's code is missing or not compiled"


def test_code_change_reuses_dependency_layer(app_builder: AppBuilder, python_standins: None) -> None:
    app, keys = PMS["uv"]
    directory, _ = app_builder.prepare(app, language="python", base="slim", **keys)
    tag = "localhost/dockgen-e2e-py-rebuild:first"
    first = app_builder.verify(directory, "python-rebuild/cold", expect=f"hello from {app}", keep=True, tag=tag)
    try:
        entry = directory / "src" / "uv_app" / "__init__.py"
        entry.write_text(entry.read_text().replace('main("python-uv-app")', 'main("python-uv-app-v2")'))
        second = app_builder.verify(directory, "python-rebuild/code-change", expect="hello from python-uv-app-v2")
    finally:
        app_builder.builder.remove(tag)
    steps = second.build.steps
    install = [s for s in steps if s.text.startswith("RUN") and "uv export" in s.text]
    assert install and all(s.cached for s in install), f"the dependency install re-ran: {install}"
    copy_deps = [s for s in steps if s.text.startswith("COPY --from=deps")]
    assert copy_deps and all(s.cached for s in copy_deps), f"the venv layer was rebuilt: {copy_deps}"
    project = [s for s in steps if s.text.startswith("COPY --from=project")]
    assert project and not any(s.cached for s in project), "the code change was not picked up"
    assert first.report.status == second.report.status == 200


def test_hashed_requirements_install_with_require_hashes(app_builder: AppBuilder, python_standins: None) -> None:
    directory, _ = app_builder.prepare("python-pip-hashed-app", language="python", base="distroless",
                                       require_hashes=True)
    assert "--require-hashes" in (directory / "Dockerfile").read_text()
    built = app_builder.verify(directory, "python-pip-hashes/distroless", expect="hello from python-pip-hashed-app")
    assert_runtime(built)
    # a tampered hash fails the build: the pins are really checked
    requirements = directory / "requirements.txt"
    requirements.write_text(requirements.read_text().replace("sha256:0", "sha256:f", 1).replace("sha256:1", "sha256:f"))
    with pytest.raises(pytest.fail.Exception, match="(?i)hash"):
        app_builder.verify(directory, "python-pip-hashes/tampered")


def test_bare_python_as_pid1_ignores_sigterm_without_tini(app_builder: AppBuilder, python_standins: None) -> None:
    """Why tini: `python main.py` (http.server, no signal handler) as PID 1 does not stop on SIGTERM."""
    directory, _ = app_builder.prepare("python-pip-app", language="python", base="slim")
    dockerfile = directory / "Dockerfile"
    text = dockerfile.read_text()
    assert 'ENTRYPOINT ["/usr/local/bin/tini", "--"]' in text
    dockerfile.write_text(text.replace('ENTRYPOINT ["/usr/local/bin/tini", "--"]', "ENTRYPOINT []"))
    with pytest.raises(pytest.fail.Exception, match="ignored SIGTERM"):
        app_builder.verify(directory, "python-no-tini/slim", expect="hello from python-pip-app")


#: What each build downloads besides the app's locked dependency: its tools and the project's build backend.
MIRRORED = {
    "pip": ("humanize-4.17.0",),
    "poetry": ("humanize-4.17.0", "poetry-2.5.1", "poetry_plugin_export-1.10.1", "poetry_core-"),
    "uv": ("humanize-4.17.0", "uv-0.13.9", "hatchling-"),
}


@pytest.mark.parametrize("pm", list(PMS))
def test_the_mirror_serves_every_download(app_builder: AppBuilder, python_standins: None, tmp_path: Path,
                                          pm: str) -> None:
    """uv.lock and poetry.lock pin download URLs: the mirror must serve the locked packages all the same,
    and the tools and build backends too. A recording mirror on loopback proves it (buildah: its CA is
    mounted into the RUN steps in place of the machine's bundle, which it extends)."""
    if not isinstance(app_builder.builder, BuildahBuilder):
        pytest.skip("the recording mirror's CA is mounted into RUN steps: buildah only")
    app, keys = PMS[pm]
    with RecordingMirror(tmp_path / "mirror") as mirror:
        directory, _ = app_builder.prepare(app, language="python", base="slim", registry_mirror=mirror.url, **keys)
        mark = f"localhost:{mirror.port}".encode()
        found: dict[str, Any] = {}

        def scan(running: Running, image: ImageInfo) -> None:
            base = runtime_base((directory / "Dockerfile").read_text())
            added = image_audit(app_builder.builder, running, image, base)["added"]
            files = [running.rootfs / rel for rel in added]
            found["leaks"] = [str(f) for f in files if f.is_file() and not f.is_symlink() and mark in f.read_bytes()]
            found["meta"] = mark.decode() in metadata(app_builder, image)

        try:
            report = verify(directory, builder=app_builder.builder, volumes=[mirror.volume], timeout=60,
                            expect=f"hello from {app}", while_running=scan)
        except VerifyFailed as exc:
            pytest.fail(f"mirror-{pm}: {exc.message}\n" + "\n".join(exc.tail), pytrace=False)
        served = mirror.files()
    assert report.status == 200
    missing = [name for name in MIRRORED[pm] if not any(f.startswith(name) for f in served)]
    assert not missing, f"downloaded around the mirror: {missing}; the mirror served {served}"
    assert found["leaks"] == [] and not found["meta"], f"the mirror URL is in the image: {found}"


def test_scaffolded_python_service_builds_and_answers(app_builder: AppBuilder, python_standins: None) -> None:
    """`dockgen scaffold` for Python (pip, distroless) ends in a working container, its check passing as made."""
    project = scaffold(app_builder.tmp_path, {"language": "python", "project_name": "Hello Py",
                                              "package_manager": "pip", "base": "distroless", "port": "8080"})
    check = subprocess.run([sys.executable, "-m", "generator", "render", "dockgen.yaml", "--check"], cwd=project,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    built = app_builder.verify(project, "scaffold-python/distroless", expect="Hello World!")
    assert built.report.uid == 65532
    assert_runtime(built)
