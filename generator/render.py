"""Rendering: a validated preset in, ``{path: text}`` out. Pure: no file is read but templates.

Each language says which templates make which output file and what context they get
(``generator/languages/<name>/``); this module holds the one Jinja environment they all render in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2

from .languages import get_language
from .paths import templates_dir
from .timezones import zone_file


#: Every language's init stage: tini (and tzdata) pinned so hadolint is satisfied and a rebuild brings no
#: surprise; globs follow patch releases. tini lands at TINI_PATH, the app at APP_DIR.
TINI_APT_VERSION = "0.19.*"
TZDATA_APT_VERSION = "202*"
TINI_APK_VERSION = "~0.19"
TZDATA_APK_VERSION = ">=2024a"
TINI_PATH = "/usr/local/bin/tini"
APP_DIR = "/app"


@dataclass(frozen=True)
class Rendered:
    """The files a preset renders to, and the warnings to show the user."""

    files: dict[str, str]
    warnings: list[str] = field(default_factory=list)


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment: strict about undefined names, whitespace-exact output."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
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
