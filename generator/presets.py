"""Finding and reading presets: YAML files, built-in presets and ``--set`` overrides."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .errors import UserError
from .model import Preset, preset_from_mapping, preset_mapping
from .paths import presets_dir

SET_SOURCE = "--set"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{where}invalid YAML: {problem}", source=source) from None


def builtin_presets() -> dict[str, Path]:
    """Built-in preset names (file stem) mapped to their files, sorted by name."""
    return {path.stem: path for path in sorted(presets_dir().glob("*.yaml"))}


def read_preset_data(ref: str) -> tuple[dict[str, Any], str]:
    """The raw mapping of preset ``ref`` (a path or a built-in name) and how to name it in errors."""
    path = Path(ref)
    builtins = builtin_presets()
    if path.suffix in (".yaml", ".yml") or path.exists() or ("/" in ref and ref not in builtins):
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserError("no such preset file", source=source) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read the preset file: {exc}", source=source) from None
    elif ref in builtins:
        source = f"built-in preset {ref}"
        text = builtins[ref].read_text(encoding="utf-8")
    else:
        raise UserError(
            f"no preset file or built-in preset named {ref!r}; built-in presets: {', '.join(builtins)}"
        )
    data = parse_yaml(text, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(f"a preset must be a mapping of keys to values, got {type(data).__name__}", source=source)
    return data, source


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings to a mapping; the value is read as YAML (``port=8080`` is a number)."""
    overrides: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"{item!r} is not KEY=VALUE", source=SET_SOURCE)
        if raw.strip().isdigit():
            value: Any = raw.strip()  # YAML 1.1 would read 010 as octal 8; the model parses digits itself
        else:
            value = parse_yaml(raw, f"{SET_SOURCE} {key}") if raw.strip() else None
        if isinstance(value, (dict, list)):
            raise UserError("expected a single value, not a list or mapping", source=SET_SOURCE, key=key)
        overrides[key] = value
    return overrides


def load_preset(ref: str, overrides: Iterable[str] = ()) -> Preset:
    """Read preset ``ref``, apply ``--set`` overrides and validate the result."""
    data, source = read_preset_data(ref)
    extra = parse_overrides(overrides)
    return preset_from_mapping({**data, **extra}, source, origins={key: SET_SOURCE for key in extra})


def dump_preset(preset: Preset) -> str:
    """YAML text of a preset, as `dockgen new --save-preset` writes it."""
    return yaml.safe_dump(preset_mapping(preset), sort_keys=False, allow_unicode=True)
