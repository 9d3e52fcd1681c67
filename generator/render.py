"""Rendering: a validated preset in, ``{path: text}`` out. Pure: no file is read but templates.

Each language says which templates make which output file and what context they get
(``generator/languages/<name>/``); this module holds the one Jinja environment they all render in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2

from .languages import get_language
from .paths import templates_dir
from .timezones import zone_file


@dataclass(frozen=True)
class Rendered:
    """The files a preset renders to, and the warnings to show the user."""

    files: dict[str, str]
    warnings: list[str] = field(default_factory=list)


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs (compiling them costs more than starting Python).

    Jinja names each entry after the template's path and checks the template's checksum, Jinja's
    bytecode version and Python's on load, so an entry is never used for another source or interpreter.
    A cache that cannot be written (read-only home, full disk) only costs the compile: nothing is lost.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def template_cache_dir() -> str | None:
    """Where compiled templates are kept: ``$DOCKGEN_CACHE_DIR`` (empty: nowhere), else
    ``$XDG_CACHE_HOME/dockgen/templates`` (``~/.cache/dockgen/templates``)."""
    explicit = os.environ.get("DOCKGEN_CACHE_DIR")
    if explicit is not None:
        return explicit or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "dockgen", "templates")


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment: strict about undefined names, whitespace-exact output."""
    cache_dir = template_cache_dir()
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        bytecode_cache=_TemplateCache(cache_dir) if cache_dir else None,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - the output is a Dockerfile, not HTML; values are validated
    )


def zone_source(timezone: str | None, base_has_zoneinfo: bool) -> str | None:
    """The zone file the runtime needs copied in, or None: the base has it (a canonical zone on a base
    with zoneinfo), or no time zone is set. An alias always gets the file of the zone it names."""
    if not timezone:
        return None
    source = zone_file(timezone)
    if base_has_zoneinfo and source == timezone:
        return None
    return source


def render(preset: Any) -> Rendered:
    """Render every output file of ``preset``."""
    language = get_language(preset.language)
    env = environment()
    context = language.context(preset)
    files = {path: env.get_template(name).render(context) for path, name in language.outputs.items()}
    return Rendered(files=files, warnings=language.warnings(preset))
