"""A scaffolded service builds and runs as an image: the cookiecutter path ends in a working container."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generator.scaffold import scaffold
from generator.verify import runtime_base

from .conftest import AppBuilder, assert_clean, assert_runtime, image_audit

pytestmark = pytest.mark.e2e


@pytest.mark.both_builders
@pytest.mark.parametrize("base", ["distroless"])
def test_scaffolded_express_service_builds_and_answers(app_builder: AppBuilder, base: str) -> None:
    project = scaffold(app_builder.tmp_path, {"project_name": "Hello Service", "framework": "express",
                                              "package_manager": "npm", "base": base, "timezone": "Europe/Berlin",
                                              "lockfile": "yes"})
    # The scaffold is lockfile-ready: create the lockfile the way its README says (no install).
    subprocess.run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"], cwd=project, check=True,
                   capture_output=True)
    assert (project / "package-lock.json").exists()
    check = subprocess.run([sys.executable, "-m", "generator", "render", "dockgen.yaml", "--check"], cwd=project,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    base_ref = runtime_base((project / "Dockerfile").read_text())

    def inspect(running, image, checks) -> None:
        checks.update(image_audit(app_builder.builder, running, image, base_ref))
        assert_clean(checks["added"], running.rootfs)

    built = app_builder.verify(project, f"scaffold-express/{base}", expect="Hello World!", inspect=inspect)
    assert built.report.status == 200
    assert "app/node_modules/express/package.json" in built.checks["added"]
    assert_runtime(built)


@pytest.mark.parametrize(("base", "lockfile"), [("slim", "yes"), ("distroless", "no")])
def test_scaffolded_http_service_without_dependencies(app_builder: AppBuilder, base: str, lockfile: str) -> None:
    """`dockgen scaffold --no-input --set framework=http`: node:http only, `"dependencies": {}`, so npm's install
    creates no node_modules; the image builds anyway, with the lockfile the README asks for and without one."""
    project = scaffold(app_builder.tmp_path, {"framework": "http", "package_manager": "npm", "base": base,
                                              "lockfile": lockfile})
    if lockfile == "yes":
        subprocess.run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"], cwd=project, check=True,
                       capture_output=True)
        assert (project / "package-lock.json").exists()
    base_ref = runtime_base((project / "Dockerfile").read_text())

    def inspect(running, image, checks) -> None:
        checks.update(image_audit(app_builder.builder, running, image, base_ref))
        assert_clean(checks["added"], running.rootfs)

    built = app_builder.verify(project, f"scaffold-http-lockfile={lockfile}/{base}", expect="Hello World!",
                               inspect=inspect)
    assert built.report.status == 200
    assert not any(p.startswith("app/node_modules/") for p in built.checks["added"])
    assert_runtime(built)
