"""The builders verify drives: buildah (run without a daemon, see :mod:`generator.containers`), docker and
podman; which one to use when none is named."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from .containers import CliContainer, NamespaceContainer, Running, _run, free_port, port_free, stream
from .errors import UserError
from .images import (DOCKER_HISTORY_FORMAT, TAIL_LINES, BuildResult, ImageInfo, Output, VerifyFailed,
                     parse_buildah_inspect, parse_docker_history, parse_docker_inspect, parse_steps)

BUILDERS = ("docker", "buildah", "podman")


class Builder(ABC):
    name: str
    #: ``--network`` for the build's RUN steps and the container (e.g. ``host``); None: the builder's default.
    network: str | None = None

    @classmethod
    @abstractmethod
    def unavailable(cls) -> str | None:
        """Why this builder cannot be used here, or None when it can."""

    @abstractmethod
    def build(self, context: Path, dockerfile: Path, tag: str, on_line: Output | None,
              volumes: Sequence[str] = (), extra: Sequence[str] = ()) -> BuildResult: ...

    @abstractmethod
    def inspect(self, ref: str) -> ImageInfo | None:
        """The image's config and layers; None when the image is not in local storage."""

    @abstractmethod
    @contextlib.contextmanager
    def run(self, image: ImageInfo, tag: str, port: int | None = None) -> Iterator[Running]:
        """Start ``tag``; it is reached on host port ``port`` (default: the EXPOSEd port, or a free one when that
        is taken; on the host network a port other than the EXPOSEd one is passed to the app as $PORT)."""

    @abstractmethod
    def remove(self, tag: str) -> None: ...

    def _timed_build(self, argv: list[str], tag: str, on_line: Output | None,
                     env: dict[str, str] | None = None) -> BuildResult:
        if on_line:
            on_line(f"$ {shlex.join(argv)}")
        start = time.monotonic()
        code, lines = stream(argv, on_line, env)
        seconds = time.monotonic() - start
        if code != 0:
            raise VerifyFailed(f"{self.name} build failed with exit code {code} after {seconds:.1f} s",
                               lines[-TAIL_LINES:])
        return BuildResult(tag=tag, seconds=seconds, lines=lines, steps=parse_steps(lines))


class BuildahBuilder(Builder):
    name = "buildah"

    @classmethod
    def unavailable(cls) -> str | None:
        if not shutil.which("buildah"):
            return "buildah is not installed"
        if os.geteuid() != 0:
            return "running images built with buildah needs root (unshare and mount)"
        if not shutil.which("unshare"):
            return "unshare (util-linux) is not installed"
        return None

    def build(self, context: Path, dockerfile: Path, tag: str, on_line: Output | None,
              volumes: Sequence[str] = (), extra: Sequence[str] = ()) -> BuildResult:
        argv = ["buildah", "bud", "--layers", "--pull=false", "-f", str(dockerfile), "-t", tag]
        if not os.environ.get("BUILDAH_ISOLATION"):
            argv[2:2] = ["--isolation", "chroot"]
        if self.network:
            argv += ["--network", self.network]
        for volume in volumes:
            argv += ["-v", volume]
        argv += [*extra, str(context)]
        return self._timed_build(argv, tag, on_line)

    def inspect(self, ref: str) -> ImageInfo | None:
        proc = _run(["buildah", "inspect", "--type", "image", ref], check=False)
        if proc.returncode != 0:
            return None
        return parse_buildah_inspect(json.loads(proc.stdout))

    @contextlib.contextmanager
    def run(self, image: ImageInfo, tag: str, port: int | None = None) -> Iterator[Running]:
        container = _run(["buildah", "from", "--pull=never", tag]).stdout.strip().splitlines()[-1]
        running: NamespaceContainer | None = None
        try:
            rootfs = Path(_run(["buildah", "mount", container]).stdout.strip())
            exposed = image.exposed_ports[0]
            port = port or (exposed if port_free(exposed) else free_port())
            overrides = {"PORT": str(port)} if port != exposed else {}
            running = NamespaceContainer(rootfs, image, port, overrides)
            yield running
        finally:
            if running is not None:
                running.close()
            _run(["buildah", "umount", container], check=False)
            _run(["buildah", "rm", container], check=False)

    def remove(self, tag: str) -> None:
        _run(["buildah", "rmi", tag], check=False)

    @contextlib.contextmanager
    def mounted(self, ref: str) -> Iterator[Path]:
        """The root filesystem of image ``ref``, mounted read-write in a throwaway working container."""
        container = _run(["buildah", "from", "--pull=never", ref]).stdout.strip().splitlines()[-1]
        try:
            yield Path(_run(["buildah", "mount", container]).stdout.strip())
        finally:
            _run(["buildah", "umount", container], check=False)
            _run(["buildah", "rm", container], check=False)


def _false(value: str | None) -> bool:
    return (value or "").strip().lower() in ("0", "f", "false", "no", "off")


def legacy_builder_reason(cli: str, env: Mapping[str, str] | None = None) -> str | None:
    """Why ``cli build`` would use docker's legacy builder (which cannot parse ``RUN --mount``), with the
    fix; None when it builds with BuildKit. Docker clients before 23 build with BuildKit when
    ``DOCKER_BUILDKIT=1`` (verify sets it); 23 and later build through the buildx plugin or not at all."""
    env = os.environ if env is None else env
    if _false(env.get("DOCKER_BUILDKIT")):
        return (f"DOCKER_BUILDKIT={env['DOCKER_BUILDKIT']} selects docker's legacy builder, which cannot build "
                "RUN --mount; unset DOCKER_BUILDKIT (or set it to 1)")
    try:
        proc = subprocess.run([cli, "version", "--format", "{{.Client.Version}}"], capture_output=True, text=True,
                              timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        return None  # whether the client runs at all is for `docker info` to say
    match = re.match(r"\s*(\d+)\.", proc.stdout)
    if not match or int(match.group(1)) < 23:
        return None
    try:
        buildx = subprocess.run([cli, "buildx", "version"], capture_output=True, text=True, timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        buildx = None
    if buildx is not None and buildx.returncode == 0:
        return None
    where = shutil.which(cli) or cli
    version = proc.stdout.strip().splitlines()[0]
    return (f"the docker {version} client ({where}) has no buildx plugin, so `docker build` would "
            "use the legacy builder, which cannot build RUN --mount; install buildx (Debian/Ubuntu: "
            "docker-buildx or docker-buildx-plugin) or put a docker client with BuildKit first on PATH")


class DockerBuilder(Builder):
    name = "docker"
    cli = "docker"

    def __init__(self, cli: str | None = None, network: str | None = None):
        if cli:
            self.cli = cli
        self.network = network

    @classmethod
    def unavailable(cls) -> str | None:
        return cls.client_problem(cls.cli)

    @classmethod
    def client_problem(cls, cli: str) -> str | None:
        if not shutil.which(cli):
            return f"{cli} is not installed"
        legacy = legacy_builder_reason(cli) if cls.name == "docker" else None  # podman has no legacy builder
        if legacy:
            return legacy
        try:
            proc = subprocess.run([cli, "info"], capture_output=True, text=True, timeout=15)
        except subprocess.TimeoutExpired:
            return f"`{cli} info` did not answer"
        if proc.returncode != 0:
            return f"`{cli} info` failed (is the daemon running?)"
        return None

    def build(self, context: Path, dockerfile: Path, tag: str, on_line: Output | None,
              volumes: Sequence[str] = (), extra: Sequence[str] = ()) -> BuildResult:
        if volumes:
            raise UserError("docker build cannot mount volumes into RUN steps; build volumes need buildah or podman")
        legacy = legacy_builder_reason(self.cli)
        if legacy:
            raise UserError(legacy, key="--builder")
        argv = [self.cli, "build", "-f", str(dockerfile), "-t", tag]
        if self.network:
            argv += ["--network", self.network]
        argv += [*extra, str(context)]
        env = {**os.environ, "DOCKER_BUILDKIT": "1", "BUILDKIT_PROGRESS": "plain"}
        return self._timed_build(argv, tag, on_line, env)

    def inspect(self, ref: str) -> ImageInfo | None:
        proc = _run([self.cli, "image", "inspect", ref], check=False)
        if proc.returncode != 0:
            return None
        data = json.loads(proc.stdout)
        if not data:
            return None
        history = _run([self.cli, "history", "--no-trunc", "--human=false", "--format", DOCKER_HISTORY_FORMAT, ref],
                       check=False)
        entries = parse_docker_history(history.stdout) if history.returncode == 0 else ()
        return parse_docker_inspect(data[0], entries)

    @contextlib.contextmanager
    def run(self, image: ImageInfo, tag: str, port: int | None = None) -> Iterator[Running]:
        running = CliContainer(self.cli, tag, image.exposed_ports[0], self.network, port)
        try:
            yield running
        finally:
            running.close()

    def remove(self, tag: str) -> None:
        _run([self.cli, "rmi", tag], check=False)


class PodmanBuilder(DockerBuilder):
    name = "podman"
    cli = "podman"

    def build(self, context: Path, dockerfile: Path, tag: str, on_line: Output | None,
              volumes: Sequence[str] = (), extra: Sequence[str] = ()) -> BuildResult:
        argv = [self.cli, "build", "--layers", "-f", str(dockerfile), "-t", tag]
        if self.network:
            argv += ["--network", self.network]
        for volume in volumes:
            argv += ["-v", volume]
        return self._timed_build([*argv, *extra, str(context)], tag, on_line)


BUILDER_CLASSES: dict[str, type[Builder]] = {
    "docker": DockerBuilder, "buildah": BuildahBuilder, "podman": PodmanBuilder,
}


def choose_builder(name: str | None = None, warnings: list[str] | None = None) -> Builder:
    """The named builder, or the first available of docker, buildah, podman; UserError if none can run.
    Passing over an installed builder (a stopped daemon, a legacy docker client) adds the reason to
    ``warnings``: the choice is then not the default the user may expect."""
    if name is not None:
        if name not in BUILDER_CLASSES:
            raise UserError(f"unknown builder {name!r}; allowed: {', '.join(BUILDERS)}", key="--builder")
        reason = BUILDER_CLASSES[name].unavailable()
        if reason:
            raise UserError(f"builder {name} is not available: {reason}", key="--builder")
        return BUILDER_CLASSES[name]()
    reasons = []
    for candidate in BUILDERS:
        reason = BUILDER_CLASSES[candidate].unavailable()
        if reason is None:
            if warnings is not None:
                warnings += [f"not using {skipped}: {why}" for skipped, why in zip(BUILDERS, reasons)
                             if not why.endswith(" is not installed")]
            return BUILDER_CLASSES[candidate]()
        reasons.append(reason)
    raise UserError("no container builder is available (" + "; ".join(reasons)
                    + "); install docker (with a running daemon), buildah or podman")

