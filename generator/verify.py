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

import contextlib
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .dockerfile import stages as dockerfile_stages
from .errors import UserError

BUILDERS = ("docker", "buildah", "podman")
#: Environment variable with extra `-v SRC:DST[:OPTS]` volumes for RUN steps (buildah/podman), separated
#: by whitespace or commas. For test harnesses (e.g. the host CA bundle); not for generated Dockerfiles.
BUILD_VOLUMES_ENV = "DOCKGEN_VERIFY_BUILD_VOLUMES"
TAIL_LINES = 30
STOP_GRACE = 10.0
#: What the stop time must stay under to count as a proper SIGTERM shutdown (the PID-1 check).
STOP_LIMIT = 3.0

Output = Callable[[str], None]


class VerifyFailed(Exception):
    """The image did not build, start, answer or stop as it should. ``tail`` holds the relevant output."""

    exit_code = 1

    def __init__(self, message: str, tail: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.tail = list(tail)


# --------------------------------------------------------------------------- data


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
        return [f"{k:<{width}}  {v}" for k, v in rows]


def human(n: int | None) -> str:
    if n is None:
        return "unknown"
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if abs(value) < 1000 or unit == "GB":
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit} ({n} B)"
        value /= 1000
    return str(n)


def first_line(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


# --------------------------------------------------------------------------- helpers


def _run(argv: Sequence[str], *, check: bool = True, timeout: float | None = 120) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).splitlines()[-TAIL_LINES:]
        raise VerifyFailed(f"{shlex.join(argv[:3])} ... failed with exit code {proc.returncode}", tail)
    return proc


def stream(argv: Sequence[str], on_line: Output | None, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    """Run ``argv``, passing each output line (stdout and stderr merged) to ``on_line`` as it comes."""
    lines: list[str] = []
    with subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", bufsize=1, env=env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            lines.append(line)
            if on_line:
                on_line(line)
    return proc.returncode, lines


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 10.0) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def parse_build_volumes(text: str | None) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text or "") if part]


def walk_files(root: Path, skip: Sequence[str] = ("proc", "dev", "sys")) -> dict[str, tuple[int, int]]:
    """Every file, symlink and directory under ``root``: relative path -> (size, mtime in ns)."""
    found: dict[str, tuple[int, int]] = {}
    for top, dirs, files in os.walk(root):
        rel_top = os.path.relpath(top, root)
        if rel_top == ".":
            dirs[:] = [d for d in dirs if d not in skip]
        for name in [*dirs, *files]:
            path = os.path.join(top, name)
            with contextlib.suppress(OSError):
                st = os.lstat(path)
                size = st.st_size if not os.path.isdir(path) or os.path.islink(path) else 0
                found[os.path.normpath(os.path.join(rel_top, name))] = (size, st.st_mtime_ns)
    return found


def added_files(root: Path, base_root: Path) -> dict[str, int]:
    """Paths in ``root`` that are new or changed compared to ``base_root``, with their sizes: what the
    image's own layers put on top of its base, by file."""
    base = walk_files(base_root)
    return {path: meta[0] for path, meta in walk_files(root).items() if base.get(path) != meta}


# --------------------------------------------------------------------------- running containers


class Running(ABC):
    """A started container: where to reach it, who it runs as, and how to stop it."""

    port: int
    #: The container's root filesystem on the host, where the builder exposes it (buildah).
    rootfs: Path | None = None

    def get(self, path: str = "/", timeout: float = 10.0) -> tuple[int, str]:
        return http_get(self.port, path, timeout)

    @abstractmethod
    def alive(self) -> bool: ...

    @abstractmethod
    def app_uid(self) -> int | None: ...

    @abstractmethod
    def stop(self, grace: float) -> float:
        """Send SIGTERM, wait up to ``grace`` seconds, kill if needed; return the seconds it took."""

    @abstractmethod
    def logs(self) -> list[str]: ...

    @abstractmethod
    def close(self) -> None: ...


def _children(pid: int) -> list[int]:
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def _status_uid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def lookup_user(spec: str, rootfs: Path) -> tuple[int, int]:
    """uid and gid for a USER value (``name``, ``uid``, ``name:group``, ``uid:gid``) via the image's files."""
    user, _, group = (spec or "0").partition(":")

    def table(name: str) -> list[list[str]]:
        try:
            text = (rootfs / "etc" / name).read_text(errors="replace")
        except OSError:
            return []
        return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]

    passwd = table("passwd")
    if user.isdigit():
        uid = int(user)
        gid = next((int(row[3]) for row in passwd if len(row) > 3 and row[2] == user), uid)
    else:
        row = next((row for row in passwd if row[0] == user and len(row) > 3), None)
        if row is None:
            raise VerifyFailed(f"USER {spec}: no user {user!r} in the image's /etc/passwd")
        uid, gid = int(row[2]), int(row[3])
    if group:
        if group.isdigit():
            gid = int(group)
        else:
            row = next((row for row in table("group") if row[0] == group and len(row) > 2), None)
            if row is None:
                raise VerifyFailed(f"USER {spec}: no group {group!r} in the image's /etc/group")
            gid = int(row[2])
    return uid, gid


def user_name(uid: int | None, rootfs: Path | None) -> str:
    if uid is None or rootfs is None:
        return ""
    try:
        for line in (rootfs / "etc" / "passwd").read_text(errors="replace").splitlines():
            row = line.split(":")
            if len(row) > 2 and row[2] == str(uid):
                return row[0]
    except OSError:
        pass
    return ""


#: Run by /bin/sh as PID 1 of the new namespaces: give the rootfs /dev and /proc (private mounts, gone
#: with the namespace), then exec into the image's root as its user; the entrypoint becomes PID 1.
_NAMESPACE_INIT = r"""
set -e
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
root=$1 wd=$2 uid=$3 gid=$4 unshare=$5 image_path=$6; shift 6
mkdir -p "$root/dev" "$root/proc" "$root/tmp"
mount -t tmpfs -o mode=0755,nosuid tmpfs "$root/dev"
for d in null zero full random urandom tty; do
  : > "$root/dev/$d"; mount --bind "/dev/$d" "$root/dev/$d"
done
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"; ln -s /proc/self/fd/1 "$root/dev/stdout"; ln -s /proc/self/fd/2 "$root/dev/stderr"
mkdir -p "$root/dev/shm" "$root/dev/pts"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
PATH=$image_path exec "$unshare" --root="$root" --wd="$wd" --setgid="$gid" --setuid="$uid" -- "$@"
"""


class NamespaceContainer(Running):
    """An image's rootfs run in its own PID + mount namespace on the host network (buildah path)."""

    def __init__(self, rootfs: Path, image: ImageInfo, port: int, env_overrides: dict[str, str]):
        self.rootfs = rootfs
        self.port = port
        argv = image.argv
        if not argv:
            raise VerifyFailed("the image has neither ENTRYPOINT nor CMD")
        uid, gid = lookup_user(image.user, rootfs)
        env = image.env_dict()
        env.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        env.update(env_overrides)
        unshare = shutil.which("unshare") or "/usr/bin/unshare"
        self._log = tempfile.TemporaryFile(mode="w+", prefix="dockgen-verify-")
        # The shell finds mount and mkdir through the host's PATH; the entrypoint is looked up after the
        # chroot with the image's PATH.
        self._proc = subprocess.Popen(
            [unshare, "--mount", "--pid", "--fork", "--kill-child", "--propagation", "private",
             "/bin/sh", "-c", _NAMESPACE_INIT, "sh", str(rootfs), image.workdir or "/", str(uid), str(gid), unshare,
             env["PATH"], *argv],
            env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def pid1(self) -> int | None:
        """Host PID of the namespace's PID 1 (unshare's forked child)."""
        children = _children(self._proc.pid)
        return children[0] if children else None

    def alive(self) -> bool:
        return self._proc.poll() is None

    def app_pid(self) -> int | None:
        pid = self.pid1()
        while pid is not None:
            children = _children(pid)
            if not children:
                return pid
            pid = children[0]
        return None

    def app_uid(self) -> int | None:
        pid = self.app_pid()
        return None if pid is None else _status_uid(pid)

    def stop(self, grace: float) -> float:
        pid = self.pid1()
        start = time.monotonic()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        try:
            self._proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pid = self.pid1()
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self._proc.kill()
            self._proc.wait()
        return time.monotonic() - start

    def logs(self) -> list[str]:
        self._log.seek(0)
        return self._log.read().splitlines()[-TAIL_LINES:]

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._log.close()


class CliContainer(Running):
    """A container started with ``docker run -d`` (or podman)."""

    def __init__(self, cli: str, image: str, container_port: int):
        self.cli = cli
        self.port = free_port() if not port_free(container_port) else container_port
        self.name = f"dockgen-verify-{uuid.uuid4().hex[:8]}"
        _run([cli, "run", "-d", "--name", self.name, "-p", f"127.0.0.1:{self.port}:{container_port}", image])
        self.stopped = False

    def alive(self) -> bool:
        proc = _run([self.cli, "inspect", "-f", "{{.State.Running}}", self.name], check=False)
        return proc.stdout.strip() == "true"

    def app_uid(self) -> int | None:
        proc = _run([self.cli, "top", self.name, "-eo", "uid,args"], check=False)
        rows = [line.split(None, 1) for line in proc.stdout.splitlines()[1:] if line.strip()]
        rows = [row for row in rows if row and row[0].isdigit()]
        if not rows:
            return None
        node = [row for row in rows if len(row) > 1 and "node" in row[1]]
        return int((node or rows)[-1][0])

    def stop(self, grace: float) -> float:
        start = time.monotonic()
        _run([self.cli, "stop", "-t", str(int(grace)), self.name], check=False, timeout=grace + 30)
        self.stopped = True
        return time.monotonic() - start

    def logs(self) -> list[str]:
        proc = _run([self.cli, "logs", self.name], check=False)
        return (proc.stdout + proc.stderr).splitlines()[-TAIL_LINES:]

    def close(self) -> None:
        _run([self.cli, "rm", "-f", self.name], check=False)


# --------------------------------------------------------------------------- builders


class Builder(ABC):
    name: str

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
    def run(self, image: ImageInfo, tag: str) -> Iterator[Running]: ...

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
    def run(self, image: ImageInfo, tag: str) -> Iterator[Running]:
        container = _run(["buildah", "from", "--pull=never", tag]).stdout.strip().splitlines()[-1]
        running: NamespaceContainer | None = None
        try:
            rootfs = Path(_run(["buildah", "mount", container]).stdout.strip())
            port = image.exposed_ports[0]
            overrides = {}
            if not port_free(port):
                port = free_port()
                overrides["PORT"] = str(port)
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


class DockerBuilder(Builder):
    name = "docker"
    cli = "docker"

    @classmethod
    def unavailable(cls) -> str | None:
        if not shutil.which(cls.cli):
            return f"{cls.cli} is not installed"
        try:
            proc = subprocess.run([cls.cli, "info"], capture_output=True, text=True, timeout=15)
        except subprocess.TimeoutExpired:
            return f"`{cls.cli} info` did not answer"
        if proc.returncode != 0:
            return f"`{cls.cli} info` failed (is the daemon running?)"
        return None

    def build(self, context: Path, dockerfile: Path, tag: str, on_line: Output | None,
              volumes: Sequence[str] = (), extra: Sequence[str] = ()) -> BuildResult:
        if volumes:
            raise UserError("docker build cannot mount volumes into RUN steps; build volumes need buildah or podman")
        argv = [self.cli, "build", "-f", str(dockerfile), "-t", tag, *extra, str(context)]
        env = {**os.environ, "DOCKER_BUILDKIT": "1", "BUILDKIT_PROGRESS": "plain"}
        return self._timed_build(argv, tag, on_line, env)

    def inspect(self, ref: str) -> ImageInfo | None:
        proc = _run([self.cli, "image", "inspect", ref], check=False)
        if proc.returncode != 0:
            return None
        data = json.loads(proc.stdout)
        return parse_docker_inspect(data[0]) if data else None

    @contextlib.contextmanager
    def run(self, image: ImageInfo, tag: str) -> Iterator[Running]:
        running = CliContainer(self.cli, tag, image.exposed_ports[0])
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
        for volume in volumes:
            argv += ["-v", volume]
        return self._timed_build([*argv, *extra, str(context)], tag, on_line)


BUILDER_CLASSES: dict[str, type[Builder]] = {
    "docker": DockerBuilder, "buildah": BuildahBuilder, "podman": PodmanBuilder,
}


def choose_builder(name: str | None = None) -> Builder:
    """The named builder, or the first available of docker, buildah, podman; UserError if none can run."""
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
            return BUILDER_CLASSES[candidate]()
        reasons.append(reason)
    raise UserError("no container builder is available (" + "; ".join(reasons)
                    + "); install docker (with a running daemon), buildah or podman")


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
    on_output: Output | None = None,
    while_running: Callable[[Running, ImageInfo], None] | None = None,
    build_hook: Callable[[BuildResult], None] | None = None,
) -> VerifyReport:
    """Build ``directory``'s Dockerfile, run it, GET ``path``, stop it; raise :class:`VerifyFailed` on any
    failure, :class:`UserError` on bad input. ``while_running(running, image)`` runs after the GET
    succeeded, before SIGTERM: a place for more checks against the live container."""
    directory = Path(directory)
    dockerfile = directory / "Dockerfile"
    if not dockerfile.is_file():
        raise UserError("no Dockerfile here; write one with `dockgen render`", source=str(directory))
    if not path.startswith("/"):
        raise UserError(f"{path!r} is not an absolute URL path; allowed: paths starting with /", key="--path")
    if not isinstance(builder, Builder):
        builder = choose_builder(builder)
    if volumes is None:
        volumes = parse_build_volumes(os.environ.get(BUILD_VOLUMES_ENV))
    tag = tag or f"localhost/dockgen-verify-{uuid.uuid4().hex[:10]}:latest"
    base_ref = runtime_base(dockerfile.read_text(encoding="utf-8"))

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
        with builder.run(image, tag) as running:
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
        return VerifyReport(
            builder=builder.name, image=tag, base=base_ref, build_seconds=build.seconds,
            image_size=image.size, base_size=base.size if base else None, above_base=bytes_above(image, base),
            layers=image.layers, port=running.port, path=path, status=status, body=body, uid=uid, user=name,
            stop_seconds=stop_seconds, steps=build.steps, kept=keep,
        )
    finally:
        if built and not keep:
            builder.remove(tag)
