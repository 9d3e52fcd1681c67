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


def _fields() -> dict[str, list[Any]]:
    """Every key of every language, with the fields that declare it (``base`` is Node.js's and Go's)."""
    from .languages import all_languages

    fields: dict[str, list[Any]] = {}
    for language in all_languages():
        for name, field in language.fields.items():
            fields.setdefault(name, []).append(field)
    return fields


def _values(fields: list[Any]) -> list[str]:
    """The values a key takes when it has a fixed set, in any language that has it."""
    values: dict[str, None] = {}
    for field in fields:
        if field.choices:
            values.update(dict.fromkeys(str(choice) for choice in field.choices))
        elif field.kind == "boolean":
            values.update(dict.fromkeys(_BOOLEAN_VALUES))
    return list(values)


def complete_set(ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
    """``KEY=`` for every preset key; after ``KEY=``, the key's allowed values when it has a fixed set."""
    fields = _fields()
    key, eq, value = incomplete.partition("=")
    if not eq:
        return [CompletionItem(f"{name}=", help=declared[0].help) for name, declared in fields.items()
                if name.startswith(key)]
    if key not in fields:
        return []
    return [CompletionItem(f"{key}={choice}") for choice in _values(fields[key]) if choice.startswith(value)]


def complete_output_file(ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
    """The files a preset renders to."""
    from .languages import all_languages

    names = sorted({name for language in all_languages() for name in language.outputs})
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]
