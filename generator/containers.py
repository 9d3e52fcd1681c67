"""Running an image and looking at it: containers started by a daemon's CLI (docker, podman) or, for buildah,
the image's root filesystem run in its own PID and mount namespace; plus the small process, port and HTTP
helpers they share."""

from __future__ import annotations

import contextlib
import http.client
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

from .images import TAIL_LINES, ImageInfo, Output, VerifyFailed


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

    def __init__(self, cli: str, image: str, container_port: int, network: str | None = None,
                 port: int | None = None):
        self.cli = cli
        self.port = port or (container_port if port_free(container_port) else free_port())
        self.name = f"dockgen-verify-{uuid.uuid4().hex[:8]}"
        argv = [cli, "run", "-d", "--name", self.name]
        if network == "host":
            # No port mapping on the host network: the app listens on the host, on $PORT when its port is taken.
            argv += ["--network", "host"] + (["-e", f"PORT={self.port}"] if self.port != container_port else [])
        else:
            argv += [*(["--network", network] if network else []), "-p", f"127.0.0.1:{self.port}:{container_port}"]
        _run([*argv, image])
        self.stopped = False
        self.rootfs = self._merged_dir()

    def _merged_dir(self) -> Path | None:
        """The container's root filesystem on this host (overlay storage, a local daemon and root); else None."""
        proc = _run([self.cli, "inspect", "-f", "{{.GraphDriver.Data.MergedDir}}", self.name], check=False)
        path = Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip().startswith("/") else None
        return path if path is not None and os.access(path, os.R_OK | os.X_OK) and path.is_dir() else None

    def alive(self) -> bool:
        proc = _run([self.cli, "inspect", "-f", "{{.State.Running}}", self.name], check=False)
        return proc.stdout.strip() == "true"

    def app_uid(self) -> int | None:
        """The uid of the container's innermost process (the app under its init), read from /proc when the
        daemon runs on this host, else from ``top``."""
        proc = _run([self.cli, "inspect", "-f", "{{.State.Pid}}", self.name], check=False)
        pid = int(proc.stdout.strip()) if proc.stdout.strip().isdigit() else 0
        if pid > 0 and os.path.exists(f"/proc/{pid}"):
            while children := _children(pid):
                pid = children[0]
            return _status_uid(pid)
        proc = _run([self.cli, "top", self.name, "-eo", "pid,uid,args"], check=False)  # docker needs the PID column
        rows = [line.split(None, 2) for line in proc.stdout.splitlines()[1:] if line.strip()]
        rows = [row for row in rows if len(row) > 1 and row[1].isdigit()]
        return int(rows[-1][1]) if rows else None

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

