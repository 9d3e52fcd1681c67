"""What detection finds (:class:`Detection`) and the careful file readers every language's detector uses.

Detection is a pure function of a directory's files: no network, no subprocess. Every value a detector
records has passed the model's :func:`generator.model.parse_field` (:func:`record`), so ``dockgen detect
> preset.yaml`` is valid input for ``dockgen render``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InvalidValue, UserError, show
from .model import parse_field

#: Files larger than this are not read for detection (a generated bundle is no entrypoint to scan).
MAX_SCAN_BYTES = 1_000_000


@dataclass
class Detection:
    """What a detector found: preset keys, and messages for the user."""

    values: dict[str, Any] = field(default_factory=dict)
    #: How values were inferred (informational).
    notes: list[str] = field(default_factory=list)
    #: Problems the user should know about (no lockfile, native addons, ...).
    warnings: list[str] = field(default_factory=list)
    #: Packages that ship compiled code, each with the evidence, e.g. ``"bcrypt (known native addon)"``.
    native_addons: list[str] = field(default_factory=list)
    #: Whether the lockfile each package manager needs is in the project (for a changed answer).
    lockfiles: dict[str, bool] = field(default_factory=dict)
    #: The scripts the project's manifest declares (package.json ``scripts``); None when there is no manifest.
    scripts: tuple[str, ...] | None = None


def read_text(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_SCAN_BYTES * 50:
            return None
        return path.read_text(encoding="utf-8-sig", errors="replace")  # -sig: a leading BOM is no character
    except OSError:
        return None


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The project's JSON manifest (package.json): None when there is none; a :class:`UserError` when it is
    there but unusable (a directory, unreadable, not UTF-8, not a JSON object). Detection never goes on
    with defaults past a manifest it could not read."""
    if not path.exists() and not path.is_symlink():
        return None
    import json  # here: `dockgen render` imports this module for its project warnings only

    source = str(path)
    if not path.is_file():
        raise UserError("is not a file; allowed: the project's manifest, a JSON object", source=source)
    try:
        if path.stat().st_size > MAX_SCAN_BYTES * 50:
            raise UserError(f"larger than {MAX_SCAN_BYTES * 50 // 1_000_000} MB; allowed: a JSON object",
                            source=source)
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read it: {exc.strerror or exc}", source=source) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UserError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                        source=source) from None
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                        source=source) from None
    except RecursionError:
        raise UserError("not valid JSON: nested too deeply", source=source) from None
    if not isinstance(data, dict):
        raise UserError(f"expected a JSON object, got {show(data)}", source=source)
    return data


def read_json(path: Path, result: Detection) -> dict[str, Any] | None:
    text = read_text(path)
    if text is None:
        return None
    import json  # here: `dockgen render` imports this module for its project warnings only

    try:
        data = json.loads(text)
    except ValueError as exc:
        result.warnings.append(f"{path.name}: not valid JSON ({exc}); ignored")
        return None
    if not isinstance(data, dict):
        result.warnings.append(f"{path.name}: expected a JSON object; ignored")
        return None
    return data


def record(result: Detection, language: str, key: str, value: Any, how: str) -> bool:
    """Record ``key`` if ``value`` passes the model; a note either way."""
    try:
        result.values[key] = parse_field(key, value, language)
    except InvalidValue as exc:
        result.notes.append(f"{key}: ignored {show(value)} from {how} ({exc})")
        return False
    result.notes.append(f"{key}: {result.values[key]} (from {how})")
    return True
