"""JSON Schema of preset files, generated from the field definitions (one source: the model's fields).

Each key's schema comes from its :class:`generator.fields.Field`: ``kind`` gives the JSON type,
``choices`` the allowed values, ``optional`` allows null, ``when`` becomes an if/then that allows the
key only where it applies (given the other keys, with their defaults), and the parser's recorded
patterns and limits (:func:`generator.fields.with_schema`) the rest. Each language is an if/then on
``language`` (absent means the default language) that lists its keys and allows no other.

The schema describes the canonical YAML types (``port: 8080``, ``lockfile: true``); dockgen itself also
accepts the lenient spellings its parsers take (``port: "8080"``, ``lockfile: yes``, surrounding
spaces), and it checks what no schema can: that a time zone exists in the tz database, and the rules
between keys (a Node.js version per base, the entrypoint inside the build output).
``generator/preset.schema.json`` is this schema as shipped in the package; a test keeps it equal.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from .fields import ANY, Field
from .languages import DEFAULT_LANGUAGE, REGISTERED, all_languages
from .languages.base import Language

SHIPPED = Path(__file__).with_name("preset.schema.json")
SCHEMA_FILE_NAME = "dockgen.schema.json"
_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "array": "array"}


def field_schema(field: Field) -> dict[str, Any]:
    """The JSON Schema of one key's value: ``enum`` from the choices, else ``type`` from the kind, then the
    keywords the parser recorded (an ``enum`` or ``type`` of its own replaces the derived one); null too
    where the key is optional."""
    value: dict[str, Any] = {"enum": list(field.choices)} if field.choices else {"type": _TYPES[field.kind]}
    keywords = dict(getattr(field.parse, "json_schema", {}))
    if "enum" in keywords or "type" in keywords:
        value = {}
    value.update(keywords)
    if field.optional:
        if set(value) == {"enum"}:
            value["enum"] = [*value["enum"], None]
        elif set(value) == {"type"} or ("type" in value and "enum" not in value):
            value["type"] = [value["type"], "null"]
        else:
            value = {"anyOf": [value, {"type": "null"}]}
    schema: dict[str, Any] = {"description": field.help, **value}
    if field.default is not None:
        schema["default"] = list(field.default) if isinstance(field.default, tuple) else field.default
    return schema


def _is(key: str, values: Any, default: Any) -> dict[str, Any]:
    """The preset's ``key`` (its default when absent or null) is one of ``values`` (:data:`ANY`: has a value)."""
    allowed = {"not": {"type": "null"}} if values is ANY else {"enum": list(values)}
    given = {"required": [key], "properties": {key: allowed}}
    if default not in values:
        return given
    return {"anyOf": [given, {"not": {"required": [key]}}, {"properties": {key: {"type": "null"}}, "required": [key]}]}


def language_schema(language: Language) -> dict[str, Any]:
    """Keys of ``language``, no others, each conditional key only where it applies."""
    conditions = []
    for field in language.fields.values():
        if not field.when:
            continue
        applies = [_is(key, values, language.fields[key].default) for key, values in field.when.items()]
        conditions.append({"if": {"not": {"allOf": applies}},
                           "then": {"properties": {field.name: {"type": "null"}}}})
    schema: dict[str, Any] = {
        "properties": {name: field_schema(field) for name, field in language.fields.items()},
        "additionalProperties": False,
    }
    if conditions:
        schema["allOf"] = conditions
    return schema


def preset_schema() -> dict[str, Any]:
    """The JSON Schema of a preset file."""
    languages = all_languages()
    every_key: dict[str, Any] = {}
    for language in languages:
        for name, field in language.fields.items():
            every_key.setdefault(name, {"description": field.help})
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "dockgen preset",
        "description": "A dockgen preset: `dockgen render PRESET` writes a Dockerfile and .dockerignore from it.",
        "type": "object",
        "properties": {**every_key, "language": {"enum": list(REGISTERED), "default": DEFAULT_LANGUAGE,
                                                 "description": "the app's language"}},
        "allOf": [{"if": _is("language", (language.name,), DEFAULT_LANGUAGE), "then": language_schema(language)}
                  for language in languages],
    }


def schema_text() -> str:
    return json.dumps(preset_schema(), indent=2) + "\n"


def repository_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` with a ``.git``, else ``start`` itself."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def schema_comment(preset_dir: Path) -> str:
    """The yaml-language-server comment for a preset in ``preset_dir``.

    It names ``dockgen.schema.json`` at the root of the git repository holding the preset (the preset's own
    directory outside a repository) by a relative path, so it works on every checkout; a second comment
    line says how to create that file while it does not exist.
    """
    target = repository_root(preset_dir) / SCHEMA_FILE_NAME
    relative = Path(os.path.relpath(target, preset_dir.resolve())).as_posix()
    comment = f"# yaml-language-server: $schema={relative}\n"
    if not target.exists():
        comment += f"# (for editor validation, once per repository: dockgen schema > {relative})\n"
    return comment


if __name__ == "__main__":  # python -m generator.schema > generator/preset.schema.json
    sys.stdout.write(schema_text())
