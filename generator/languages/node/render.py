"""Node.js: the images of each runtime base and the context the templates in ``templates/node/`` get.

Template contract (``templates/node/Dockerfile.jinja`` imports ``pm_template`` as ``pm``): each
package-manager template in ``templates/node/pm/`` defines the macros ``manifests()`` (files the deps
stage copies), ``setup()`` (base stage lines that make the package manager ready), ``install(prod)``
(the RUN that installs: production only when ``prod``), ``run(script)`` (the command running a
package.json script) and ``ignores()`` (its caches, for .dockerignore).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...render import (APP_DIR, TINI_APK_VERSION, TINI_APT_VERSION, TINI_PATH, TZDATA_APK_VERSION,
                       TZDATA_APT_VERSION, zone_source)
from .model import LOCKFILE_NAMES, NodePreset

#: The Debian release of the slim and distroless runtimes, and so of the stage that builds for them
#: (native addons must link against the same glibc they run on).
DEBIAN_RELEASE = "trixie"
DISTROLESS_SUFFIX = "debian13"
#: Brought in with npm where the Node.js image ships no corepack (Node.js >= 25).
COREPACK_VERSION = "0.34.7"
#: Brought in with npm where the Node.js image ships no yarn (Node.js >= 25).
YARN_CLASSIC_VERSION = "1.22.22"
FIRST_NODE_WITHOUT_COREPACK = 25

OUTPUTS = {"Dockerfile": "node/Dockerfile.jinja", ".dockerignore": "node/dockerignore.jinja"}


@dataclass(frozen=True)
class Images:
    """The images and facts of one runtime base, derived from the preset."""

    build: str
    runtime: str
    libc: str
    #: Path of tini inside the init stage. The dynamically linked build (28 kB on Debian) rather than
    #: tini-static (708 kB): every runtime base has the libc of the stage it comes from (distroless
    #: nodejs carries glibc of the same Debian release, since node needs it), so static buys nothing.
    tini_source: str
    init_installer: str
    #: How the runtime's CMD starts node: distroless has node as its ENTRYPOINT.
    node_in_entrypoint: bool
    user: str
    user_name: str
    has_zoneinfo: bool


def images_for(preset: NodePreset) -> Images:
    v, base = preset.node_version, preset.base
    if base == "alpine":
        return Images(
            build=f"node:{v}-alpine", runtime=f"node:{v}-alpine", libc="musl",
            tini_source="/sbin/tini", init_installer="apk", node_in_entrypoint=False,
            user="1000:1000", user_name="node", has_zoneinfo=False,
        )
    common = dict(libc="glibc", tini_source="/usr/bin/tini", init_installer="apt")
    if base == "full":
        return Images(build=f"node:{v}", runtime=f"node:{v}", node_in_entrypoint=False,
                      user="1000:1000", user_name="node", has_zoneinfo=False, **common)
    build = f"node:{v}-{DEBIAN_RELEASE}"
    if base == "slim":
        return Images(build=build, runtime=f"node:{v}-{DEBIAN_RELEASE}-slim", node_in_entrypoint=False,
                      user="1000:1000", user_name="node", has_zoneinfo=False, **common)
    return Images(build=build, runtime=f"gcr.io/distroless/nodejs{v}-{DISTROLESS_SUFFIX}:nonroot",
                  node_in_entrypoint=True, user="65532:65532", user_name="nonroot", has_zoneinfo=True, **common)


def context_for(preset: NodePreset) -> dict[str, object]:
    images = images_for(preset)
    return {
        "preset": preset,
        "images": images,
        "zone_source": zone_source(preset.timezone, images.has_zoneinfo),
        "pm_template": f"node/pm/{'yarn_berry' if preset.yarn_berry else preset.package_manager}.jinja",
        "lockfile_name": LOCKFILE_NAMES[preset.package_manager],
        "ships_corepack": preset.node_version < FIRST_NODE_WITHOUT_COREPACK,
        "corepack_version": COREPACK_VERSION,
        "yarn_classic_version": YARN_CLASSIC_VERSION,
        "tini_apt_version": TINI_APT_VERSION,
        "tzdata_apt_version": TZDATA_APT_VERSION,
        "tini_apk_version": TINI_APK_VERSION,
        "tzdata_apk_version": TZDATA_APK_VERSION,
        "tini_path": TINI_PATH,
        "app_dir": APP_DIR,
        #: A workspace's directory last, after the local packages it depends on.
        "workspace_dirs": [*preset.workspace_deps, preset.workspace] if preset.workspace else [],
    }
