"""Where the templates and built-in presets live.

In a wheel they are inside the package (``generator/templates``, ``generator/presets``: the build
maps the top-level directories there); in a source checkout or an editable install they are the
top-level ``templates/`` and ``presets/`` next to the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"dockgen is installed without its {name}/ directory (looked in {_PACKAGE})")


def templates_dir() -> Path:
    return data_dir("templates")


def presets_dir() -> Path:
    return data_dir("presets")
