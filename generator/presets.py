"""Finding and reading presets: YAML files, built-in presets, stdin and ``--set`` overrides.

PyYAML is imported only when a document or value is more than flat ``key: value`` lines or a plain
scalar (:mod:`.flatyaml`), or when YAML is written: it would double the start-up of `dockgen render`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import flatyaml
from .languages import DEFAULT_LANGUAGE
from .errors import UserError, did_you_mean, show
from .model import Preset, preset_from_mapping, preset_mapping
from .paths import presets_dir

SET_SOURCE = "--set"
#: A preset is a short mapping; anything larger is a mistake (`dockgen render /dev/zero`).
MAX_PRESET_BYTES = 64 * 1024
#: Nodes a preset may have once YAML aliases are expanded (a "billion laughs" bomb has billions).
MAX_YAML_NODES = 10_000
#: The preset argument that means "read the preset from standard input".
STDIN = "-"
STDIN_SOURCE = "<stdin>"

if TYPE_CHECKING:
    import yaml


@cache
def _strict_loader() -> type[yaml.SafeLoader]:
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # a list or mapping as a key: ask for text
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be text, not a list or mapping", key_node.start_mark
                ) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {show(key)}", key_node.start_mark
                )
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StrictLoader


def _check_expanded_size(node: yaml.Node | None, source: str) -> None:
    """Refuse a document whose aliases expand to more than MAX_YAML_NODES nodes, before anything
    (a message, a comparison) walks the expanded structure."""
    import yaml

    budget = MAX_YAML_NODES
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        budget -= 1
        if budget < 0:
            raise UserError(f"more than {MAX_YAML_NODES} values once YAML aliases are expanded; a preset is a "
                            "short mapping of keys to single values", source=source)
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(item for pair in current.value for item in pair)


def parse_yaml(text: str, source: str) -> Any:
    flat = flatyaml.load(text)
    if flat is not flatyaml.NOT_FLAT:
        return flat
    import yaml

    loader = None
    try:
        loader = _strict_loader()(text)
        node = loader.get_single_node()
        _check_expanded_size(node, source)
        return loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{where}invalid YAML: {problem}", source=source) from None
    except RecursionError:
        raise UserError("invalid YAML: nested too deeply; a preset is a short mapping of keys to single values",
                        source=source) from None
    except ValueError:  # an integer of more than 4300 digits (Python's int conversion limit)
        raise UserError("invalid YAML: a number with thousands of digits", source=source) from None
    finally:
        if loader is not None:
            loader.dispose()


def _read_text(path: Path | None, source: str) -> str:
    """A preset file's text (stdin's for None), at most MAX_PRESET_BYTES of it (`/dev/zero` must not eat
    the memory)."""
    try:
        if path is None:
            stream = getattr(sys.stdin, "buffer", None)
            data = stream.read(MAX_PRESET_BYTES + 1) if stream else sys.stdin.read(MAX_PRESET_BYTES + 1).encode()
        else:
            with path.open("rb") as handle:
                data = handle.read(MAX_PRESET_BYTES + 1)
    except FileNotFoundError:
        raise UserError("no such preset file", source=source) from None
    except OSError as exc:
        raise UserError(f"cannot read the preset file: {exc.strerror or exc}", source=source) from None
    if len(data) > MAX_PRESET_BYTES:
        raise UserError(f"larger than {MAX_PRESET_BYTES // 1024} KiB; a preset is a short YAML mapping",
                        source=source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); allowed: a UTF-8 "
                        "YAML file", source=source) from None


def builtin_presets() -> dict[str, Path]:
    """Built-in preset names (file stem) mapped to their files, sorted by name."""
    return dict(_builtin_presets())


@cache
def _builtin_presets() -> tuple[tuple[str, Path], ...]:
    return tuple((path.stem, path) for path in sorted(presets_dir().glob("*.yaml")))


def builtin_preset_text(name: str) -> str:
    """Built-in preset ``name`` as YAML to start a preset file from: its keys, and its description as a
    comment (it describes the preset; as a key it would label the user's image, see load_preset)."""
    builtins = builtin_presets()
    if name not in builtins:
        raise UserError(f"no built-in preset named {show(name)}{did_you_mean(name, builtins)}; "
                        f"allowed: {', '.join(builtins)}")
    import yaml

    data, _ = read_preset_data(name)
    description = data.pop("description", None)
    header = f"# dockgen built-in preset {name}" + (f": {description}" if description else "") + "\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def preset_path(ref: str) -> Path | None:
    """The file preset ``ref`` names, or None when it is ``-`` (stdin) or a built-in preset name."""
    if ref == STDIN:
        return None
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists() or ("/" in ref and ref not in builtin_presets()):
        return path
    return None


def _listed(ref: str, builtins: Mapping[str, Path]) -> str:
    """The built-in presets for an error line: those of the language ``ref`` starts with, if any."""
    own = ([name for name in builtins if name.split("-", 1)[0] == ref.split("-", 1)[0]]
           or [name for name in builtins if name.split("-", 1)[0] == DEFAULT_LANGUAGE])
    rest = len(builtins) - len(own)
    return ", ".join(own) + (f" (and {rest} more: `dockgen presets`)" if rest else "")


def read_preset_data(ref: str) -> tuple[dict[str, Any], str]:
    """The raw mapping of preset ``ref`` (a path, a built-in name or ``-`` for stdin) and how to name it
    in errors."""
    path = preset_path(ref)
    builtins = builtin_presets()
    if ref == STDIN:
        source = STDIN_SOURCE
        text = _read_text(None, source)
    elif path is not None:
        source = str(path)
        text = _read_text(path, source)
    elif ref in builtins:
        source = f"built-in preset {ref}"
        text = builtins[ref].read_text(encoding="utf-8")
    else:
        hint = did_you_mean(ref, builtins)
        # With a likely match, the whole list would only make the line long: `dockgen presets` has it.
        known = "`dockgen presets` lists the built-in ones" if hint else f"built-in presets: {_listed(ref, builtins)}"
        raise UserError(f"no preset file or built-in preset named {show(ref)}{hint}; {known}")
    data = parse_yaml(text, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(f"a preset must be a mapping of keys to values, got {type(data).__name__}", source=source)
    return data, source


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings to a mapping. The value is read as a YAML scalar (``port=8080`` is a number,
    ``lockfile=false`` a boolean, an empty value unsets the key); a value that YAML would read as a list or
    mapping, or not read at all, is the text as written (``description=hello: world``)."""
    overrides: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"{show(item)} is not KEY=VALUE", source=SET_SOURCE)
        value: Any
        if raw.strip().isdigit():
            value = raw.strip()  # YAML 1.1 would read 010 as octal 8; the model parses digits itself
        elif not raw.strip():
            value = None
        elif any(ord(ch) < 32 for ch in raw):
            value = raw  # YAML would fold a newline into a space; the model refuses it instead
        else:
            try:
                value = flatyaml.scalar(raw)
                if value is flatyaml.NOT_FLAT:
                    value = parse_yaml(raw, f"{SET_SOURCE} {key}")
            except UserError:
                value = raw.strip()
            if isinstance(value, (dict, list)):
                value = raw.strip()
        overrides[key] = value
    return overrides


def load_preset(ref: str, overrides: Iterable[str] = ()) -> Preset:
    """Read preset ``ref``, apply ``--set`` overrides and validate the result."""
    data, source = read_preset_data(ref)
    if ref in builtin_presets() and source.startswith("built-in"):
        # A built-in preset's description describes the preset, not the user's app: it labels no image.
        data = {key: value for key, value in data.items() if key != "description"}
    extra = parse_overrides(overrides)
    return preset_from_mapping({**data, **extra}, source, origins={key: SET_SOURCE for key in extra})


def dump_preset(preset: Preset) -> str:
    """YAML text of a preset, as `dockgen new --save-preset` writes it."""
    import yaml

    data = {key: list(value) if isinstance(value, tuple) else value for key, value in preset_mapping(preset).items()}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
