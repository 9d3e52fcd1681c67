"""The preset model: one path from raw data to a validated preset, for every language.

YAML preset files, built-in presets, ``--set`` overrides, the wizard and the cookiecutter hooks all go
through :func:`parse_field` and :func:`preset_from_mapping`, so a value accepted in one way in is
accepted in all of them, and rejected with the same reason. ``language`` is parsed first (default
``node``, so a preset without it is a Node.js preset); then the keys of that language, declared once as
:class:`generator.fields.Field` objects in ``generator/languages/<name>/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from .errors import InvalidValue, UserError, did_you_mean
from .fields import ANY, Field, allowed
from .languages import DEFAULT_LANGUAGE, all_languages, get_language
from .languages.base import KeyProblem, parse_language


class Preset(Protocol):
    """What every language's preset has (each language's frozen dataclass has more)."""

    description: str | None
    language: str
    base: str
    port: int
    timezone: str | None
    registry_mirror: str | None


def fields_for(language: str = DEFAULT_LANGUAGE) -> Mapping[str, Field]:
    """The keys of ``language``, in the order presets and the wizard use."""
    return get_language(language).fields


def parse_field(name: str, value: Any, language: str = DEFAULT_LANGUAGE) -> Any:
    """Validate one value for key ``name`` of ``language``; raise :class:`InvalidValue` with the reason."""
    spec = fields_for(language)[name]
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.optional:
            return None
        raise InvalidValue("a value is required")
    return spec.parse(value)


def _unknown_key(key: str, language: str) -> str:
    owners = [lang.name for lang in all_languages() if key in lang.fields]
    if owners:
        return f"applies to language {' and '.join(owners)}, not {language}"
    own = fields_for(language)
    return f"unknown key{did_you_mean(key, own)}; allowed: {allowed(tuple(own))}"


def preset_from_mapping(data: Any, source: str, origins: Mapping[str, str] | None = None) -> Any:
    """Validate raw preset data (from YAML, ``--set`` or the wizard) into its language's preset.

    ``source`` names where the data came from in error messages; ``origins`` overrides it per key
    (a ``--set`` value on top of a file is reported as coming from ``--set``).
    """
    origins = origins or {}
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise UserError(f"a preset must be a mapping of keys to values, got {type(data).__name__}", source=source)
    try:
        name = DEFAULT_LANGUAGE if data.get("language") is None else parse_language(data["language"])
    except InvalidValue as exc:
        raise UserError(str(exc), source=origins.get("language", source), key="language") from None
    language = get_language(name)
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in language.fields:
            raise UserError(_unknown_key(str(key), name), source=origins.get(str(key), source), key=str(key))
        try:
            values[key] = parse_field(key, raw, name)
        except InvalidValue as exc:
            raise UserError(str(exc), source=origins.get(key, source), key=key) from None
    values["language"] = name
    merged = {key: spec.default for key, spec in language.fields.items() if not spec.when}
    merged.update(values)
    for key, spec in language.fields.items():
        if not spec.when:
            continue
        if spec.applies(merged):
            if merged.get(key) is None:
                merged[key] = spec.default
            continue
        if merged.get(key) is not None:
            own = origins.get(key, source)
            # Dropped silently only when a condition key was overridden later (`--set package_manager=npm`
            # on a yarn preset); the field given on top of a preset it does not fit is an error.
            overridden = [k for k in spec.when if k in values and k in origins and origins[k] != own]
            if not overridden:
                first = next(iter(spec.when))
                actual = (str(merged.get(first)) if len(spec.when) == 1
                          else ", ".join(f"{k} {merged.get(k)}" for k in spec.when))
                raise UserError(f"only applies to {spec.applies_text()}, not {actual}",
                                source=next((origins[k] for k in (key, *spec.when) if k in origins), source), key=key)
            # `--set package_manager=npm` on top of a yarn preset: its yarn_version no longer applies.
        merged[key] = None
    try:
        language.cross_check(merged)
    except KeyProblem as exc:
        # Name where the clash came from: the key's own origin, else the origin of a related key that was
        # overridden (`--set build_script=build` on a preset whose entrypoint does not fit).
        origin = next((origins[k] for k in (exc.key, *exc.related) if k in origins), source)
        raise UserError(exc.message, source=origin, key=exc.key) from None
    return language.preset_type(**merged)


def drop_inapplicable(data: Mapping[str, Any], language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """``data`` without the keys that do not apply given its other keys (``yarn_version`` next to
    ``package_manager: npm``): for answers gathered from sources that ask every question."""
    # a condition on a key that is not given is read against that key's default
    parsed: dict[str, Any] = {key: spec.default for key, spec in fields_for(language).items() if not spec.when}
    for key, raw in data.items():
        try:
            parsed[key] = parse_field(key, raw, language) if key in fields_for(language) else raw
        except InvalidValue:
            parsed[key] = raw
    return {key: value for key, value in data.items()
            if key not in fields_for(language) or fields_for(language)[key].applies(parsed)}


def default_preset(language: str = DEFAULT_LANGUAGE) -> Any:
    """The preset of ``language`` with every key at its default."""
    return preset_from_mapping({"language": language}, "defaults")


def preset_mapping(preset: Any) -> dict[str, Any]:
    """The preset as YAML-ready data: the keys it always saves, and every key whose value differs from
    the default (a key that applies only under a condition, such as yarn_version, whenever it is set)."""
    language = get_language(preset.language)
    result = {}
    for name, spec in language.fields.items():
        value = getattr(preset, name)
        # A key that applies to some values of another (yarn_version) is saved whenever set; one that applies
        # whenever another is set (build_output with build_script) only when it differs from its default.
        default = None if spec.when and not any(values is ANY for values in spec.when.values()) else spec.default
        if spec.when and value is None:
            continue  # does not apply
        if name in language.always_saved or value != default:
            result[name] = value
    return result


def preset_warnings(preset: Any) -> list[str]:
    """Things that are allowed but probably wrong; shown by every way in."""
    return get_language(preset.language).warnings(preset)
