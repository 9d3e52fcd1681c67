"""Apps without production dependencies build and run: no dependencies at all, and dev dependencies only with a
build step that bundles them (tests/e2e/apps/nodeps). npm creates no node_modules when it has nothing to install,
which the runtime's `COPY --from=deps /app/node_modules` needs; yarn and pnpm always create one."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import AppBuilder, assert_runtime
from .test_e2e import audited

pytestmark = pytest.mark.e2e

PM_KEYS = {
    "npm": {"package_manager": "npm"},
    "yarn1": {"package_manager": "yarn", "yarn_version": 1},
    "berry": {"package_manager": "yarn", "yarn_version": 4},
    "pnpm": {"package_manager": "pnpm"},
}
#: Each package manager once per shape, and each shape on slim and on distroless.
CASES = [
    ("npm", "zero", "slim"), ("yarn1", "zero", "distroless"), ("berry", "zero", "slim"), ("pnpm", "zero", "distroless"),
    ("npm", "bundled", "distroless"), ("yarn1", "bundled", "slim"), ("berry", "bundled", "distroless"),
    ("pnpm", "bundled", "slim"),
]


def node_modules_packages(added: dict[str, Any]) -> list[str]:
    """What the image holds in app/node_modules besides the package managers' own state files (dot files)."""
    return sorted({p.split("/")[2] for p in added if p.startswith("app/node_modules/")
                   and not p.split("/")[2].startswith(".")})


# docker: npm's missing node_modules is where BuildKit's COPY of an absent path would differ from buildah's
@pytest.mark.both_builders(where=lambda p: p["pm"] == "npm")
@pytest.mark.parametrize(("pm", "shape", "base"), CASES, ids=[f"{pm}-{shape}-{base}" for pm, shape, base in CASES])
def test_app_without_production_dependencies(app_builder: AppBuilder, pm: str, shape: str, base: str) -> None:
    app = f"nodeps/{pm}" + ("-bundled" if shape == "bundled" else "")
    name = "nodeps-" + app.split("/")[1]
    keys: dict[str, Any] = dict(PM_KEYS[pm])
    if shape == "bundled":
        keys.update(build_script="build", build_output="dist", entrypoint="dist/index.js")
    directory, _ = app_builder.prepare(app, base=base, **keys)
    expect = f"hello from {name} ms=7200000" if shape == "bundled" else f"hello from {name} without dependencies"
    built = app_builder.verify(directory, f"nodeps-{pm}-{shape}/{base}", expect=expect,
                               inspect=audited(app_builder, directory))
    assert built.report.status == 200
    assert built.checks["dev"] == {"present": False, "found": []}, built.checks["dev"]
    added = built.checks["added"]
    assert node_modules_packages(added) == [], "packages in node_modules of an app without production dependencies"
    if shape == "bundled":
        assert "app/dist/index.js" in added
        assert "app/index.js" not in added and "app/build.js" not in added, "sources copied next to the bundle"
    assert_runtime(built)
