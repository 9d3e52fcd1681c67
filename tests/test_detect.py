"""Project detection on fixture projects (tests/fixtures/projects), and `dockgen detect`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.detect import detect, project_warnings
from generator.languages.node.detect import find_native_addons, node_major_for
from generator.model import preset_from_mapping

PROJECTS = Path(__file__).parent / "fixtures" / "projects"
ALLOWED = (22, 24, 26)


def project(name: str, tmp_path: Path) -> Path:
    """A copy of fixture project ``name``, so a test may add files (node_modules) to it."""
    target = tmp_path / name
    shutil.copytree(PROJECTS / name, target)
    return target


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("npm-lock", {"package_manager": "npm", "node_version": 24, "entrypoint": "server.js", "port": 8080}),
        ("npm-nolock", {"node_version": 22, "entrypoint": "app.js", "port": 5000, "lockfile": False}),
        ("yarn-classic", {"package_manager": "yarn", "yarn_version": 1, "node_version": 22, "entrypoint": "index.js"}),
        ("yarn-berry", {"package_manager": "yarn", "yarn_version": 4, "node_version": 24,
                        "entrypoint": "src/main.mjs"}),
        ("yarn-pm-nolock", {"package_manager": "yarn", "yarn_version": 4, "lockfile": False, "node_version": 22}),
        ("pnpm-ts", {"package_manager": "pnpm", "node_version": 24, "entrypoint": "out/server.js",
                     "build_script": "build", "build_output": "out", "port": 4000}),
        ("npm-build-flag", {"package_manager": "npm", "node_version": 26, "build_script": "build",
                            "build_output": "lib", "entrypoint": "lib/index.js"}),
    ],
)
def test_detects_fixture_project(name: str, expected: dict) -> None:
    found = detect(PROJECTS / name)
    for key, value in expected.items():
        assert found.values.get(key) == value, (key, found.values, found.notes)
    # whatever was detected is a valid preset
    preset_from_mapping(found.values, name)


def test_lockfile_key_absent_when_lockfile_present() -> None:
    assert "lockfile" not in detect(PROJECTS / "npm-lock").values
    assert "lockfile" not in detect(PROJECTS / "yarn-classic").values


@pytest.mark.parametrize("name, missing", [("npm-nolock", "package-lock.json"), ("yarn-pm-nolock", "yarn.lock")])
def test_missing_lockfile_warns_about_reproducibility(name: str, missing: str) -> None:
    found = detect(PROJECTS / name)
    assert found.values["lockfile"] is False
    message = next(w for w in found.warnings if w.startswith("no "))
    assert missing in message and "not reproducible" in message


def test_yarn_berry_without_yarnrc_is_warned() -> None:
    assert any(".yarnrc.yml" in w for w in detect(PROJECTS / "yarn-pm-nolock").warnings)
    assert not any(".yarnrc.yml" in w for w in detect(PROJECTS / "yarn-berry").warnings)


def test_berry_from_lockfile_metadata_without_yarnrc(tmp_path: Path) -> None:
    root = project("yarn-berry", tmp_path)
    (root / ".yarnrc.yml").unlink()
    assert detect(root).values["yarn_version"] == 4


def test_package_manager_field_beats_lockfile(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)
    data = json.loads((root / "package.json").read_text())
    data["packageManager"] = "pnpm@9.12.0"
    (root / "package.json").write_text(json.dumps(data))
    found = detect(root)
    assert found.values["package_manager"] == "pnpm"
    assert found.values["lockfile"] is False  # the Dockerfile would copy pnpm-lock.yaml, which is missing
    assert any("packageManager" in w and "npm" in w for w in found.warnings)


def test_several_lockfiles_and_unreadable_values_are_reported() -> None:
    found = detect(PROJECTS / "mixed")
    assert found.values["package_manager"] == "pnpm"
    assert any("several lockfiles" in w for w in found.warnings)
    assert "entrypoint" not in found.values  # main "../outside.js" is rejected by the model
    assert "node_version" not in found.values  # engines "not a range!"
    assert any("../outside.js" in n for n in found.notes)


@pytest.mark.parametrize(
    ("spec", "major", "noted"),
    [
        (">=18", 24, False),  # the default LTS satisfies it: prefer it
        (">=25", 26, False),
        ("^22", 22, False),
        ("^22.11.0", 22, False),
        ("~22.3", 22, False),
        ("22.x", 22, False),
        ("lts/*", 24, False),
        ("lts/jod", 22, False),
        ("node", 26, False),
        ("v24.1.0", 24, False),
        ("^22 || ^24", 24, False),
        ("22 - 24", 24, False),
        (">= 20 <23", 22, False),
        ("<=22", 22, False),
        (">22", 24, False),
        ("20", 22, True),  # end of life: the nearest maintained line, with a note
        ("25", 26, True),  # odd: tie goes to the newer line
        ("27", 26, True),
        (">=14 <17", 22, True),
    ],
)
def test_node_version_mapping(spec: str, major: int, noted: bool) -> None:
    chosen, note = node_major_for(spec, ALLOWED)
    assert chosen == major
    assert (note is not None) == noted


def test_node_version_unreadable_raises() -> None:
    with pytest.raises(ValueError):
        node_major_for("banana", ALLOWED)


def test_nvmrc_wins_over_engines(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)  # engines >=18
    (root / ".nvmrc").write_text("22\n")
    assert detect(root).values["node_version"] == 22


def test_native_addons_from_known_list_and_lockfile() -> None:
    found = detect(PROJECTS / "npm-native")
    names = [a.split(" ")[0] for a in found.native_addons]
    assert names == ["bcrypt", "weird-native"]  # core-js's install script is not native code
    assert any("alpine" in w and "musl" in w and "bcrypt" in w for w in found.warnings)


def test_native_addon_from_binding_gyp_in_node_modules(tmp_path: Path) -> None:
    root = project("npm-lock", tmp_path)
    assert find_native_addons(root) == []
    (root / "node_modules" / "@acme" / "fast").mkdir(parents=True)
    (root / "node_modules" / "@acme" / "fast" / "binding.gyp").write_text("{}")
    (root / "node_modules" / "plain").mkdir()
    (root / "node_modules" / "plain" / "index.js").write_text("")
    assert find_native_addons(root) == ["@acme/fast (binding.gyp in node_modules)"]


def test_native_addon_from_pnpm_requires_build() -> None:
    addons = find_native_addons(PROJECTS / "pnpm-ts")
    assert any(a.startswith("sharp ") for a in addons)
    assert not any(a.startswith("typescript") for a in addons)


def test_no_native_addons_no_warning() -> None:
    found = detect(PROJECTS / "npm-lock")
    assert found.native_addons == []
    assert found.warnings == []


def test_not_a_node_project(tmp_path: Path) -> None:
    found = detect(tmp_path)
    assert any("no package.json" in w for w in found.warnings)
    preset_from_mapping(found.values, "empty")


def test_project_warnings_only_for_alpine_with_addons() -> None:
    alpine = preset_from_mapping({"base": "alpine"}, "t")
    slim = preset_from_mapping({"base": "slim"}, "t")
    assert project_warnings(PROJECTS / "npm-native", slim) == []
    assert project_warnings(PROJECTS / "npm-lock", alpine) == []
    [warning] = project_warnings(PROJECTS / "npm-native", alpine)
    assert warning.startswith("native addons: bcrypt") and "base: alpine" in warning


# ---- the CLI ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in PROJECTS.iterdir()))
def test_detect_command_prints_a_preset_render_accepts(name: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["detect", str(PROJECTS / name)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert isinstance(data, dict) and data["language"] == "node"
    preset_file = tmp_path / "detected.yaml"
    preset_file.write_text(result.stdout)
    rendered = runner.invoke(cli, ["render", str(preset_file), "-o", str(tmp_path / "out")])
    assert rendered.exit_code == 0, rendered.output
    assert (tmp_path / "out" / "Dockerfile").is_file()


def test_detect_command_warnings_go_to_stderr() -> None:
    result = CliRunner().invoke(cli, ["detect", str(PROJECTS / "npm-nolock")])
    assert result.exit_code == 0
    assert "warning: no package-lock.json" in result.stderr
    assert "warning" not in result.stdout
    assert yaml.safe_load(result.stdout)["lockfile"] is False


def test_render_warns_about_native_addons_on_alpine(tmp_path: Path) -> None:
    root = project("npm-native", tmp_path)
    runner = CliRunner()
    alpine = runner.invoke(cli, ["render", "node-npm-alpine", "-o", str(root)])
    assert alpine.exit_code == 0, alpine.output
    assert "native addons: bcrypt" in alpine.stderr
    slim = runner.invoke(cli, ["render", "node-npm-slim", "-o", str(root), "--force"])
    assert slim.exit_code == 0
    assert "native addons" not in slim.stderr


@pytest.mark.parametrize(("name", "text", "expected"), [
    (".npmrc", "@acme:registry=https://npm.acme.dev/\n//npm.acme.dev/:_authToken=${NPM_TOKEN}\n", True),
    (".npmrc", "_auth=dXNlcjpwYXNz\n", True),
    (".npmrc", "engine-strict=true\nauto-install-peers=true\n", None),
    (".yarnrc.yml", "nodeLinker: node-modules\nnpmAuthToken: ${NPM_TOKEN}\n", True),
    (".yarnrc.yml", "nodeLinker: node-modules\n", None),
])
def test_registry_credentials_mean_a_build_secret(tmp_path: Path, name: str, text: str, expected: bool | None) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / name).write_text(text)
    detection = detect(tmp_path)
    assert detection.values.get("npmrc_secret") is expected
    if expected:
        preset = preset_from_mapping(detection.values, "detected")
        assert preset.npmrc_secret


def test_yarn_3_maps_to_4_with_a_warning() -> None:
    found = detect(PROJECTS / "yarn-pm-nolock")
    assert found.values["yarn_version"] == 4
    assert any("yarn 3 is past its end of life" in w and "yarn set version 4" in w for w in found.warnings)


def test_registry_settings_that_the_build_would_miss_or_leak(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x", "packageManager": "yarn@4.18.1"}')
    (tmp_path / ".npmrc").write_text("legacy-peer-deps=true\n; a comment=here\n")
    (tmp_path / ".yarnrc.yml").write_text("nodeLinker: node-modules\nnpmAuthToken: npm_abc123\n")
    warnings = detect(tmp_path).warnings
    assert any(w.startswith(".npmrc sets legacy-peer-deps:") and "comment" not in w for w in warnings)
    assert any(w.startswith(".yarnrc.yml holds npmAuthToken in clear") for w in warnings)
    (tmp_path / ".yarnrc.yml").write_text('npmAuthToken: "${NPM_TOKEN:-}"\n')
    assert not any(w.startswith(".yarnrc.yml holds") for w in detect(tmp_path).warnings)


def test_shrinkwrap_only_project_gets_a_buildable_preset(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / "npm-shrinkwrap.json").write_text("{}")
    found = detect(tmp_path)
    assert found.values["lockfile"] is False, "the Dockerfile copies package-lock.json, which is not there"
    assert any(w.startswith("npm-shrinkwrap.json: the Dockerfile copies package-lock.json") for w in found.warnings)
