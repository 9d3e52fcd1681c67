"""Project detection: which language a directory holds, then that language's detector.

Each language's ``detect`` module (``generator/languages/<name>/detect.py``) names the files that mark
its projects (``MARKERS``) and infers preset keys from them; this module picks the language and turns a
:class:`generator.detection.Detection` into the YAML ``dockgen detect`` prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .detection import Detection
from .languages import DEFAULT_LANGUAGE, REGISTERED, language_module
from .model import preset_from_mapping
from .presets import dump_preset


def language_of(project_dir: Path | str) -> str | None:
    """The first registered language whose marker files are in ``project_dir``, or None."""
    root = Path(project_dir)
    for name in REGISTERED:
        if any((root / marker).exists() for marker in language_module(name, "detect").MARKERS):
            return name
    return None


def detect(project_dir: Path | str, base: str | None = None, language: str | None = None) -> Detection:
    """Infer preset keys from the project in ``project_dir`` (its language's detector; with no marker
    file of any language, the default language's detector, which says so in a warning)."""
    name = language or language_of(project_dir) or DEFAULT_LANGUAGE
    return language_module(name, "detect").detect(project_dir, base=base)


def project_warnings(project_dir: Path, preset: Any) -> list[str]:
    """Warnings about rendering ``preset`` for the project in ``project_dir`` (used by ``dockgen render``)."""
    return language_module(preset.language, "detect").project_warnings(project_dir, preset)


def detection_yaml(detection: Detection, project_dir: Path | str) -> str:
    """The detected preset as YAML for `dockgen detect`: comments say where each value came from."""
    from .schema import schema_comment

    preset = preset_from_mapping(detection.values, f"detected in {project_dir}")
    header = [f"# dockgen preset detected in {project_dir}"]
    header += [f"# {note}" for note in detection.notes]
    return schema_comment(Path(project_dir)) + "\n".join(header) + "\n" + dump_preset(preset)
