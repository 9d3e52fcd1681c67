"""Go: the images of each runtime base and the context the templates in ``templates/go/`` get."""

from __future__ import annotations

from dataclasses import dataclass

from .model import GoPreset

#: The Debian release of the distroless runtimes, and so of the golang image a cgo binary is linked in
#: (it must find the same glibc at run time).
DEBIAN_RELEASE = "trixie"
DISTROLESS_SUFFIX = "debian13"
#: The Alpine release of the alpine runtime (musl; the static binary does not depend on it).
ALPINE_RELEASE = "3.23"
#: distroless' nonroot user; scratch and alpine get the same uid (scratch with a passwd line naming it).
UID = 65532
#: Where the binary is built and where it lands in the runtime image.
BUILD_OUTPUT = "/out/app"
BINARY = "/app"

OUTPUTS = {"Dockerfile": "go/Dockerfile.jinja", ".dockerignore": "go/dockerignore.jinja"}


@dataclass(frozen=True)
class Images:
    build: str
    runtime: str


def images_for(preset: GoPreset) -> Images:
    v = preset.go_version
    if preset.base == "alpine":
        return Images(build=f"golang:{v}-alpine", runtime=f"alpine:{ALPINE_RELEASE}")
    build = f"golang:{v}-{DEBIAN_RELEASE}"
    if preset.base == "scratch":
        return Images(build=build, runtime="scratch")
    flavour = "base" if preset.cgo else "static"
    return Images(build=build, runtime=f"gcr.io/distroless/{flavour}-{DISTROLESS_SUFFIX}:nonroot")


def build_flags(preset: GoPreset) -> str:
    """`go build` flags: reproducible paths, no symbol table or DWARF, the tz database when a zone is set
    (it resolves on every base then, scratch included, and so do aliases Debian 13 moved to tzdata-legacy)."""
    flags = '-trimpath -ldflags="-s -w"'
    if preset.timezone:
        flags += " -tags timetzdata"
    return flags


def context_for(preset: GoPreset) -> dict[str, object]:
    return {
        "preset": preset,
        "images": images_for(preset),
        "uid": UID,
        "build_flags": build_flags(preset),
        "build_output": BUILD_OUTPUT,
        "binary": BINARY,
        "local_modules": preset.local_modules or (),
        # The mirror is a prefix of the RUN commands of the build stage only, never an ENV or ARG.
        "goproxy": f"GOPROXY={preset.registry_mirror} " if preset.registry_mirror else "",
    }
