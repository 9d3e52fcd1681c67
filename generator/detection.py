"""What detection finds (:class:`Detection`) and the careful file readers every language's detector uses.

Detection is a pure function of a directory's files: no network, no subprocess. Every value a detector
records has passed the model's :func:`generator.model.parse_field` (:func:`record`), so ``dockgen detect
> preset.yaml`` is valid input for ``dockgen render``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InvalidValue
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


def read_text(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_SCAN_BYTES * 50:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def read_json(path: Path, result: Detection) -> dict[str, Any] | None:
    text = read_text(path)
    if text is None:
        return None
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
        result.notes.append(f"{key}: ignored {value!r} from {how} ({exc})")
        return False
    result.notes.append(f"{key}: {result.values[key]} (from {how})")
    return True
