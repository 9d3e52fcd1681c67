"""Values accepted and refused the same way wherever they are typed (issue 12, "validation that disagrees
with itself"): paths spelled as detection spells them, booleans, ports in URLs, keys that apply only with
another."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import load_preset
from generator.errors import UserError
from generator.model import preset_from_mapping


def preset(**values: object):
    return preset_from_mapping(values, "test.yaml")


@pytest.mark.parametrize(("given", "kept"), [("./index.js", "index.js"), ("././src/app.js", "src/app.js")])
def test_entrypoint_is_normalized_like_detect_does(given: str, kept: str) -> None:
    assert preset(entrypoint=given).entrypoint == kept
    assert load_preset("node-npm-slim", [f"entrypoint={given}"]).entrypoint == kept


@pytest.mark.parametrize("given", ["dist", "./dist", "dist/", "./dist/"])
def test_build_output_spellings_are_one_directory(given: str) -> None:
    assert preset(build_script="build", build_output=given, entrypoint="dist/index.js").build_output == "dist"


@pytest.mark.parametrize("bad", [".", "./", "/", "../dist", "dist/../..", "node_modules", "node_modules/x",
                                 "package.json"])
def test_build_output_refusals(bad: str) -> None:
    with pytest.raises(UserError, match="build_output"):
        preset(build_script="build", build_output=bad, entrypoint="x/index.js")


def test_build_output_needs_a_build_script() -> None:
    with pytest.raises(UserError, match=r"build_output: only applies to build_script set"):
        preset(build_output="out")
    assert preset().build_output is None
    assert preset(build_script="build", entrypoint="dist/a.js").build_output == "dist"
    # Dropping the build script from the command line drops its output too (the preset file had both).
    assert load_preset("node-typescript-distroless", ["build_script="]).build_output is None


@pytest.mark.parametrize(("spelling", "value"), [
    (True, True), (False, False), (1, True), (0, False), ("1", True), ("0", False), ("on", True), ("off", False),
    ("yes", True), ("no", False), ("true", True), ("False", False), ("Y", True), ("n", False),
])
def test_booleans_have_one_set_of_spellings(spelling: object, value: bool) -> None:
    assert preset(lockfile=spelling).lockfile is value
    assert preset(npmrc_secret=spelling).npmrc_secret is value
    assert load_preset("node-npm-slim", [f"lockfile={spelling}"]).lockfile is value


@pytest.mark.parametrize("bad", ["maybe", 2, -1, "2", "ja"])
def test_other_booleans_are_refused_with_the_spellings(bad: object) -> None:
    with pytest.raises(UserError, match="allowed: true, false, yes, no, on, off, 1, 0"):
        preset(lockfile=bad)


def test_mirror_ports_and_credentials() -> None:
    assert preset(registry_mirror="https://ex.com:65535/npm").registry_mirror == "https://ex.com:65535/npm"
    for bad in ("https://ex.com:65536", "https://ex.com:0", "https://ex.com:99999/x"):
        with pytest.raises(UserError, match="out of range; allowed: 1-65535"):
            preset(registry_mirror=bad)
    for bad in ("https://ci:s3cr3t@ex.com", "https://s3cr3t@ex.com/npm"):
        with pytest.raises(UserError, match="npmrc_secret: true") as caught:
            preset(registry_mirror=bad)
        assert "s3cr3t" not in str(caught.value), "no secret in the message"


def test_localtime_is_not_a_zone() -> None:
    for name in ("localtime", "Factory", "posixrules"):
        with pytest.raises(UserError, match="depends on the machine|not an IANA"):
            preset(timezone=name)


def test_yarn_version_with_npm_is_refused_from_any_source() -> None:
    with pytest.raises(UserError, match="yarn_version: only applies to package_manager yarn, not npm"):
        load_preset("node-npm-slim", ["yarn_version=4"])
    with pytest.raises(UserError, match="only applies"):
        preset(package_manager="npm", yarn_version=1)
    # A later --set of the package manager drops the preset's yarn_version.
    assert load_preset("node-yarn-berry-distroless", ["package_manager=npm"]).yarn_version is None


@pytest.mark.parametrize(("value", "shown"), [
    ("x\\", "'x\\'"), (["a", "b"], "[a, b]"), ({"a": "b"}, "{a: b}"), (True, "true"),
])
def test_values_are_shown_as_written_not_as_python_repr(value: object, shown: str) -> None:
    with pytest.raises(UserError) as caught:
        preset(entrypoint=value)
    assert shown in str(caught.value)
    assert "\\\\" not in str(caught.value) and "True" not in str(caught.value) and "['" not in str(caught.value)


def test_a_long_bad_value_is_cut_in_the_message() -> None:
    with pytest.raises(UserError) as caught:
        preset(entrypoint="a b" * 1000)
    assert len(str(caught.value)) < 300 and "…" in str(caught.value)


def test_key_in_the_wrong_case_gets_a_hint(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"PORT: unknown key \(did you mean 'port'\?\)"):
        preset(PORT=8080)


def test_description_labels_the_image_and_a_built_in_presets_does_not() -> None:
    from generator import render
    from generator.dockerfile import stages

    labelled = render(load_preset("node-npm-slim", ["description=Orders API — payments & more"])).files
    runtime = stages(labelled["Dockerfile"])[-1]
    assert [i.value for i in runtime.all("LABEL")] == [
        'org.opencontainers.image.description="Orders API — payments & more"']
    # The built-in preset's own description describes the preset, not the user's app.
    assert "LABEL" not in render(load_preset("node-npm-slim")).files["Dockerfile"]


@pytest.mark.parametrize("bad", ['say "hi"', "back\\slash", "costs $5", "tab\there"])
def test_description_refuses_what_would_break_out_of_the_label(bad: str) -> None:
    with pytest.raises(UserError, match="description:"):
        preset(description=bad)


def test_render_warns_about_a_build_script_package_json_does_not_declare(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import cli

    (tmp_path / "package.json").write_text('{"scripts": {"start": "node dist/index.js", "compile": "tsc"}}')
    args = ["render", "node-typescript-distroless", "-o", str(tmp_path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "warning: build_script: build is not a script in" in result.stderr
    assert "(it has: start, compile)" in result.stderr
    fine = CliRunner().invoke(cli, [*args[:-2], "--set", "build_script=compile", "--stdout", "-o", str(tmp_path)])
    assert "build_script" not in fine.stderr


@pytest.mark.parametrize(("package_json", "expected", "warning"), [
    # The start script runs a file outside the build output: no build stage, and a warning that says why.
    ('{"scripts": {"build": "vite build", "start": "node server.js"}}',
     {"entrypoint": "server.js"}, "the preset has no build_script"),
    # A build script and nothing that names the file node runs: the build output's index.js, with a warning.
    ('{"scripts": {"build": "tsc"}}', {"entrypoint": "dist/index.js", "build_script": "build"},
     "assuming the build writes dist/index.js"),
])
def test_detection_always_yields_a_preset_the_model_accepts(tmp_path: Path, package_json: str,
                                                            expected: dict, warning: str) -> None:
    from generator.detect import detect, detection_yaml

    (tmp_path / "package.json").write_text(package_json)
    detection = detect(tmp_path)
    data = preset_from_mapping(detection.values, "detected")
    for key, value in expected.items():
        assert getattr(data, key) == value
    assert "build_script" in expected or data.build_script is None
    assert any(warning in message for message in detection.warnings), detection.warnings
    detection_yaml(detection, tmp_path)  # `dockgen detect` prints it instead of failing
