"""Property tests (hypothesis) over the preset model, the renderer and the command line.

- every preset the model accepts renders a Dockerfile the strict checker (generator.dockerfile.problems)
  and hadolint accept;
- every value the model refuses raises UserError, never another exception;
- every command line built from generated arguments and files ends with exit 0, 1 or 2, and no traceback;
- every generated package.json (with lockfiles and tsconfig.json) is detected as a preset the model accepts.

Examples are few and the database is off, so the suite stays fast and the same on every machine; the
strategies aim at the edges (the patterns' limits, YAML's odd scalars, sizes).
"""

from __future__ import annotations

import json
import os
import shutil
import string
import subprocess
import tempfile
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import render
from generator.cli import cli
from generator.dockerfile import problems, stages
from generator.errors import UserError
from generator.languages.node.model import BASES, NODE_VERSIONS, PACKAGE_MANAGERS
from generator.model import fields_for, preset_from_mapping
from generator.presets import parse_overrides, parse_yaml

FAST = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
HADOLINT = shutil.which("hadolint")

NAME = st.text(string.ascii_letters + string.digits + "_@", min_size=1, max_size=3).map(
    lambda s: s if s[0] not in "." else "a" + s)
PATH_PART = st.builds(lambda head, tail: head + tail, st.sampled_from(string.ascii_letters + string.digits + "_@"),
                      st.text(string.ascii_letters + string.digits + "._@+-", max_size=8)).filter(
    lambda part: part not in (".", ".."))
REL_DIR = st.lists(PATH_PART, min_size=1, max_size=3).map("/".join).filter(
    lambda p: p.split("/")[0] not in ("node_modules", "package.json", ".yarn", ".pnpm-store"))
SCRIPT = st.builds(lambda head, tail: head + tail, st.sampled_from(string.ascii_letters + string.digits),
                   st.text(string.ascii_letters + string.digits + ":._-", max_size=12))
HOST_LABEL = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10)
MIRROR = st.builds(lambda labels, port, path: "https://" + ".".join(labels) + (f":{port}" if port else "") + path,
                   st.lists(HOST_LABEL, min_size=1, max_size=3), st.none() | st.integers(1, 65535),
                   st.sampled_from(["", "/", "/npm/", "/repository/npm-group/", "/a~b%20c"]))
ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "posixrules", "Factory"})
DESCRIPTION = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn"),
                                    blacklist_characters='"\\$'), max_size=200).filter(
    lambda s: s.strip() and s.isprintable())


@st.composite
def valid_presets(draw: st.DrawFn) -> dict[str, Any]:
    """A mapping the model accepts: every key at a value drawn from what it allows, rules between keys kept."""
    pm = draw(st.sampled_from(PACKAGE_MANAGERS))
    base = draw(st.sampled_from(BASES))
    data: dict[str, Any] = {"package_manager": pm, "base": base,
                            "node_version": draw(st.sampled_from(NODE_VERSIONS[base]))}
    if pm == "yarn" and draw(st.booleans()):
        data["yarn_version"] = draw(st.sampled_from([1, 4, "1", "4"]))
    optional = {
        "description": DESCRIPTION,
        "registry_mirror": MIRROR | st.just("npmmirror"),
        "timezone": st.sampled_from(ZONES),
        "port": st.integers(1, 65535) | st.integers(1, 65535).map(str),
        "lockfile": st.sampled_from([True, False, "yes", "off", 0, 1, "0"]),
        "npmrc_secret": st.booleans(),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    suffix = draw(st.sampled_from([".js", ".mjs", ".cjs"]))
    if draw(st.booleans()):
        output = draw(REL_DIR)
        data["build_script"] = draw(SCRIPT)
        data["build_output"] = draw(st.sampled_from([output, f"./{output}", f"{output}/"]))
        data["entrypoint"] = f"{output}/{draw(PATH_PART)}{suffix}"
    elif draw(st.booleans()):
        data["entrypoint"] = draw(st.sampled_from(["", "./"])) + draw(REL_DIR) + suffix
    return data


def test_every_accepted_preset_renders_a_strictly_valid_lint_clean_dockerfile(tmp_path: Path) -> None:
    rendered: list[str] = []

    @FAST
    @given(valid_presets())
    def check(data: dict[str, Any]) -> None:
        preset = preset_from_mapping(data, "hypothesis")
        files = render(preset).files
        assert problems(files["Dockerfile"]) == []
        runtime = stages(files["Dockerfile"])[-1]
        assert runtime.name == "runtime"
        assert f"PORT={preset.port}" in " ".join(i.value for i in runtime.all("ENV"))
        assert set(files) == {"Dockerfile", ".dockerignore"}
        rendered.append(files["Dockerfile"])

    check()
    if HADOLINT is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but hadolint is missing")
        pytest.skip("hadolint not installed")
    paths = []
    for number, text in enumerate(rendered):
        paths.append(tmp_path / f"{number:03d}.Dockerfile")
        paths[-1].write_text(text)
    proc = subprocess.run([HADOLINT, "--format", "json", "--no-fail", *map(str, paths)], capture_output=True,
                          text=True, check=True)
    serious = [f"{Path(f['file']).name}:{f['line']} {f['code']} {f['message']}" for f in json.loads(proc.stdout or "[]")
               if f["level"] in ("warning", "error")]
    assert serious == []


#: Values at the edges of the parsers: Unicode digits, YAML's odd scalars, paths, URLs, sizes.
EDGES = ["", " ", "²", "٣", "1e3", "0x10", "-1", "08", "0", "65536", "9" * 30, "yes", "off", "On", "./", "/", ".",
         "../x.js", "./index.js", "dist/", "a b", "a\nb", "x\\", 'say "hi"', "$HOME", "https://a:b@c",
         "https://x:99999", "https://x:0", "http://x", "localtime", "Europe/berlin", "x" * 300, "--help",
         "node_modules", float("nan"), float("inf"), -1, 0, 2**64, True, None, [], {}, ["a"], {"a": "b"}, b"\x00"]
ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.binary(max_size=5)
    | st.dates() | st.sampled_from(EDGES),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
KEYS = st.sampled_from([*fields_for("node"), "PORT", "Base", "colour", "", "python_version"])


@pytest.mark.parametrize("key", list(fields_for("node")))
def test_every_edge_value_of_every_key_is_accepted_or_a_user_error(key: str) -> None:
    for value in EDGES:
        try:
            preset_from_mapping({key: value}, "edges")
        except UserError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 600, (key, value)


@FAST
@given(st.dictionaries(KEYS, ANY_VALUE, max_size=6) | ANY_VALUE)
def test_every_refused_value_is_a_user_error(data: Any) -> None:
    try:
        preset = preset_from_mapping(data, "hypothesis")
    except UserError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600
        return
    render(preset)  # what the model accepts, the renderer renders


@FAST
@given(st.text(max_size=200) | st.sampled_from(["a: &a [*a]", "? [a]\n: b", "port: !!binary aGk=", "{{{{",
                                                "a: b\n a: c", "\ufeffport: 1", "- - - -", "port: 1e999"]))
def test_yaml_text_is_a_value_or_a_user_error(text: str) -> None:
    try:
        data = parse_yaml(text, "hypothesis")
    except UserError as exc:
        assert "\n" not in str(exc)
        return
    try:
        preset_from_mapping(data, "hypothesis")
    except UserError:
        pass
    try:
        parse_overrides([f"description={text}", f"port={text}"])
    except UserError:
        pass


SET_ITEMS = st.builds(lambda key, value: f"{key}={value}", KEYS,
                      st.text(max_size=20) | st.sampled_from(["npm", "yarn", "distroless", "26", "build", "dist"]))
PRESET_REFS = st.sampled_from(["node-npm-slim", "node-yarn-berry-distroless", "node-typescript-distroless",
                               "node-npm-slm", "p.yaml", "missing.yaml", ".", "/dev/null"])


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["render", "render", "render", "detect", "presets", "new", "bogus", ""]))
    args: list[str] = [command] if command else []
    if command == "render":
        args.append(draw(PRESET_REFS))
        for item in draw(st.lists(SET_ITEMS, max_size=3)):
            args += ["--set", item]
        args += draw(st.lists(st.sampled_from(["--stdout", "--check", "--force", "-o", "out", "--bogus"]),
                              max_size=3, unique=True))
        if args[-1] == "-o":
            args.append("out")
    elif command in ("detect", "new"):
        args += draw(st.lists(st.sampled_from([".", "proj", "missing", "p.yaml", "--yes", "--force"]), max_size=2))
    return args


@FAST
@given(command_lines(), st.text(max_size=80), st.sampled_from(['{"scripts": {"build": "tsc"}}', "{", "[]", ""]))
def test_generated_command_lines_end_in_0_1_or_2_without_a_traceback(args: list[str], preset_text: str,
                                                                      package_json: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "p.yaml").write_text(preset_text)
        (root / "proj").mkdir()
        (root / "proj" / "package.json").write_text(package_json)
        old = os.getcwd()
        os.chdir(root)
        try:
            result = CliRunner().invoke(cli, args, prog_name="dockgen")
        finally:
            os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2), (args, result.output)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)


def test_every_matrix_combination_passes_the_strict_checker() -> None:
    from .conftest import make_preset, matrix

    for pm, base, options in matrix(full=True):
        text = render(make_preset(pm, base, **options)).files["Dockerfile"]
        assert problems(text) == [], (pm, base, options)


@pytest.mark.parametrize(("text", "problem"), [
    ("FROM a AS b\nRUN --mount=type=cache,target=x true\nUSER 1\nCMD [\"x\"]\n", "relative or missing mount target"),
    ("FROM a AS b\nCOPY --link x y\nUSER 1\nCMD [\"x\"]\n", "flag --link"),
    ("FROM a AS b\nRUN <<EOF\nEOF\nUSER 1\nCMD [\"x\"]\n", "heredoc"),
    ("FROM a AS b\nLABEL a=\"b\nUSER 1\nCMD [\"x\"]\n", "No closing quotation"),
    ("FROM a AS b\nUSER node\nCMD [\"x\"]\n", "not numeric"),
    ("FROM a AS b\nUSER 1\nCMD x\n", "shell form"),
    ("FROM a AS b\nCOPY --from=nope x y\nUSER 1\nCMD [\"x\"]\n", "no earlier stage"),
    ("FROM a AS b\nFROM b AS b\nUSER 1\nCMD [\"x\"]\n", "repeated"),
    ("FROM a AS b\nTZ=UTC\nUSER 1\nCMD [\"x\"]\n", "unknown instruction"),
    ("FROM a AS b\nEXPOSE 70000\nUSER 1\nCMD [\"x\"]\n", "not a port"),
    ("FROM a AS b\nCMD [\"x\"]\n", "runs as root"),
    ("FROM a AS b\nUSER 1\nENV A=1 \\\n", "continues past the end"),
])
def test_the_strict_checker_finds(text: str, problem: str) -> None:
    assert any(problem in found for found in problems(text)), problems(text)


COMMAND = st.sampled_from(["node server.js", "node ./dist/index.js", "node --enable-source-maps out/main.mjs",
                           "tsc", "tsc --outDir build", "vite build", "next start", "node", "", "node ../x.js",
                           "node 'a b.js'", "node dist/"]) | st.text(max_size=20)
PACKAGE_JSON = st.fixed_dictionaries({}, optional={
    "scripts": st.dictionaries(st.sampled_from(["start", "build", "test"]), COMMAND, max_size=3),
    "main": st.sampled_from(["index.js", "./lib/main.js", "dist/index.js", "../x.js", "", "main.py"]) | st.text(max_size=10),
    "engines": st.fixed_dictionaries({"node": st.sampled_from([">=18", "^22", "20", "25.x", "lts", "*", ""])}),
    "packageManager": st.sampled_from(["yarn@4.1.0", "yarn@1.22.22", "pnpm@9.0.0", "npm@10", "yarn@3.6.0", "bun@1",
                                       "yarn"]),
    "dependencies": st.dictionaries(st.sampled_from(["express", "bcrypt", "sharp", "ms"]), st.just("*"), max_size=2),
})


@FAST
@given(PACKAGE_JSON, st.sampled_from([None, "package-lock.json", "yarn.lock", "pnpm-lock.yaml"]),
       st.sampled_from([None, '{"compilerOptions": {"outDir": "lib"}}', "{", '{"compilerOptions": {"outDir": "../x"}}']))
def test_detection_yields_a_valid_preset_or_a_user_error(package_json: dict, lockfile: str | None,
                                                         tsconfig: str | None) -> None:
    from generator.detect import detect, detection_yaml

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "package.json").write_text(json.dumps(package_json))
        if lockfile:
            (root / lockfile).write_text("{}" if lockfile.endswith(".json") else "")
        if tsconfig:
            (root / "tsconfig.json").write_text(tsconfig)
        detection = detect(root)
        text = detection_yaml(detection, root)  # a UserError here would be detect's own contradiction
        assert problems(render(preset_from_mapping(detection.values, "detected")).files["Dockerfile"]) == []
        assert "language: node" in text
