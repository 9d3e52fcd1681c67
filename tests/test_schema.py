"""The JSON Schema of presets agrees with the model on every key, type, choice and per-language applicability."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from generator import UserError, preset_from_mapping
from generator.cli import cli
from generator.languages import DEFAULT_LANGUAGE, PLANNED, REGISTERED, all_languages, get_language
from generator.schema import SHIPPED, preset_schema, schema_comment, schema_text

VALIDATOR = jsonschema.Draft7Validator(preset_schema())

STRINGS = ["", "x", "npm", "yarn", "pnpm", "full", "slim", "alpine", "distroless", "node", "python", "index.js",
           "dist/index.js", "src/main.mjs", "lib/x.cjs", "dist", "out/build", "../x", "/abs", "a b", "x'y", "a\nb",
           "Asia/Shanghai", "Europe/Berlin", "UTC", "US/Eastern", "Etc/GMT+8", "Nowhere/City", "https://r.example",
           "https://registry.npmmirror.com/", "http://r.example", "npmmirror", "build", "build:prod", "-x",
           "@scope/x.js", "x" * 201, "a\tb", " slim ", "8080", "yes", "true", "./dist/", "dist/", "./index.js",
           "index.js/", "node_modules", "node_modules/x", ".yarn", "package.json", "https://r.example:99999",
           "https://r.example:0", "https://r.example:08443/x", "https://u:p@r.example", 'say "hi"', "a$b", "a\\b",
           "localtime", "Factory", "posixrules", "x" * 200, "a\x7fb"]
INTS = [-1, 0, 1, 2, 3, 4, 22, 24, 25, 26, 3000, 65535, 65536]
OTHERS: list[Any] = [None, True, False, 1.5, 1.26, 1.27, ["a"], {"a": 1}, [], ["./lib/", "x"], ["../x"], ["a", 1],
                     ["a b"], [""], [["a"]]]
VALUES = [*STRINGS, *INTS, *OTHERS]

#: What no schema can check, and dockgen does (documented in generator/schema.py and the README).
BEYOND_SCHEMA = re.compile(r"is not an IANA time zone|has no \w+ image|is outside build_output|a cgo binary links against glibc")


def model_accepts(doc: dict[str, Any]) -> tuple[bool, str]:
    try:
        preset_from_mapping(doc, "corpus")
    except UserError as exc:
        return False, str(exc)
    return True, ""


def canonical(doc: dict[str, Any]) -> bool:
    """Every value has its key's YAML type as written by a careful person: no "8080" for a number, no
    "yes" for true, no "a,b" for a list, no padding, no empty string for "not set"."""
    language = get_language(doc.get("language") if doc.get("language") in REGISTERED else DEFAULT_LANGUAGE)
    for key, value in doc.items():
        field = language.fields.get(key)
        if field is None or value is None or isinstance(value, (dict, float)):
            continue
        expected = type(field.choices[0]) if field.choices else {"integer": int, "boolean": bool,
                                                                "array": list}.get(field.kind, str)
        if type(value) is not expected and not (isinstance(value, list) and expected is not list):
            return False
        if isinstance(value, str) and (value != value.strip() or not value):
            return False
        if expected is list and not all(type(item) is str and item == item.strip() for item in value):
            return False
    return True


def corpus() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = [{}]
    keys = {name for language in all_languages() for name in language.fields} | {"bsae", "Port", "python_version"}
    docs += [{key: value} for key in sorted(keys) for value in VALUES]
    docs += [{"language": language.name, key: value} for language in all_languages() if language.name != DEFAULT_LANGUAGE
             for key in language.fields for value in VALUES]
    docs += [{"language": value} for value in [*PLANNED, "ruby", None]]
    for language in all_languages():
        for field in language.fields.values():
            for key, allowed_values in field.when.items():
                other = language.fields[key]
                conditions = [*other.choices, None, "absent"]
                for condition, value in itertools.product(conditions, [None, *field.choices, 2, "x"]):
                    doc = {field.name: value} if condition == "absent" else {key: condition, field.name: value}
                    docs.append({"language": language.name, **doc})
                    docs.append(doc)
    for output in STRINGS:
        docs.append({"build_script": "build", "build_output": output, "entrypoint": f"{output}/index.js"})
    docs.append({"build_script": "build", "entrypoint": "dist/index.js"})
    docs.append({"build_script": "build", "build_output": "out", "entrypoint": "out/main.mjs"})
    return docs


def test_the_schema_is_a_valid_draft_7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(preset_schema())


def test_schema_and_model_agree_on_the_corpus() -> None:
    docs = corpus()
    assert len(docs) > 1000
    disagreements = []
    for doc in docs:
        schema_ok = VALIDATOR.is_valid(doc)
        model_ok, reason = model_accepts(doc)
        if schema_ok and not model_ok and not BEYOND_SCHEMA.search(reason):
            disagreements.append(("schema accepts what dockgen refuses", doc, reason))
        if model_ok and not schema_ok and canonical(doc):
            errors = [e.message for e in VALIDATOR.iter_errors(doc)]
            disagreements.append(("schema refuses what dockgen accepts", doc, errors))
    assert disagreements == []


def test_both_sides_of_the_corpus_are_exercised() -> None:
    results = [(VALIDATOR.is_valid(doc), model_accepts(doc)[0]) for doc in corpus()]
    assert results.count((True, True)) > 100 and results.count((False, False)) > 500


def test_a_key_of_a_package_manager_not_chosen_is_refused_by_both() -> None:
    for doc in ({"yarn_version": 4}, {"package_manager": "npm", "yarn_version": 1}):
        assert not VALIDATOR.is_valid(doc) and not model_accepts(doc)[0]
    for doc in ({"package_manager": "yarn", "yarn_version": 4}, {"package_manager": "npm", "yarn_version": None}):
        assert VALIDATOR.is_valid(doc) and model_accepts(doc)[0]


def test_the_shipped_schema_is_the_generated_one() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == schema_text(), \
        "regenerate it: python -m generator.schema > generator/preset.schema.json"


def test_dockgen_schema_prints_it() -> None:
    result = CliRunner().invoke(cli, ["schema"], prog_name="dockgen")
    assert result.exit_code == 0 and json.loads(result.stdout) == preset_schema()


def test_builtin_presets_are_valid_under_the_schema() -> None:
    from generator.presets import builtin_presets, read_preset_data

    for name in builtin_presets():
        data, _ = read_preset_data(name)
        assert VALIDATOR.is_valid(data), (name, [e.message for e in VALIDATOR.iter_errors(data)])


def test_the_comment_points_at_the_repository_root(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    comment = schema_comment(service)
    assert comment.splitlines()[0] == "# yaml-language-server: $schema=../../dockgen.schema.json"
    assert "dockgen schema > ../../dockgen.schema.json" in comment
    (tmp_path / "dockgen.schema.json").write_text(schema_text())
    assert schema_comment(service) == "# yaml-language-server: $schema=../../dockgen.schema.json\n"
    assert schema_comment(tmp_path).startswith("# yaml-language-server: $schema=dockgen.schema.json\n")


@pytest.mark.parametrize("command", ["detect", "new"])
def test_detect_and_save_preset_write_the_comment(tmp_path: Path, command: str) -> None:
    (tmp_path / "package.json").write_text('{"name": "x", "main": "index.js"}')
    (tmp_path / "package-lock.json").write_text("{}")
    if command == "detect":
        result = CliRunner().invoke(cli, ["detect", str(tmp_path)], prog_name="dockgen")
        text = result.stdout
    else:
        preset = tmp_path / "dockgen.yaml"
        result = CliRunner().invoke(cli, ["new", str(tmp_path), "--yes", "--save-preset", str(preset)],
                                    prog_name="dockgen")
        text = preset.read_text()
    assert result.exit_code == 0, result.output
    assert text.startswith("# yaml-language-server: $schema=dockgen.schema.json\n")
