"""Go: a static binary (or cgo on glibc) on distroless, scratch or alpine."""

from __future__ import annotations

from ..base import Language
from .model import FIELDS, GoPreset, cross_check, warnings
from .render import OUTPUTS, context_for

LANGUAGE = Language(
    name="go",
    title="Go",
    fields=FIELDS,
    preset_type=GoPreset,
    outputs=OUTPUTS,
    context=context_for,
    cross_check=cross_check,
    warnings=warnings,
    always_saved=("language", "go_version", "base"),
)
