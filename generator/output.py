"""Writing rendered files: all or nothing, never a half-written file.

Decisions (README, "Writing files"): an existing file keeps its mode (and, for root, its owner); a new
file gets 0666 less the umask, as any editor would create it; a symbolic link is written through (the
file it points to is replaced, the link stays) and a dangling link, a link loop, a directory or a
special file (a device, a FIFO) where a file should go is refused.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from .errors import UserError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The file that writing ``path`` replaces (a symbolic link's target) and its status (None: new)."""
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        status = os.stat(real)
    except FileNotFoundError:
        if real != path:
            raise UserError(f"is a symbolic link to {real}, which does not exist; allowed: a link to a file, "
                            "or remove the link", source=str(path)) from None
        return real, None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError("is a symbolic link loop; allowed: a file or a link to one", source=str(path)) from None
        raise
    if stat.S_ISDIR(status.st_mode):
        raise UserError("is a directory; allowed: a file or a link to one", source=str(path))
    if not stat.S_ISREG(status.st_mode):
        raise UserError("is not a regular file (a device, FIFO or socket); allowed: a file or a link to one",
                        source=str(path))
    return real, status


def clash_message(clashes: list[str]) -> str:
    verb = "exists" if len(clashes) == 1 else "exist"
    return f"{' and '.join([', '.join(clashes[:-1]), clashes[-1]] if len(clashes) > 1 else clashes)} already {verb}"


def existing(files: Mapping[str, str], out_dir: Path) -> list[str]:
    """The names in ``files`` that already exist in ``out_dir`` (a symbolic link counts as existing)."""
    try:
        return [name for name in files if (out_dir / name).is_symlink() or (out_dir / name).exists()]
    except OSError as exc:
        raise UserError(f"cannot look into it: {_reason(exc)}", source=str(out_dir)) from None


def _missing_parents(out_dir: Path) -> list[Path]:
    """``out_dir`` and its ancestors that do not exist yet, deepest first (removed again on failure)."""
    missing = []
    current = out_dir
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    return missing


def write_files(files: Mapping[str, str], out_dir: Path, *, force: bool = False) -> list[Path]:
    """Write ``files`` into ``out_dir`` atomically.

    Refuses (writing nothing) when a file exists and ``force`` is false. Every file is first
    written to a temporary file beside the file it replaces, and only when all are written are they
    renamed into place: a failure while writing (a full disk) changes nothing, and each file is
    always either the old one or the new one, never a truncated one.
    """
    return write_groups({out_dir: files}, force=force)


#: Up to this many files each is flushed to disk with its own fsync; above it, one sync() flushes them
#: all before the renames (a thousand services' files: an fsync each would take seconds).
FSYNC_EACH_UP_TO = 16


def write_groups(groups: Mapping[Path, Mapping[str, str]], *, force: bool = False) -> list[Path]:
    """:func:`write_files` for files in several directories (``{directory: {name: text}}``): every check
    and every temporary file is done for all of them before the first one is renamed into place."""
    staged: list[tuple[Path, Path, Path]] = []
    created: list[Path] = []
    current = next(iter(groups), Path("."))
    try:
        targets: dict[Path, dict[str, tuple[Path, os.stat_result | None]]] = {}
        clashes: list[str] = []
        for out_dir, files in groups.items():
            current = out_dir
            if out_dir.exists() and not out_dir.is_dir():
                raise UserError("not a directory", source=str(out_dir))
            clashes += [str(out_dir / name) if len(groups) > 1 else name for name in existing(files, out_dir)]
            targets[out_dir] = {name: _target(out_dir / name) for name in files}
        if clashes and not force:
            where = {"source": str(current)} if len(groups) == 1 else {}
            raise UserError(f"{clash_message(clashes)}; use --force to overwrite or --check to compare", **where)
        new_mode = 0o666 & ~_umask()
        fsync_each = sum(len(files) for files in groups.values()) <= FSYNC_EACH_UP_TO
        for out_dir, files in groups.items():
            current = out_dir
            missing = _missing_parents(out_dir)
            out_dir.mkdir(parents=True, exist_ok=True)
            created = missing + created
            for name, text in files.items():
                target, status = targets[out_dir][name]
                staged.append((target, _stage(target, text, status, new_mode, fsync_each), out_dir / name))
        if not fsync_each:
            os.sync()
        written = []
        for target, tmp, path in staged:
            os.replace(tmp, target)
            written.append(path)
        created.clear()
        return written
    except OSError as exc:
        where = exc.filename if exc.filename and not str(exc.filename).endswith(".tmp") else current
        raise UserError(f"cannot write: {_reason(exc)}", source=str(where)) from None
    finally:
        for _, tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for directory in created:
            try:
                directory.rmdir()
            except OSError:
                pass


def _stage(target: Path, text: str, status: os.stat_result | None, new_mode: int, fsync: bool) -> Path:
    """``text`` in a temporary file beside ``target``, with the mode (and owner) the file will have; on disk
    when ``fsync`` (else the caller syncs)."""
    import tempfile  # here, not at the top: `dockgen render --stdout` and `--check` write nothing

    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except FileNotFoundError:  # the directory exists but takes no new files (/proc, /sys)
        raise UserError("cannot create files in this directory (No such file or directory)",
                        source=str(target.parent)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        if status is None:
            os.chmod(tmp, new_mode)
        else:
            os.chmod(tmp, stat.S_IMODE(status.st_mode))
            if os.geteuid() == 0 and (status.st_uid, status.st_gid) != (0, 0):
                os.chown(tmp, status.st_uid, status.st_gid)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def drift(files: Mapping[str, str], out_dir: Path) -> str:
    """A unified diff from the files on disk to ``files``; empty when they match."""
    import difflib  # here, not at the top: the fast `dockgen render --stdout` needs no diff

    chunks = []
    for name, text in files.items():
        path = out_dir / name
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
            raise UserError(f"cannot read it to compare: {reason}", source=str(path)) from None
        if current == text:
            continue
        before = [] if current is None else current.splitlines(keepends=True)
        label = f"{path} (missing)" if current is None else str(path)
        chunks.append("".join(difflib.unified_diff(before, text.splitlines(keepends=True), label,
                                                   f"{path} (generated)")))
    return "".join(chunks)
