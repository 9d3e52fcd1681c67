"""Python: the images of each runtime base and the context the templates in ``templates/python/`` get.

Template contract (``templates/python/Dockerfile.jinja`` imports ``pm_template`` as ``pm``): each
package-manager template in ``templates/python/pm/`` defines the macros ``manifests()`` (files the deps
stage copies), ``setup()`` (base stage lines that make the package manager ready), ``install()`` (the RUN
that fills the venv with the locked production dependencies), ``install_project()`` (the RUN that installs
the project itself, non-editable, into ``project_prefix``) and ``ignores()`` (its leftovers, for
.dockerignore).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ...render import (APP_DIR, TINI_APK_VERSION, TINI_APT_VERSION, TINI_PATH, TZDATA_APK_VERSION,
                       TZDATA_APT_VERSION, zone_source)
from .model import DISTROLESS_PYTHON, PythonPreset

DEBIAN_RELEASE = "trixie"
#: The build tools, pinned, installed with pip from the same index as the dependencies.
UV_VERSION = "0.13.9"
POETRY_VERSION = "2.5.1"
POETRY_EXPORT_VERSION = "1.10.1"
VENV = "/opt/venv"
#: Where the project's own files are installed before they are merged into the venv of the runtime.
PROJECT_PREFIX = "/opt/project"
#: The app user on images that have none (docker init uses the same number).
APP_UID = 10001
DISTROLESS_UID = 65532

OUTPUTS = {"Dockerfile": "python/Dockerfile.jinja", ".dockerignore": "python/dockerignore.jinja"}


@dataclass(frozen=True)
class Images:
    """The images and facts of one runtime base, derived from the preset."""

    build: str
    runtime: str
    #: The stage that installs tini (and a zone file): same Debian release / libc as the runtime.
    init: str
    libc: str
    #: The interpreter as the runtime has it; the venv is made from this path so bin/python resolves there.
    python: str
    tini_source: str
    init_installer: str
    uid: int
    user_name: str
    #: The base has no user for the app: the runtime stage creates one.
    create_user: bool
    has_zoneinfo: bool


def images_for(preset: PythonPreset) -> Images:
    v, base = preset.python_version, preset.base
    if base == "alpine":
        image = f"python:{v}-alpine"
        return Images(build=image, runtime=image, init=image, libc="musl", python=f"/usr/local/bin/python{v}",
                      tini_source="/sbin/tini", init_installer="apk", uid=APP_UID, user_name="app",
                      create_user=True, has_zoneinfo=False)
    common = dict(build=f"python:{v}-{DEBIAN_RELEASE}", init=f"python:{v}-slim-{DEBIAN_RELEASE}", libc="glibc",
                  tini_source="/usr/bin/tini", init_installer="apt")
    if base == "distroless":
        return Images(runtime="gcr.io/distroless/python3-debian13:nonroot",
                      python=f"/usr/bin/python{DISTROLESS_PYTHON}",
                      uid=DISTROLESS_UID, user_name="nonroot", create_user=False, has_zoneinfo=True, **common)
    # The official slim image installs tzdata; the full one is not documented to: copy the zone file there.
    runtime = f"python:{v}-{DEBIAN_RELEASE}" if base == "full" else f"python:{v}-slim-{DEBIAN_RELEASE}"
    return Images(runtime=runtime, python=f"/usr/local/bin/python{v}", uid=APP_UID, user_name="app",
                  create_user=True, has_zoneinfo=base == "slim", **common)


def context_for(preset: PythonPreset) -> dict[str, object]:
    images = images_for(preset)
    mirror = preset.registry_mirror
    return {
        "preset": preset,
        "images": images,
        "pm_label": preset.package_manager_label,
        "zone_source": zone_source(preset.timezone, images.has_zoneinfo),
        "pm_template": f"python/pm/{preset.package_manager}.jinja",
        "python_link": images.python != f"/usr/local/bin/python{preset.python_version}",
        "requirements_file": preset.requirements_file,
        "index_option": f" --index-url {mirror}" if mirror else "",
        "uv_index_option": f" --default-index {mirror}" if mirror else "",
        "command_json": ", ".join(json.dumps(word) for word in preset.command),
        "uv_version": UV_VERSION,
        "poetry_version": POETRY_VERSION,
        "poetry_export_version": POETRY_EXPORT_VERSION,
        "tini_apt_version": TINI_APT_VERSION,
        "tzdata_apt_version": TZDATA_APT_VERSION,
        "tini_apk_version": TINI_APK_VERSION,
        "tzdata_apk_version": TZDATA_APK_VERSION,
        "tini_path": TINI_PATH,
        "app_dir": APP_DIR,
        "venv": VENV,
        "project_prefix": PROJECT_PREFIX,
    }
