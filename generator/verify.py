"""Proof by real build: build a Dockerfile, run the image the way its config says, ask it over HTTP,
stop it with SIGTERM, and report what the image costs.

The CLI (`dockgen verify`) is a thin layer over :func:`verify`; the e2e tests call it directly and use
the ``while_running`` hook to look inside the running container.

Builders: :class:`DockerBuilder` and :class:`PodmanBuilder` drive their CLIs (``build``, ``run -d -p``,
``stop``, ``image inspect``). :class:`BuildahBuilder` has no daemon to run containers, so it runs the
image itself, as a container runtime would: the image's rootfs (``buildah mount``) becomes the root of a
new PID and mount namespace (``unshare``), with the image's Env, USER, WORKDIR and ENTRYPOINT + CMD;
the first process is PID 1 of its namespace, so signal handling is the real thing. It shares the
host's network, so the app's port is reached on localhost. This needs root.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .builders import (BUILDER_CLASSES, BUILDERS, BuildahBuilder, Builder, DockerBuilder,
                       PodmanBuilder, choose_builder)
from .containers import (CliContainer, NamespaceContainer, Running, added_files, free_port,
                         http_get, lookup_user, port_free, stream, user_name, walk_files)
from .errors import UserError
from .images import (TAIL_LINES, BuildResult, HistoryEntry, ImageInfo, Output, Step, VerifyFailed, bytes_above,
                     instruction_label,
                     layer_table, own_entries, parse_buildah_inspect, parse_docker_history, parse_docker_inspect,
                     parse_steps, runtime_base, runtime_instructions)

# The public API lives in four modules; verify re-exports it so callers need only this one.
__all__ = [
    "added_files", "BUILD_VOLUMES_ENV", "BuildahBuilder", "Builder", "BUILDER_CLASSES", "BUILDERS", "BuildResult",
    "bytes_above", "choose_builder", "CliContainer", "DockerBuilder", "first_line", "free_port", "HistoryEntry",
    "http_get", "human", "ImageInfo", "instruction_label", "layer_table", "lookup_user", "NamespaceContainer",
    "own_entries", "parse_build_volumes", "parse_buildah_inspect", "parse_docker_history", "parse_docker_inspect",
    "parse_steps", "PodmanBuilder", "port_free", "Running", "runtime_base", "runtime_instructions", "short_size",
    "Step",
    "STOP_GRACE", "STOP_LIMIT", "stream", "TAIL_LINES", "user_name", "verify", "VerifyFailed", "VerifyReport",
    "wait_for_port", "walk_files",
]

#: Environment variable with extra `-v SRC:DST[:OPTS]` volumes for RUN steps (buildah/podman), separated
#: by whitespace or commas. For test harnesses (e.g. the host CA bundle); not for generated Dockerfiles.
BUILD_VOLUMES_ENV = "DOCKGEN_VERIFY_BUILD_VOLUMES"
STOP_GRACE = 10.0
#: What the stop time must stay under to count as a proper SIGTERM shutdown (the PID-1 check).
STOP_LIMIT = 3.0


@dataclass
class VerifyReport:
    builder: str
    image: str
    base: str | None
    build_seconds: float
    image_size: int | None
    base_size: int | None
    above_base: int | None
    layers: int
    port: int
    path: str
    status: int
    body: str
    uid: int | None
    user: str
    stop_seconds: float
    steps: list[Step] = field(default_factory=list)
    kept: bool = False
    #: (bytes, instruction) of each layer above the runtime base that holds bytes, largest first.
    layer_rows: list[tuple[int, str]] = field(default_factory=list)
    #: Instructions above the base in the image's history (those in ``layer_rows`` and the config-only ones).
    own_instructions: int = 0

    @property
    def cached_steps(self) -> int:
        return sum(step.cached for step in self.steps)

    def lines(self) -> list[str]:
        who = "unknown" if self.uid is None else f"uid {self.uid}" + (f" ({self.user})" if self.user else "")
        rows = [
            ("image", self.image + ("  (kept)" if self.kept else "")),
            ("builder", self.builder),
            ("build time", f"{self.build_seconds:.1f} s ({self.cached_steps}/{len(self.steps)} steps cached)"),
            ("image size", human(self.image_size)),
            ("runtime base", self.base or "unknown"),
            ("above base", human(self.above_base)),
            ("layers", str(self.layers)),
            ("runs as", who),
            (f"GET {self.path}", f"{self.status} on port {self.port}: {first_line(self.body)}"),
            ("stop after SIGTERM", f"{self.stop_seconds:.2f} s"),
        ]
        width = max(len(k) for k, _ in rows)
        lines = [f"{k:<{width}}  {v}" for k, v in rows]
        if self.layer_rows:
            lines.append(f"{'layer sizes':<{width}}  {len(self.layer_rows)} of {self.own_instructions} instructions "
                         "above the base added bytes, largest first:")
            lines += [f"  {short_size(size):>9}  {text}" for size, text in self.layer_rows]
        return lines


def human(n: int | None) -> str:
    if n is None:
        return "unknown"
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if abs(value) < 1000 or unit == "GB":
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit} ({n} B)"
        value /= 1000
    return str(n)


def short_size(n: int) -> str:
    """``n`` bytes in a table cell: 512 B, 27.8 kB, 332.8 MB."""
    value = float(n)
    for unit in ("B", "kB", "MB"):
        if abs(value) < 1000:
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def first_line(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def parse_build_volumes(text: str | None) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text or "") if part]


# --------------------------------------------------------------------------- verify


def wait_for_port(running: Running, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not running.alive():
            raise VerifyFailed("the container exited before listening on port "
                               f"{running.port}; its output:", running.logs())
        try:
            with socket.create_connection(("127.0.0.1", running.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise VerifyFailed(f"nothing listened on port {running.port} within {timeout:.0f} s; the container's output:",
                       running.logs())


def verify(
    directory: Path | str = ".",
    *,
    builder: Builder | str | None = None,
    path: str = "/",
    expect: str | None = None,
    keep: bool = False,
    timeout: float = 60.0,
    tag: str | None = None,
    volumes: Sequence[str] | None = None,
    extra_build_args: Sequence[str] = (),
    dockerfile: Path | str | None = None,
    network: str | None = None,
    port: int | None = None,
    on_output: Output | None = None,
    while_running: Callable[[Running, ImageInfo], None] | None = None,
    build_hook: Callable[[BuildResult], None] | None = None,
) -> VerifyReport:
    """Build ``directory``'s Dockerfile (or ``dockerfile``, with ``directory`` as the context), run it, GET
    ``path``, stop it; raise :class:`VerifyFailed` on any failure, :class:`UserError` on bad input.
    ``network`` (e.g. ``host``) is the network of the build's RUN steps and of the container; ``port`` the
    host port to reach the app on (default: its EXPOSEd port when free; see :meth:`Builder.run`).
    ``while_running(running, image)`` runs after the GET succeeded, before SIGTERM: a place for more checks
    against the live container."""
    directory = Path(directory)
    if dockerfile is None:
        dockerfile = directory / "Dockerfile"
        if not dockerfile.is_file():
            raise UserError("no Dockerfile here; write one with `dockgen render`", source=str(directory))
    else:
        dockerfile = Path(dockerfile)
        if not dockerfile.is_file():
            raise UserError(f"{dockerfile} is not a file; allowed: the path of a Dockerfile", key="--file")
    if network is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", network):
        raise UserError(f"{network!r} is not a network name; allowed: host, none or a network's name",
                        key="--network")
    if not path.startswith("/"):
        raise UserError(f"{path!r} is not an absolute URL path; allowed: paths starting with /", key="--path")
    if not isinstance(builder, Builder):
        passed_over: list[str] = []
        builder = choose_builder(builder, passed_over)
        for warning in passed_over:
            if on_output:
                on_output(f"warning: {warning}")
    if network is not None:
        builder.network = network
    if volumes is None:
        volumes = parse_build_volumes(os.environ.get(BUILD_VOLUMES_ENV))
    tag = tag or f"localhost/dockgen-verify-{uuid.uuid4().hex[:10]}:latest"
    text = dockerfile.read_text(encoding="utf-8")
    base_ref = runtime_base(text)

    built = False
    try:
        build = builder.build(directory, dockerfile, tag, on_output, volumes, extra_build_args)
        built = True
        if build_hook:
            build_hook(build)
        image = builder.inspect(tag)
        if image is None:
            raise VerifyFailed(f"the built image {tag} cannot be inspected", build.tail())
        if not image.exposed_ports:
            raise VerifyFailed("the image EXPOSEs no TCP port: nothing to request")
        base = builder.inspect(base_ref) if base_ref else None
        with builder.run(image, tag, port) as running:
            wait_for_port(running, timeout)
            try:
                status, body = running.get(path)
            except (OSError, http.client.HTTPException) as exc:
                raise VerifyFailed(f"GET {path} on port {running.port} failed: {exc}", running.logs()) from None
            if not 200 <= status < 300:
                raise VerifyFailed(f"GET {path} answered {status}, not 2xx: {first_line(body)}", running.logs())
            if expect is not None and expect not in body:
                raise VerifyFailed(f"GET {path} answered {status} without {expect!r}: {first_line(body)}")
            uid = running.app_uid()
            name = user_name(uid, running.rootfs)
            if while_running:
                while_running(running, image)
            stop_seconds = running.stop(STOP_GRACE)
            logs = running.logs()
        if stop_seconds >= STOP_GRACE:
            raise VerifyFailed(f"the container ignored SIGTERM: still running after {STOP_GRACE:.0f} s "
                               "(is PID 1 an init like tini, or does the app handle SIGTERM?)", logs)
        own = own_entries(image, base) if base or not base_ref else None
        return VerifyReport(
            builder=builder.name, image=tag, base=base_ref, build_seconds=build.seconds,
            image_size=image.size, base_size=base.size if base else None, above_base=bytes_above(image, base),
            layers=image.layers, port=running.port, path=path, status=status, body=body, uid=uid, user=name,
            stop_seconds=stop_seconds, steps=build.steps, kept=keep,
            layer_rows=layer_table(own, runtime_instructions(text)) if own else [],
            own_instructions=len(own or ()),
        )
    finally:
        if built and not keep:
            builder.remove(tag)
