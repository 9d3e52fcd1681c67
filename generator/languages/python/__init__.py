"""Python: pip, Poetry and uv; full, slim, alpine and distroless runtimes."""

from __future__ import annotations

from ..base import Language
from .model import FIELDS, PythonPreset, cross_check, warnings
from .render import OUTPUTS, context_for

LANGUAGE = Language(
    name="python",
    title="Python",
    fields=FIELDS,
    preset_type=PythonPreset,
    outputs=OUTPUTS,
    context=context_for,
    cross_check=cross_check,
    warnings=warnings,
    always_saved=("language", "package_manager", "python_version", "base", "command"),
)
