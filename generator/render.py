"""Rendering: a validated preset in, ``{path: text}`` out. Pure: no file is read but templates (and, when
the caller passes a cache directory, as the command line does, the caches of :mod:`generator.rendercache`).

Each language says which templates make which output file and what context they get
(``generator/languages/<name>/``); this module holds the one Jinja environment they all render in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .languages import get_language
from .paths import templates_dir
from .rendercache import OutputCache, bytecode_cache
from .timezones import zone_file

if TYPE_CHECKING:
    import jinja2


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
def environment(cache_dir: Path | None = None) -> jinja2.Environment:
    """The one Jinja environment: strict about undefined names, whitespace-exact output; compiled templates
    kept in ``cache_dir`` when given. Jinja is imported here, on the first render not found in a cache."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        bytecode_cache=bytecode_cache(cache_dir) if cache_dir else None,
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


def render(preset: Any, *, cache_dir: Path | None = None) -> Rendered:
    """Render every output file of ``preset``; with ``cache_dir``, through the caches there (the command line
    passes :func:`generator.rendercache.cache_root`)."""
    language = get_language(preset.language)
    context = language.context(preset)
    cached = OutputCache(cache_dir, language.name, templates_dir()) if cache_dir else None
    files = cached.load(context, language.outputs) if cached else None
    if files is None:
        env = environment(cache_dir)
        files = {path: env.get_template(name).render(context) for path, name in language.outputs.items()}
        if cached:
            cached.store(context, language.outputs, files)
    return Rendered(files=files, warnings=language.warnings(preset))
