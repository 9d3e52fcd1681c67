"""The language seam: a language is a folder registered once; the model reads its fields, including
when a field applies at all."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from generator import UserError, preset_from_mapping
from generator import model as model_module
from generator.fields import Field, as_str, choice, port_field
from generator.languages import REGISTERED, all_languages, get_language, language_module
from generator.languages.base import Language, common_fields
from generator.model import drop_inapplicable, fields_for


@pytest.mark.parametrize("name", REGISTERED)
def test_each_language_folder_is_complete(name: str) -> None:
    language = get_language(name)
    assert language.name == name
    # the preset type has exactly the declared keys, in the same order
    assert [f.name for f in dataclasses.fields(language.preset_type)] == list(language.fields)
    assert list(language.fields)[:2] == ["description", "language"]
    for part, names in {"detect": ("MARKERS", "detect", "project_warnings"),
                        "wizard": ("ask_answers", "summary_rows", "plan_warnings"),
                        "scaffold": ("SPEC",)}.items():
        module = language_module(name, part)
        assert all(hasattr(module, attr) for attr in names), (name, part)
    for key, spec in language.fields.items():
        assert spec.name == key
        assert all(other in language.fields for other in spec.when), f"{key} depends on an unknown key"


def test_a_field_that_does_not_apply_is_an_error_naming_the_condition() -> None:
    with pytest.raises(UserError, match=r"^p.yaml: yarn_version: only applies to package_manager yarn, not npm$"):
        preset_from_mapping({"package_manager": "npm", "yarn_version": 4}, "p.yaml")
    # ... unless the key it depends on was overridden from elsewhere (`--set package_manager=npm`)
    preset = preset_from_mapping({"package_manager": "npm", "yarn_version": 4}, "p.yaml",
                                 origins={"package_manager": "--set"})
    assert preset.yarn_version is None
    # and it gets its default where it applies
    assert preset_from_mapping({"package_manager": "yarn"}, "p.yaml").yarn_version == 1


def test_drop_inapplicable_reads_the_same_rule() -> None:
    assert drop_inapplicable({"package_manager": "pnpm", "yarn_version": "4"}) == {"package_manager": "pnpm"}
    assert drop_inapplicable({"package_manager": "yarn", "yarn_version": "4"}) == {"package_manager": "yarn",
                                                                                   "yarn_version": "4"}


@dataclass(frozen=True)
class _ToyPreset:
    description: str | None
    language: str
    base: str
    flavour: str
    port: int


def _toy_language() -> Language:
    fields = {f.name: f for f in (
        *common_fields(),
        Field("base", "runtime", choice(("tiny",)), default="tiny", choices=("tiny",)),
        Field("flavour", "toy only", as_str, default="plain"),
        port_field(8080),
    )}
    return Language(name="toy", title="Toy", fields=fields, preset_type=_ToyPreset, outputs={},
                    context=lambda preset: {})


def test_a_key_of_another_language_names_that_language(monkeypatch: pytest.MonkeyPatch) -> None:
    toy = _toy_language()
    monkeypatch.setattr(model_module, "all_languages", lambda: [*all_languages(), toy])
    with pytest.raises(UserError, match=r"^p.yaml: flavour: applies to language toy, not node$"):
        preset_from_mapping({"flavour": "sour"}, "p.yaml")
    with pytest.raises(UserError, match=r"^p.yaml: node_versio: unknown key \(did you mean 'node_version'\?\)"):
        preset_from_mapping({"node_versio": 24}, "p.yaml")


def test_language_is_parsed_first_and_defaults_to_node() -> None:
    assert preset_from_mapping({}, "p.yaml").language == "node"
    with pytest.raises(UserError, match=r"^p.yaml: language: 'cobol' is not allowed; allowed: "):
        preset_from_mapping({"language": "cobol", "node_version": 24}, "p.yaml")
    assert "node_version" in fields_for("node")
