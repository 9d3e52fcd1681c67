"""Real project shapes, from detection to a running image: `dockgen detect` reads the fixture, its preset is
rendered, built with buildah, run, asked over HTTP, stopped with SIGTERM and searched: NestJS, Next.js
(standalone and next start) and a start script with variables, node flags and a file without extension."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from generator.detect import detect
from generator.verify import ImageInfo, Running, runtime_base

from .conftest import AppBuilder, Built, assert_clean, assert_runtime, build_twice, image_audit, steps
from .fixtures import copy_app

pytestmark = pytest.mark.e2e


def detected(app_builder: AppBuilder, app: str, **keys: Any) -> tuple[Path, Any, Any]:
    """Render the preset `dockgen detect` infers for fixture ``app`` (plus ``keys``) into a copy of it."""
    probe = app_builder.tmp_path / f"detect-{app.replace('/', '-')}"
    copy_app(app, probe)
    found = detect(probe)
    shutil.rmtree(probe)
    values = {k: v for k, v in found.values.items() if k != "language"}
    directory, model = app_builder.prepare(app, **{**values, **keys})
    return directory, model, found


def build(app_builder: AppBuilder, directory: Path, label: str, expect: str, extra=None, gets: tuple = ()) -> Built:
    base_ref = runtime_base((directory / "Dockerfile").read_text())

    def inspect(running: Running, image: ImageInfo, checks: dict[str, Any]) -> None:
        checks.update(image_audit(app_builder.builder, running, image, base_ref))
        assert_clean(checks["added"], running.rootfs)
        checks["get"] = {path: running.get(path) for path in gets}
        if extra:
            extra(running, image, checks)

    built = app_builder.verify(directory, label, expect=expect, inspect=inspect)
    assert built.report.status == 200
    assert_runtime(built)
    return built


@pytest.mark.both_builders(where=lambda p: p["base"] == "distroless")
@pytest.mark.parametrize("base", ["slim", "distroless"])
def test_nestjs_app(app_builder: AppBuilder, base: str) -> None:
    directory, model, _ = detected(app_builder, "nest-app", base=base)
    assert (model.build_script, model.entrypoint) == ("build", "dist/main.js")

    def dev(running: Running, image: ImageInfo, checks: dict[str, Any]) -> None:
        status, body = running.get("/dev")
        checks["dev"] = (status, body)

    built = build(app_builder, directory, f"nestjs/{base}", "hello from nest-app", dev)
    added = built.checks["added"]
    assert "app/dist/main.js" in added and not any(p.startswith("app/src/") for p in added)
    assert "app/node_modules/@nestjs/core/package.json" in added
    assert not any(p.startswith(("app/node_modules/@nestjs/cli/", "app/node_modules/typescript/")) for p in added)
    assert built.checks["dev"] == (200, '{"present":false}'), built.checks["dev"]


@pytest.mark.both_builders
def test_nextjs_standalone_and_server(app_builder: AppBuilder) -> None:
    """Each way built once: standalone on distroless, next start on slim. The standalone image is the smaller."""
    sizes = {}
    for way, base in (("standalone", "distroless"), ("server", "slim")):
        directory, model, found = detected(app_builder, f"next/{way}", base=base)
        assert model.nextjs == way, found.notes
        assert any("output: 'standalone'" in w for w in found.warnings) == (way == "server"), found.warnings
        built = build(app_builder, directory, f"nextjs-{way}/{base}", "hello from next-app", gets=("/hello.txt",))
        added = built.checks["added"]
        assert built.checks["get"]["/hello.txt"] == (200, "hello from public\n"), "public/ is not served"
        assert not any(p.startswith("app/.next/cache/") for p in added), "Next.js' build cache is in the image"
        if way == "standalone":
            assert "app/server.js" in added and any(p.startswith("app/.next/static/") for p in added)
            assert "app/node_modules/next/dist/bin/next" not in added, "the whole next package is in the image"
        else:
            assert "app/node_modules/next/dist/bin/next" in added and "app/next.config.mjs" in added
        sizes[way] = sum(added.values())
        print(f"nextjs {way} on {base}: {sizes[way]:,} file bytes above the base")
    assert sizes["standalone"] * 2 < sizes["server"], sizes


@pytest.mark.both_builders
@pytest.mark.parametrize("base", ["slim", "distroless"])
def test_start_script_flags_and_variables(app_builder: AppBuilder, base: str) -> None:
    """`NODE_ENV=production GREETING=hej node --enable-source-maps --max-old-space-size=256 -r ./preload.js server`
    becomes ENV GREETING=hej and CMD [node, flags..., server.js]: the running app sees all of it."""
    directory, model, _ = detected(app_builder, "start-flags", base=base)
    assert model.node_options == ("--enable-source-maps", "--max-old-space-size=256", "-r", "./preload.js")
    assert model.env == ("GREETING=hej",) and model.entrypoint == "server.js"
    built = build(app_builder, directory, f"start-flags/{base}",
                  "hello from start-flags greeting=hej preloaded=true "
                  "flags=--enable-source-maps,--max-old-space-size=256,-r,./preload.js")
    assert "app/server.js" in built.checks["added"]


MONOREPOS = [("npm", "slim", False), ("pnpm", "distroless", False), ("berry", "distroless", False),
             ("npm", "distroless", True), ("pnpm", "slim", True), ("berry", "slim", True)]


def add_build_scripts(root: Path) -> None:
    """Give apps/api and packages/lib a build script (build.js of each), and start the api from its build
    output: scripts are not in the lockfiles."""
    for workspace in ("apps/api", "packages/lib"):
        manifest = root / workspace / "package.json"
        data = json.loads(manifest.read_text())
        data.setdefault("scripts", {})["build"] = "node build.js"
        if workspace == "apps/api":
            data["scripts"]["start"] = "node dist/index.js"
        manifest.write_text(json.dumps(data, indent=2) + "\n")


# docker: each package manager's workspace install once, and a workspace's build stage
@pytest.mark.both_builders(where=lambda p: not p["with_build"] or p["pm"] == "npm")
@pytest.mark.parametrize(("pm", "base", "with_build"), MONOREPOS,
                         ids=[f"{pm}-{base}{'-build' if b else ''}" for pm, base, b in MONOREPOS])
def test_monorepo_workspace(app_builder: AppBuilder, pm: str, base: str, with_build: bool) -> None:
    """`dockgen detect apps/api` in a monorepo (apps/api -> packages/lib -> ms; apps/other -> is-odd): the image,
    built from the root, has the api, the lib and ms, and nothing of apps/other; with build scripts, both
    builds ran and the api runs from its dist/."""
    probe = copy_app(f"mono/{pm}", app_builder.tmp_path / f"probe-{pm}")
    if with_build:
        add_build_scripts(probe)
    found = detect(probe / "apps" / "api")
    shutil.rmtree(probe)
    values = {k: v for k, v in found.values.items() if k != "language"}
    assert (values["workspace"], values["workspace_deps"]) == ("apps/api", ("packages/lib",)), found.notes
    assert values.get("entrypoint", "index.js") == ("dist/index.js" if with_build else "index.js"), found.warnings
    directory, model = app_builder.prepare(f"mono/{pm}", base=base, **values)
    if with_build:
        add_build_scripts(directory)
    expect = "hello from @mono/api via @mono/lib ms=7200000" + (" built" if with_build else "")
    built = build(app_builder, directory, f"monorepo-{pm}{'-build' if with_build else ''}/{base}", expect,
                  gets=("/dev",))
    assert built.checks["get"]["/dev"] == (200, '{"present":false,"other":false}\n'), built.checks["get"]
    added = built.checks["added"]
    assert ("app/apps/api/dist/index.js" if with_build else "app/apps/api/index.js") in added
    assert "app/packages/lib/index.js" in added
    assert ("app/apps/api/index.js" in added) != with_build, "the api's sources next to its build output"
    assert not any(p.startswith("app/apps/other") for p in added), "another workspace is in the image"
    assert not any("is-odd" in p or "is-number" in p for p in added), "another workspace's dependency is in the image"
    assert any(p.endswith("/ms/package.json") for p in added), "the library's dependency is missing"


@pytest.mark.both_builders
def test_monorepo_change_in_another_workspace_keeps_the_dependency_layer(app_builder: AppBuilder) -> None:
    directory, _ = app_builder.prepare("mono/npm", base="slim", workspace="apps/api", workspace_deps=["packages/lib"])
    other = directory / "apps" / "other" / "index.js"
    _, second = build_twice(app_builder, directory, "monorepo-rebuild", "hello from @mono/api",
                            # unique, so no earlier run's layers can serve it from cache
                            lambda: other.write_text(other.read_text() + f"// changed {uuid.uuid4()}\n"))
    install = steps(second, "RUN", "npm ci")
    assert install and all(s.cached for s in install), f"the dependency install re-ran: {install}"
    manifests = steps(second, "COPY . .")
    assert manifests and not any(s.cached for s in manifests), "the change did not reach the build at all"
