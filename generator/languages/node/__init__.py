"""Node.js: npm, yarn classic and berry, pnpm; full, slim, alpine and distroless runtimes."""

from __future__ import annotations

from ..base import Language
from .model import FIELDS, NodePreset, cross_check, warnings
from .render import OUTPUTS, context_for

LANGUAGE = Language(
    name="node",
    title="Node.js",
    fields=FIELDS,
    preset_type=NodePreset,
    outputs=OUTPUTS,
    context=context_for,
    cross_check=cross_check,
    warnings=warnings,
    always_saved=("language", "package_manager", "node_version", "base"),
)
