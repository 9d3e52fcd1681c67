"""What verify learns about images and builds: the image config (:class:`ImageInfo`) from ``buildah inspect``
or ``docker image inspect``, the bytes an image adds above its runtime base, and the build steps (and which
came from the cache) from buildah, BuildKit or classic docker output. Pure parsing: no process is started here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .dockerfile import stages as dockerfile_stages

TAIL_LINES = 30

Output = Callable[[str], None]


class VerifyFailed(Exception):
    """The image did not build, start, answer or stop as it should. ``tail`` holds the relevant output."""

    exit_code = 1

    def __init__(self, message: str, tail: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.tail = list(tail)



@dataclass(frozen=True)
class Step:
    """One build instruction as the builder announced it, and whether it came from the cache."""

    text: str
    cached: bool


@dataclass
class BuildResult:
    tag: str
    seconds: float
    lines: list[str]
    steps: list[Step]

    def tail(self, n: int = TAIL_LINES) -> list[str]:
        return self.lines[-n:]


@dataclass(frozen=True)
class ImageInfo:
    """What verify needs from an image's config and layers."""

    ref: str
    id: str = ""
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    user: str = ""
    workdir: str = ""
    env: tuple[str, ...] = ()
    exposed_ports: tuple[int, ...] = ()
    diff_ids: tuple[str, ...] = ()
    #: Uncompressed size of each layer, when the builder tells (buildah); else empty.
    layer_sizes: tuple[int, ...] = ()
    #: Total size as the builder reports it (docker/podman); the sum of ``layer_sizes`` otherwise.
    reported_size: int | None = None
    history: tuple[str, ...] = ()

    @property
    def size(self) -> int | None:
        if self.layer_sizes:
            return sum(self.layer_sizes)
        return self.reported_size

    @property
    def layers(self) -> int:
        return len(self.diff_ids)

    @property
    def argv(self) -> list[str]:
        return [*self.entrypoint, *self.cmd]

    def env_dict(self) -> dict[str, str]:
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in self.env)


def _ports(exposed: object) -> tuple[int, ...]:
    ports = []
    for key in exposed or {}:
        number, _, proto = str(key).partition("/")
        if number.isdigit() and proto in ("", "tcp"):
            ports.append(int(number))
    return tuple(sorted(ports))


def _image_info(config: dict, **fields: object) -> ImageInfo:
    """An :class:`ImageInfo` from an image config (the OCI/Docker ``config`` object) plus builder facts."""
    return ImageInfo(
        entrypoint=tuple(config.get("Entrypoint") or ()),
        cmd=tuple(config.get("Cmd") or ()),
        user=config.get("User") or "",
        workdir=config.get("WorkingDir") or "",
        env=tuple(config.get("Env") or ()),
        exposed_ports=_ports(config.get("ExposedPorts")),
        **fields,  # type: ignore[arg-type]
    )


def parse_buildah_inspect(data: dict) -> ImageInfo:
    """An :class:`ImageInfo` from ``buildah inspect --type image`` JSON."""
    oci = data.get("OCIv1") or {}
    config = oci.get("config") or {}
    try:
        manifest = json.loads(data.get("Manifest") or "{}")
    except json.JSONDecodeError:
        manifest = {}
    sizes = tuple(int(layer.get("size", 0)) for layer in manifest.get("layers", []))
    history = tuple(" ".join(filter(None, (h.get("created_by"), h.get("comment")))) for h in oci.get("history") or [])
    return _image_info(
        config,
        ref=data.get("FromImage", ""),
        id=data.get("FromImageID", ""),
        diff_ids=tuple((oci.get("rootfs") or {}).get("diff_ids") or ()),
        layer_sizes=sizes,
        history=history,
    )


def parse_docker_inspect(data: dict) -> ImageInfo:
    """An :class:`ImageInfo` from one element of ``docker image inspect`` (or podman) JSON."""
    config = data.get("Config") or {}
    return _image_info(
        config,
        ref=(data.get("RepoTags") or [""])[0],
        id=data.get("Id", ""),
        diff_ids=tuple((data.get("RootFS") or {}).get("Layers") or ()),
        reported_size=data.get("Size"),
    )


def bytes_above(image: ImageInfo, base: ImageInfo | None) -> int | None:
    """Bytes the image adds on top of ``base``: its layers after the base's, or the size difference."""
    if base is None:
        return None
    if image.layer_sizes and image.diff_ids[: base.layers] == base.diff_ids:
        return sum(image.layer_sizes[base.layers:])
    if image.size is not None and base.size is not None:
        return image.size - base.size
    return None


def runtime_base(dockerfile_text: str) -> str | None:
    """The image the last stage starts FROM, following stage names back to an image."""
    try:
        all_stages = dockerfile_stages(dockerfile_text)
    except ValueError:
        return None
    images: dict[str, str] = {}
    last = None
    for stage in all_stages:
        last = images.get(stage.base.lower(), stage.base)
        if stage.name:
            images[stage.name.lower()] = last
    if last is None or last.lower() == "scratch":
        return None
    return last


_BUILDAH_STEP = re.compile(r"^(?:\[\d+/\d+\] )?STEP \d+(?:/\d+)?: (.*)$")
_BUILDKIT_STEP = re.compile(r"^#(\d+) \[[^\]]*\] (.*)$")
_BUILDKIT_CACHED = re.compile(r"^#(\d+) CACHED\s*$")
_CLASSIC_STEP = re.compile(r"^Step \d+/\d+ : (.*)$")


def parse_steps(lines: Sequence[str]) -> list[Step]:
    """The build instructions and whether each was taken from the cache, from buildah, BuildKit or the
    classic docker builder output.

    buildah builds a stage on demand when a ``COPY --from`` needs it, so its steps nest: a step stays
    pending until its ``--> <id>`` line, and ``--> Using cache`` belongs to the innermost pending step.
    """
    steps: list[list] = []
    pending: list[int] = []
    buildkit: dict[str, int] = {}
    for line in lines:
        line = line.rstrip("\n")
        if m := _BUILDAH_STEP.match(line):
            steps.append([m.group(1), False])
            if not m.group(1).upper().startswith("FROM "):  # FROM prints no --> line of its own
                pending.append(len(steps) - 1)
        elif m := _CLASSIC_STEP.match(line):
            steps.append([m.group(1), False])
            pending[:] = [len(steps) - 1]
        elif m := _BUILDKIT_STEP.match(line):
            if m.group(1) not in buildkit:
                buildkit[m.group(1)] = len(steps)
                steps.append([m.group(2), False])
        elif m := _BUILDKIT_CACHED.match(line):
            if m.group(1) in buildkit:
                steps[buildkit[m.group(1)]][1] = True
        elif line.startswith("--> Using cache") or line.strip() == "---> Using cache":
            if pending:
                steps[pending[-1]][1] = True
        elif re.fullmatch(r"--> [0-9a-f]{6,}", line.strip()) and pending:
            pending.pop()
    return [Step(text, cached) for text, cached in steps]

