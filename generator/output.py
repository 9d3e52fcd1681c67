"""Writing rendered files: all or nothing, never a half-written file."""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .errors import UserError


def existing(files: Mapping[str, str], out_dir: Path) -> list[str]:
    return [name for name in files if (out_dir / name).exists()]


def write_files(files: Mapping[str, str], out_dir: Path, *, force: bool = False) -> list[Path]:
    """Write ``files`` into ``out_dir`` atomically.

    Refuses (writing nothing) when a file exists and ``force`` is false. Every file is first
    written to a temporary file in the same directory, and only when all are written are they
    renamed into place: a failure while writing (a full disk) changes nothing, and each file is
    always either the old one or the new one, never a truncated one.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError("not a directory", source=str(out_dir))
    clashes = existing(files, out_dir)
    if clashes and not force:
        raise UserError(f"{', '.join(clashes)} already exist(s); use --force to overwrite or --check to compare",
                        source=str(out_dir))
    staged: list[tuple[str, Path]] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".tmp")
            staged.append((name, Path(tmp)))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
        written = []
        for name, tmp in staged:
            os.replace(tmp, out_dir / name)
            written.append(out_dir / name)
        return written
    except OSError as exc:
        raise UserError(f"cannot write: {exc.strerror or exc}", source=str(out_dir)) from None
    finally:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)


def drift(files: Mapping[str, str], out_dir: Path) -> str:
    """A unified diff from the files on disk to ``files``; empty when they match."""
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
