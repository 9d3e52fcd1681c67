"""The languages dockgen writes Dockerfiles for. A language is a folder, registered once below.

``generator/languages/<name>/`` holds:

- ``__init__.py``: ``LANGUAGE``, a :class:`generator.languages.base.Language`: the language's fields
  (built from :mod:`generator.fields`), its frozen preset type, the checks between keys, the warnings,
  the templates it renders (top-level ``templates/<name>/``) and the context they get;
- ``detect.py``: ``MARKERS`` (files that say a directory is such a project), ``detect(directory, base)``
  returning a :class:`generator.detection.Detection`, and ``project_warnings(directory, preset)``;
- ``wizard.py``: ``ask_answers(prompter, defaults, detection)``, the questions of ``dockgen new`` after
  the language, and ``runtime_image(preset)`` for its summary;
- ``scaffold.py``: the cookiecutter template of a new service in that language (see
  :mod:`generator.scaffold` for the contract).

Everything reads the same :class:`generator.fields.Field` definitions: the model, ``--set``, the
wizard and the cookiecutter hooks. The detect, wizard and scaffold modules are imported only by the
commands that need them.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Language

#: Registered languages, in the order the wizard offers them; the first is the default.
REGISTERED: tuple[str, ...] = ("node", "go", "python")
#: Languages the model leaves room for; named in errors and shown (disabled) by the wizard.
PLANNED: tuple[str, ...] = tuple(name for name in ("python", "go") if name not in REGISTERED)
DEFAULT_LANGUAGE = REGISTERED[0]


@cache
def get_language(name: str) -> Language:
    """The registered language ``name`` (a KeyError for anything else: validate with the model first)."""
    if name not in REGISTERED:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}").LANGUAGE


def all_languages() -> list[Language]:
    return [get_language(name) for name in REGISTERED]


def language_module(name: str, part: str) -> ModuleType:
    """A language's ``detect``, ``wizard`` or ``scaffold`` module, imported on first use."""
    get_language(name)
    return importlib.import_module(f"{__name__}.{name}.{part}")
