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
class HistoryEntry:
    """One instruction in an image's history and the bytes its layer holds (0: it only changed the config;
    None: the builder did not tell)."""

    created_by: str
    size: int | None
    empty: bool = False


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
    #: The history with each layer's size, oldest first (buildah: layer tar bytes; docker: file bytes).
    entries: tuple[HistoryEntry, ...] = ()

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
    raw_history = oci.get("history") or []
    history = tuple(" ".join(filter(None, (h.get("created_by"), h.get("comment")))) for h in raw_history)
    # Each history entry that is not an empty layer made the next layer of the manifest.
    layer_sizes = iter(sizes) if sum(not h.get("empty_layer") for h in raw_history) == len(sizes) else iter(())
    entries = tuple(
        HistoryEntry(h.get("created_by") or "", 0 if h.get("empty_layer") else next(layer_sizes, None),
                     bool(h.get("empty_layer")))
        for h in raw_history
    )
    return _image_info(
        config,
        ref=data.get("FromImage", ""),
        id=data.get("FromImageID", ""),
        diff_ids=tuple((oci.get("rootfs") or {}).get("diff_ids") or ()),
        layer_sizes=sizes,
        history=history,
        entries=entries,
    )


def parse_docker_inspect(data: dict, entries: Sequence[HistoryEntry] = ()) -> ImageInfo:
    """An :class:`ImageInfo` from one element of ``docker image inspect`` (or podman) JSON, plus the image's
    history from :func:`parse_docker_history`."""
    config = data.get("Config") or {}
    return _image_info(
        config,
        ref=(data.get("RepoTags") or [""])[0],
        id=data.get("Id", ""),
        diff_ids=tuple((data.get("RootFS") or {}).get("Layers") or ()),
        reported_size=data.get("Size"),
        history=tuple(entry.created_by for entry in entries),
        entries=tuple(entries),
    )


#: The ``docker history`` format :func:`parse_docker_history` reads: bytes, a tab, the instruction.
DOCKER_HISTORY_FORMAT = "{{.Size}}\t{{.CreatedBy}}"


def parse_docker_history(text: str) -> tuple[HistoryEntry, ...]:
    """Oldest-first entries from ``docker history --no-trunc --human=false --format DOCKER_HISTORY_FORMAT``
    (which prints the newest first; sizes are the bytes of the files in each layer)."""
    entries = []
    for line in text.splitlines():
        size, sep, created_by = line.partition("\t")
        if sep and size.strip().isdigit():
            entries.append(HistoryEntry(created_by.strip(), int(size)))
    return tuple(reversed(entries))


def own_entries(image: ImageInfo, base: ImageInfo | None) -> tuple[HistoryEntry, ...] | None:
    """The history entries the image has on top of ``base`` (all of them without a base); None when the
    image's history does not start with the base's."""
    if base is None:
        return image.entries
    start = len(base.entries)
    if [e.created_by for e in image.entries[:start]] != [e.created_by for e in base.entries]:
        return None
    return image.entries[start:]


_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s*")
_RUN_ARGS = re.compile(r"^RUN \|\d+ (?:\S+=\S* )*")


def instruction_label(created_by: str, limit: int = 72) -> str:
    """A history entry's ``created_by`` as a short instruction: no ``#(nop)`` or ``# buildkit`` noise."""
    text = _NOP.sub("", created_by.strip())
    text = _RUN_ARGS.sub("RUN ", text).removesuffix("# buildkit").strip()
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def layer_table(entries: Sequence[HistoryEntry], instructions: Sequence[str] = ()) -> list[tuple[int, str]]:
    """(bytes, instruction) for each entry that added bytes, largest first. When ``instructions`` (the
    Dockerfile's, one per entry) match the entries one to one, they name the rows; else the history does."""
    named = len(instructions) == len(entries)
    rows = [(entry.size, instruction_label(instructions[i] if named else entry.created_by))
            for i, entry in enumerate(entries) if entry.size]
    return sorted(rows, key=lambda row: -row[0])


def bytes_above(image: ImageInfo, base: ImageInfo | None) -> int | None:
    """Bytes the image adds on top of ``base``: its layers after the base's, or the size difference."""
    if base is None:
        return None
    if image.layer_sizes and image.diff_ids[: base.layers] == base.diff_ids:
        return sum(image.layer_sizes[base.layers:])
    own = own_entries(image, base) if base.entries else None
    if own is not None and all(entry.size is not None for entry in own):
        return sum(entry.size or 0 for entry in own)
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


def runtime_instructions(dockerfile_text: str) -> list[str]:
    """The instructions that build on the runtime base image: the last stage's and those of the stages it
    starts FROM (oldest first), without ARG (which makes no history entry). Empty if the text can't be read."""
    try:
        all_stages = dockerfile_stages(dockerfile_text)
    except ValueError:
        return []
    chain = []
    index: int | None = len(all_stages) - 1 if all_stages else None
    while index is not None:
        stage = all_stages[index]
        chain.append(stage)
        # A stage can only start FROM a stage before it; the nearest one of that name.
        index = next((i for i in range(index - 1, -1, -1)
                      if (all_stages[i].name or "").lower() == stage.base.lower()), None)
    return [f"{i.keyword} {i.value}" for stage in reversed(chain) for i in stage.instructions if i.keyword != "ARG"]


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

