"""Shared test helpers: the matrix of presets the tests cover."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from generator import Preset, preset_from_mapping

#: (label, package manager keys) for every package manager flavour.
PACKAGE_MANAGERS: list[tuple[str, dict[str, Any]]] = [
    ("npm", {"package_manager": "npm"}),
    ("yarn1", {"package_manager": "yarn", "yarn_version": 1}),
    ("yarn4", {"package_manager": "yarn", "yarn_version": 4}),
    ("pnpm", {"package_manager": "pnpm"}),
]
BASES = ["full", "slim", "alpine", "distroless"]
NODE_VERSIONS = [22, 24, 26]
MIRROR = "https://registry.npmmirror.com"


def make_preset(pm: str, base: str, *, version: int = 24, mirror: bool = False, timezone: bool = False,
                build: bool = False, lockfile: bool = True, secret: bool = False) -> Preset:
    data: dict[str, Any] = {**dict(PACKAGE_MANAGERS)[pm], "base": base, "node_version": version,
                            "lockfile": lockfile, "npmrc_secret": secret}
    if mirror:
        data["registry_mirror"] = MIRROR
    if timezone:
        data["timezone"] = "Asia/Shanghai"
    if build:
        data.update(build_script="build", build_output="dist", entrypoint="dist/index.js")
    return preset_from_mapping(data, "test")


def matrix(full: bool = False) -> list[Any]:
    """Package manager x base x Node version x (mirror, timezone, build script, lockfile, secret) combinations.

    ``full`` gives every combination; otherwise each option is paired with every pm x base once.
    """
    params = []
    if full:
        for pm, base, version, mirror, timezone, build in itertools.product(
            dict(PACKAGE_MANAGERS), BASES, NODE_VERSIONS, (False, True), (False, True), (False, True)
        ):
            options = dict(version=version, mirror=mirror, timezone=timezone, build=build)
            params.append((pm, base, options))
        for pm, base in itertools.product(dict(PACKAGE_MANAGERS), BASES):
            params.append((pm, base, dict(lockfile=False, timezone=True)))
            params.append((pm, base, dict(secret=True, mirror=True, build=True)))
        return params
    variants = [
        {},
        dict(mirror=True, timezone=True),
        dict(build=True, secret=True),
        dict(version=26, mirror=True),
        dict(version=22, lockfile=False, timezone=True, build=True),
    ]
    for pm, base, options in itertools.product(dict(PACKAGE_MANAGERS), BASES, variants):
        params.append(pytest.param(pm, base, options, id=f"{pm}-{base}-{'-'.join(f'{k}={v}' for k, v in options.items()) or 'plain'}"))
    return params


@pytest.fixture(autouse=True, scope="session")
def _dockgen_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The command line's caches (rendered files, compiled templates) in a directory of this test run, not
    the user's: every command the tests run, in this process or a child, starts from an empty cache."""
    import os

    os.environ["DOCKGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("dockgen-cache"))
