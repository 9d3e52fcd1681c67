"""Real project shapes, from detection to a running image: `dockgen detect` reads the fixture, its preset is
rendered, built with buildah, run, asked over HTTP, stopped with SIGTERM and searched: NestJS, Next.js
(standalone and next start) and a start script with variables, node flags and a file without extension."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.detect import detect
from generator.verify import ImageInfo, Running, runtime_base

from .conftest import AppBuilder, Built, assert_clean, assert_runtime, image_audit
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
