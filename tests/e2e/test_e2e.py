"""Every generated Dockerfile proves itself: built with buildah (and, for the tests marked both_builders, with
Docker BuildKit) on stand-in base images, run the way its config says, asked over HTTP, stopped with SIGTERM,
and searched for what must not be in it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from generator.verify import ImageInfo, Running, runtime_base

from .conftest import AppBuilder, assert_clean, assert_runtime, image_audit

pytestmark = pytest.mark.e2e

PMS = {
    "npm": ("npm-app", {"package_manager": "npm"}),
    "yarn1": ("yarn1-app", {"package_manager": "yarn", "yarn_version": 1}),
    "yarn4": ("berry-app", {"package_manager": "yarn", "yarn_version": 4}),
    "pnpm": ("pnpm-app", {"package_manager": "pnpm"}),
}
BASES = ("full", "slim", "distroless")
#: A mirror that reaches the real registry but is spelled like nothing else in a lockfile or base image,
#: so finding the string in the image means the mirror setting leaked.
MIRROR = "https://registry.npmjs.org:443/"
MIRROR_MARK = b"registry.npmjs.org:443"


def audited(app_builder: AppBuilder, directory: Path, extra: Any = None):
    """An ``inspect`` callback: audit the files the image added, and ask the live app more questions."""
    base = runtime_base((directory / "Dockerfile").read_text())

    def inspect(running: Running, image: ImageInfo, checks: dict[str, Any]) -> None:
        checks.update(image_audit(app_builder.builder, running, image, base))
        checks["rootfs"] = running.rootfs
        status, body = running.get("/dev")
        assert status == 200, body
        checks["dev"] = json.loads(body)
        assert_clean(checks["added"], running.rootfs)
        if extra:
            extra(running, image, checks)

    return inspect


#: Under docker, each package manager once and each base at least once (the pairs all run on buildah).
DOCKER_PM_BASES = {("npm", "full"), ("yarn1", "slim"), ("yarn4", "distroless"), ("pnpm", "slim"),
                   ("pnpm", "distroless")}


@pytest.mark.both_builders(where=lambda p: (p["pm"], p["base"]) in DOCKER_PM_BASES)
@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("pm", list(PMS))
def test_package_manager_on_base(app_builder: AppBuilder, pm: str, base: str) -> None:
    app, keys = PMS[pm]
    directory, _ = app_builder.prepare(app, base=base, **keys)
    built = app_builder.verify(directory, f"{pm}/{base}", expect=f"hello from {app}",
                               inspect=audited(app_builder, directory))
    assert built.report.status == 200
    assert built.checks["dev"]["present"] is False, "the dev dependency is resolvable at run time"
    assert_runtime(built)
    added = built.checks["added"]
    assert "app/node_modules/ms" in added, "the production dependency is missing"  # a symlink with pnpm
    # verify's layer table: named by the Dockerfile's instructions, largest first, adding up to the bytes above base
    rows = built.report.layer_rows
    assert any(text == "COPY . ." for _, text in rows) and any(text.startswith("COPY --from=deps") for _, text in rows)
    assert [size for size, _ in rows] == sorted((size for size, _ in rows), reverse=True)
    assert sum(size for size, _ in rows) == built.report.above_base


@pytest.mark.both_builders
def test_typescript_build_on_distroless(app_builder: AppBuilder) -> None:
    directory, _ = app_builder.prepare("ts-app", base="distroless", build_script="build", build_output="dist",
                                       entrypoint="dist/index.js")
    built = app_builder.verify(directory, "ts/distroless", expect="hello from ts-app",
                               inspect=audited(app_builder, directory))
    assert built.checks["dev"]["present"] is False
    added = built.checks["added"]
    assert "app/dist/index.js" in added
    assert not any(p.startswith("app/src") for p in added), "TypeScript sources were copied to the runtime"
    assert_runtime(built)


@pytest.mark.both_builders(where=lambda p: p["base"] == "slim" or p["zone"] != "Asia/Shanghai")
@pytest.mark.parametrize(("base", "zone", "expected"), [
    ("slim", "Asia/Shanghai", ({"Asia/Shanghai"}, {-480})),
    ("distroless", "Asia/Shanghai", ({"Asia/Shanghai"}, {-480})),
    # an alias: its canonical zone's file is copied under its name (trixie keeps aliases in tzdata-legacy)
    ("distroless", "US/Eastern", ({"US/Eastern", "America/New_York"}, {240, 300})),
])
def test_timezone_inside_container(app_builder: AppBuilder, base: str, zone: str, expected: tuple) -> None:
    directory, _ = app_builder.prepare("npm-app", base=base, timezone=zone)

    def tz(running: Running, image: ImageInfo, checks: dict[str, Any]) -> None:
        status, body = running.get("/tz")
        assert status == 200, body
        checks["tz"] = json.loads(body)

    built = app_builder.verify(directory, f"tz-{zone}/{base}", expect="hello from npm-app",
                               inspect=audited(app_builder, directory, tz))
    names, offsets = expected
    assert built.checks["tz"]["tz"] in names and built.checks["tz"]["offset"] in offsets, built.checks["tz"]
    if base == "slim":  # slim has no zoneinfo: exactly the one zone is brought in
        zones = [p for p in built.checks["added"] if p.startswith("usr/share/zoneinfo/") and built.checks["added"][p]]
        assert zones == [f"usr/share/zoneinfo/{zone}"]
    assert_runtime(built)


@pytest.mark.both_builders(where=lambda p: p["base"] == "slim")
@pytest.mark.parametrize("base", ["slim", "distroless"])
def test_native_addon_built_on_matching_libc(app_builder: AppBuilder, base: str) -> None:
    directory, _ = app_builder.prepare("native-app", base=base)
    built = app_builder.verify(directory, f"native/{base}", expect="hello from native-app",
                               inspect=audited(app_builder, directory))
    # iconv converted "hé" to latin-1 inside the container: the addon loaded and ran.
    assert "latin1=68e9" in built.report.body
    assert any(p.startswith("app/node_modules/iconv/build/") and p.endswith(".node") for p in built.checks["added"])
    assert_runtime(built)


@pytest.mark.both_builders
@pytest.mark.parametrize("pm", ["yarn1", "pnpm"])
def test_node26_brings_its_package_manager(app_builder: AppBuilder, pm: str) -> None:
    app, keys = PMS[pm]
    directory, _ = app_builder.prepare(app, base="slim", node_version=26, **keys)
    built = app_builder.verify(directory, f"node26-{pm}/slim", expect=f"hello from {app}",
                               inspect=audited(app_builder, directory))
    assert_runtime(built)


@pytest.mark.both_builders
@pytest.mark.parametrize("pm", list(PMS))
def test_registry_mirror_leaves_no_trace(app_builder: AppBuilder, pm: str) -> None:
    app, keys = PMS[pm]
    directory, _ = app_builder.prepare(app, base="distroless", registry_mirror=MIRROR, **keys)
    assert MIRROR_MARK.decode() in (directory / "Dockerfile").read_text(), "the mirror is not used at all"

    def scan(running: Running, image: ImageInfo, checks: dict[str, Any]) -> None:
        leaks = []
        for rel in checks["added"]:
            path = running.rootfs / rel
            if path.is_file() and not path.is_symlink() and MIRROR_MARK in path.read_bytes():
                leaks.append(rel)
        checks["leaks"] = leaks
        checks["config_has_mirror"] = MIRROR_MARK.decode() in app_builder.image_metadata(image)

    built = app_builder.verify(directory, f"mirror-{pm}/distroless", expect=f"hello from {app}",
                               inspect=audited(app_builder, directory, scan))
    assert built.checks["leaks"] == [], f"mirror URL in files: {built.checks['leaks']}"
    assert not built.checks["config_has_mirror"], "mirror URL in the image config or history"
    assert_runtime(built)


@pytest.mark.both_builders
def test_code_change_reuses_dependency_layer(app_builder: AppBuilder, tmp_path: Path) -> None:
    directory, _ = app_builder.prepare("npm-app", base="slim")
    tag = f"localhost/dockgen-e2e-rebuild-{app_builder.name}:first"
    first = app_builder.verify(directory, "rebuild/cold", expect="hello from npm-app", keep=True, tag=tag)
    try:
        # A change no earlier run made: BuildKit's cache outlives the test session (the daemon keeps it).
        version = f"npm-app-v2-{uuid.uuid4().hex[:8]}"
        index = directory / "index.js"
        index.write_text(index.read_text().replace("const name = appName();", f"const name = '{version}';"))
        second = app_builder.verify(directory, "rebuild/code-change", expect=f"hello from {version}")
    finally:
        app_builder.builder.remove(tag)
    steps = second.build.steps
    install = [s for s in steps if s.text.startswith("RUN") and "npm ci" in s.text]
    assert install and all(s.cached for s in install), f"dependency install re-ran: {install}"
    copy_deps = [s for s in steps if s.text.startswith("COPY --from=deps")]
    assert copy_deps and all(s.cached for s in copy_deps), f"node_modules layer rebuilt: {copy_deps}"
    copy_code = [s for s in steps if s.text.startswith("COPY . .")]
    assert copy_code and not any(s.cached for s in copy_code), "the code change was not picked up"
    assert first.report.status == second.report.status == 200


#: Build-secret contents per package manager: a marker that must never reach the image, and (npm) a
#: setting whose effect shows in the build log, proving the secret was read by the install.
SECRET_MARK = "dockgen-secret-marker-7c1"
SECRETS = {
    "npm": ("npmrc", f"; {SECRET_MARK}\nloglevel=verbose\n"),
    "yarn1": ("npmrc", f"; {SECRET_MARK}\n"),
    "yarn4": ("yarnrc", f"# {SECRET_MARK}\nenableTelemetry: false\n"),
    "pnpm": ("npmrc", f"; {SECRET_MARK}\n"),
}


@pytest.mark.both_builders
@pytest.mark.parametrize("pm", list(PMS))
def test_registry_credentials_come_from_a_build_secret(app_builder: AppBuilder, tmp_path: Path, pm: str) -> None:
    app, keys = PMS[pm]
    directory, _ = app_builder.prepare(app, base="slim", npmrc_secret=True, **keys)
    secret_id, content = SECRETS[pm]
    secret = tmp_path / f"secret-{secret_id}"
    secret.write_text(content)
    (directory / ".npmrc").write_text(f"; {SECRET_MARK} in the project's own .npmrc\n")

    def scan(running: Running, image: ImageInfo, checks: dict[str, Any]) -> None:
        checks["leaks"] = [rel for rel in checks["added"]
                           if (running.rootfs / rel).is_file() and not (running.rootfs / rel).is_symlink()
                           and SECRET_MARK.encode() in (running.rootfs / rel).read_bytes()]
        checks["config_has_secret"] = SECRET_MARK in app_builder.image_metadata(image)

    built = app_builder.verify(directory, f"secret-{pm}/slim", expect=f"hello from {app}",
                               inspect=audited(app_builder, directory, scan),
                               # npm: the log must show the install reading the secret, so the install must run,
                               # not come from an earlier session's cache (BuildKit's outlives the session)
                               build_args=(*(("--no-cache",) if pm == "npm" else ()),
                                           "--secret", f"id={secret_id},src={secret}"))
    assert built.checks["leaks"] == [], f"the secret reached the image: {built.checks['leaks']}"
    assert not built.checks["config_has_secret"]
    if pm == "npm":
        assert any("npm verbose" in line for line in built.build.lines), "npm did not read the secret .npmrc"
    assert_runtime(built)


#: A build script that needs the dev dependency (so it only works where dev dependencies are installed)
#: and writes the app into dist/.
BUILD_SCRIPT = ("node -e \"require('is-number'); const fs = require('fs'); fs.mkdirSync('dist', {recursive: true}); "
                "fs.copyFileSync('index.js', 'dist/index.js')\"")


@pytest.mark.both_builders
@pytest.mark.parametrize("pm", ["yarn1", "yarn4", "pnpm"])
def test_build_stage_for_every_package_manager(app_builder: AppBuilder, pm: str) -> None:
    """The build stage installs dev dependencies and runs the script; the runtime gets only its output."""
    app, keys = PMS[pm]
    directory, _ = app_builder.prepare(app, base="distroless", build_script="build", build_output="dist",
                                       entrypoint="dist/index.js", **keys)
    manifest = directory / "package.json"
    package = json.loads(manifest.read_text())
    package["scripts"]["build"] = BUILD_SCRIPT
    manifest.write_text(json.dumps(package, indent=2) + "\n")
    built = app_builder.verify(directory, f"build-{pm}/distroless", expect=f"hello from {app}",
                               inspect=audited(app_builder, directory))
    added = built.checks["added"]
    assert "app/dist/index.js" in added and "app/index.js" not in added
    assert built.checks["dev"]["present"] is False
    assert_runtime(built)


@pytest.mark.both_builders
@pytest.mark.parametrize("pm", list(PMS))
def test_project_without_lockfile_still_builds(app_builder: AppBuilder, pm: str) -> None:
    """lockfile: false renders the non-frozen fallback install, and it works (if not reproducibly)."""
    app, keys = PMS[pm]
    directory, model = app_builder.prepare(app, base="slim", lockfile=False, **keys)
    for lockfile in ("package-lock.json", "yarn.lock", "pnpm-lock.yaml"):
        (directory / lockfile).unlink(missing_ok=True)
    assert not model.lockfile
    built = app_builder.verify(directory, f"no-lockfile-{pm}/slim", expect=f"hello from {app}",
                               inspect=audited(app_builder, directory))
    assert built.checks["dev"]["present"] is False
    assert_runtime(built)
