"""What a language is: :class:`Language`, and the error its checks between keys raise."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidValue, show
from ..fields import Field, allowed, as_str, description
from . import DEFAULT_LANGUAGE, PLANNED, REGISTERED


class KeyProblem(Exception):
    """A rule between ``key`` and the ``related`` keys is broken (the model turns it into a UserError)."""

    def __init__(self, key: str, message: str, related: tuple[str, ...] = ()):
        super().__init__(message)
        self.key, self.message, self.related = key, message, related


def _no_check(values: dict[str, Any]) -> None:
    return None


def _no_warnings(preset: Any) -> list[str]:
    return []


@dataclass(frozen=True)
class Language:
    """One language: its keys, its preset type and its templates.

    ``fields`` lists every key a preset of this language may have, in the order presets, the README and
    the wizard use (``description`` and ``language`` included). ``preset_type`` is a frozen dataclass
    with exactly those fields. ``cross_check`` gets the merged values (defaults filled in) and raises
    :class:`KeyProblem`; ``warnings`` gets the preset. ``outputs`` maps each output file to its template;
    ``context`` gives the templates their variables. ``always_saved`` are the keys a saved preset writes
    even at their default.
    """

    name: str
    title: str
    fields: Mapping[str, Field]
    preset_type: type
    outputs: Mapping[str, str]
    context: Callable[[Any], dict[str, Any]]
    cross_check: Callable[[dict[str, Any]], None] = _no_check
    warnings: Callable[[Any], list[str]] = _no_warnings
    always_saved: tuple[str, ...] = ("language",)


def parse_language(value: Any) -> str:
    text = as_str(value)
    if text in PLANNED:
        raise InvalidValue(f"{show(text)} is not supported yet; allowed: {allowed(REGISTERED)}")
    if text not in REGISTERED:
        raise InvalidValue(f"{show(text)} is not allowed; allowed: {allowed(REGISTERED)}")
    return text


def common_fields() -> tuple[Field, Field]:
    """The keys every language has first: ``description`` and ``language``."""
    return (
        Field("description", "one line shown by `dockgen presets`", description, optional=True),
        Field("language", "the app's language", parse_language, default=DEFAULT_LANGUAGE, choices=REGISTERED),
    )
