"""Shell completion (click's own, for bash, zsh and fish) of preset names, ``--set`` keys and values."""

from __future__ import annotations

from typing import Any

from click import Context, Parameter
from click.shell_completion import CompletionItem

from .presets import builtin_presets

_BOOLEAN_VALUES = ("true", "false")


def complete_builtin(ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
    """Built-in preset names."""
    return [CompletionItem(name) for name in builtin_presets() if name.startswith(incomplete)]


def complete_preset(ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
    """Built-in preset names, and files (the shell lists them)."""
    return [*complete_builtin(ctx, param, incomplete), CompletionItem(incomplete, type="file")]


def _fields() -> dict[str, Any]:
    """Every key of every language (the first language to declare a key gives its help and choices)."""
    from .languages import all_languages

    fields: dict[str, Any] = {}
    for language in all_languages():
        for name, field in language.fields.items():
            fields.setdefault(name, field)
    return fields


def _values(field: Any) -> tuple[str, ...]:
    if field.choices:
        return tuple(str(choice) for choice in field.choices)
    if field.kind == "boolean":
        return _BOOLEAN_VALUES
    return ()


def complete_set(ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
    """``KEY=`` for every preset key; after ``KEY=``, the key's allowed values when it has a fixed set."""
    fields = _fields()
    key, eq, value = incomplete.partition("=")
    if not eq:
        return [CompletionItem(f"{name}=", help=field.help) for name, field in fields.items()
                if name.startswith(key)]
    if key not in fields:
        return []
    return [CompletionItem(f"{key}={choice}") for choice in _values(fields[key]) if choice.startswith(value)]


def complete_output_file(ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
    """The files a preset renders to."""
    from .languages import all_languages

    names = sorted({name for language in all_languages() for name in language.outputs})
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]
