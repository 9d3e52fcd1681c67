"""dockgen: optimized multi-stage Dockerfiles and .dockerignore files from presets.

The library API is pure: ``load_preset`` (or ``preset_from_mapping``) gives a validated
:class:`Preset`, ``render`` turns it into ``{path: text}``; ``write_files`` is the separate,
atomic step that touches the disk.
"""

from .errors import UserError
from .model import Preset, default_preset, fields_for, parse_field, preset_from_mapping, preset_warnings
from .output import drift, write_files
from .presets import builtin_presets, dump_preset, load_preset
from .render import Rendered, render

__version__ = "0.1.0"

__all__ = [
    "default_preset",
    "fields_for",
    "Preset",
    "Rendered",
    "UserError",
    "builtin_presets",
    "drift",
    "dump_preset",
    "load_preset",
    "parse_field",
    "preset_from_mapping",
    "preset_warnings",
    "render",
    "write_files",
]
