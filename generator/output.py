"""Writing rendered files: all or nothing, never a half-written file."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from .errors import UserError


def existing(files: Mapping[str, str], out_dir: Path) -> list[str]:
    return [name for name in files if (out_dir / name).exists()]


#: Up to this many files each is flushed to disk with its own fsync; above it, one sync() flushes them
#: all (a thousand services' files: two fsyncs each would take seconds, one sync() a fraction of one).
FSYNC_EACH_UP_TO = 16


def write_files(files: Mapping[str, str], out_dir: Path, *, force: bool = False) -> list[Path]:
    """Write ``files`` into ``out_dir`` atomically (see :func:`write_many`)."""
    return write_many([(files, out_dir)], force=force)


def write_many(batches: Sequence[tuple[Mapping[str, str], Path]], *, force: bool = False) -> list[Path]:
    """Write each ``(files, out_dir)`` of ``batches`` atomically.

    Refuses (writing nothing at all) when a file exists and ``force`` is false. Every file is first
    written to a temporary file in its directory and flushed to disk, and only when all are written are
    they renamed into place: a failure while writing (a full disk) changes nothing, and each file is
    always either the old one or the new one, never a truncated one.
    """
    for _, out_dir in batches:
        if out_dir.exists() and not out_dir.is_dir():
            raise UserError("not a directory", source=str(out_dir))
    if not force:
        for files, out_dir in batches:
            clashes = existing(files, out_dir)
            if clashes:
                raise UserError(f"{', '.join(clashes)} already exist(s); use --force to overwrite or --check to "
                                "compare", source=str(out_dir))
    import tempfile  # here, not at the top: `dockgen render --stdout` and `--check` write nothing

    fsync_each = sum(len(files) for files, _ in batches) <= FSYNC_EACH_UP_TO
    staged: list[tuple[Path, Path]] = []
    current = Path(".")
    try:
        for files, current in batches:
            current.mkdir(parents=True, exist_ok=True)
            for name, text in files.items():
                fd, tmp = tempfile.mkstemp(dir=current, prefix=f".{name}.", suffix=".tmp")
                staged.append((Path(tmp), current / name))
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
                    handle.flush()
                    if fsync_each:
                        os.fsync(handle.fileno())
                os.chmod(tmp, 0o644)
        if not fsync_each:
            os.sync()
        written = []
        for tmp, target in staged:
            current = target.parent
            os.replace(tmp, target)
            written.append(target)
        return written
    except OSError as exc:
        raise UserError(f"cannot write: {exc.strerror or exc}", source=str(current)) from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


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
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise UserError(f"cannot read it to compare: {reason}", source=str(path)) from None
        if current == text:
            continue
        before = [] if current is None else current.splitlines(keepends=True)
        label = f"{path} (missing)" if current is None else str(path)
        chunks.append("".join(difflib.unified_diff(before, text.splitlines(keepends=True), label,
                                                   f"{path} (generated)")))
    return "".join(chunks)
