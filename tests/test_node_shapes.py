"""Real Node.js project shapes (issue 8): Next.js both ways, node flags and environment variables from the
start script, NestJS, and the rule that a default dockgen picked never makes detection fail.

What the Dockerfile means (stages, copies, CMD, ENV), what the model accepts, what detection reads on
fixture projects (and the warnings it gives), and hadolint on every new shape."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import preset_from_mapping, render
from generator.cli import cli
from generator.detect import detect
from generator.dockerfile import stages
from generator.errors import UserError
from generator.languages.node.start import read_start

from .e2e.fixtures import copy_app
from .test_hadolint import HADOLINT, lint

PROJECTS = Path(__file__).parent / "fixtures" / "projects"
PMS = {"npm": {"package_manager": "npm"}, "yarn1": {"package_manager": "yarn", "yarn_version": 1},
       "yarn4": {"package_manager": "yarn", "yarn_version": 4}, "pnpm": {"package_manager": "pnpm"}}
BASES = ("full", "slim", "alpine", "distroless")


def dockerfile(**keys) -> str:
    return render(preset_from_mapping(keys, "test")).files["Dockerfile"]


def named(text: str) -> dict:
    return {s.name: s for s in stages(text) if s.name}


# ---------------------------------------------------------------------------------------------------- Next.js


@pytest.mark.parametrize(("pm", "base"), list(itertools.product(PMS, BASES)))
def test_nextjs_standalone_runtime_gets_the_traced_server_only(pm: str, base: str) -> None:
    text = dockerfile(**PMS[pm], base=base, nextjs="standalone", build_script="build")
    parts = named(text)
    assert "deps" not in parts, "standalone traces its own node_modules: no production install stage"
    build = parts["build"].all("RUN")[-1].value
    assert build.startswith("--mount=type=cache,target=/app/.next/cache ") and "run build" in build
    runtime = stages(text)[-1]
    copies = [c.value for c in runtime.all("COPY")]
    assert "--from=build /app/.next/standalone ./" in copies
    assert "--from=build /app/.next/static ./.next/static" in copies
    assert "--from=build /app/public ./public" in copies
    assert not any("node_modules" in c for c in copies) and ". ." not in copies
    env = runtime.last("ENV").value
    assert "HOSTNAME=0.0.0.0" in env and "PORT=3000" in env
    cmd = runtime.last("CMD").json_args()
    assert cmd == (["server.js"] if base == "distroless" else ["node", "server.js"])


@pytest.mark.parametrize(("pm", "base"), list(itertools.product(PMS, BASES)))
def test_nextjs_server_runs_next_start_through_node(pm: str, base: str) -> None:
    text = dockerfile(**PMS[pm], base=base, nextjs="server", build_script="build", port=8080)
    runtime = stages(text)[-1]
    copies = [c.value for c in runtime.all("COPY")]
    assert "--from=deps /app/node_modules ./node_modules" in copies
    assert "--from=build /app/package.json /app/next.config.* ./" in copies
    assert "--from=build /app/.next ./.next" in copies and "--from=build /app/public ./public" in copies
    args = ["node_modules/next/dist/bin/next", "start"]
    assert runtime.last("CMD").json_args() == (args if base == "distroless" else ["node", *args])
    assert "PORT=8080" in runtime.last("ENV").value and "HOSTNAME=0.0.0.0" in runtime.last("ENV").value
    ignore = render(preset_from_mapping({**PMS[pm], "nextjs": "server", "build_script": "build"}, "t")).files
    assert ".next" in ignore[".dockerignore"].splitlines()


def test_env_file_option_is_warned_about() -> None:
    preset = preset_from_mapping({"node_options": ["--env-file=.env", "--enable-source-maps"]}, "t")
    assert any("--env-file names a file .dockerignore keeps out" in w for w in render(preset).warnings)
    assert read_start("node --env-file=.env --enable-source-maps server.js").node_options == ("--enable-source-maps",)


def test_nextjs_needs_a_build_script_and_warns_about_unused_keys() -> None:
    with pytest.raises(UserError, match="build_script: a Next.js app is built by `next build`"):
        preset_from_mapping({"nextjs": "standalone"}, "t")
    preset = preset_from_mapping({"nextjs": "server", "build_script": "build", "entrypoint": "x.js"}, "t")
    assert any("entrypoint and build_output are not used" in w for w in render(preset).warnings)


# ------------------------------------------------------------------------------------------- node flags and env


def test_node_options_go_before_the_entrypoint_in_the_exec_form_cmd() -> None:
    options = ["--enable-source-maps", "-r", "dotenv/config", "--max-old-space-size=512", "--import", "./otel.mjs"]
    slim = stages(dockerfile(node_options=options))[-1].last("CMD").json_args()
    assert slim == ["node", *options, "index.js"]
    distroless = stages(dockerfile(node_options=options, base="distroless"))[-1]
    assert distroless.last("CMD").json_args() == [*options, "index.js"]
    assert distroless.last("ENTRYPOINT").json_args()[-1] == "/nodejs/bin/node"


def test_env_lines_follow_the_images_own() -> None:
    runtime = stages(dockerfile(env={"LOG_LEVEL": "info", "UV_THREADPOOL_SIZE": 8}, timezone="UTC"))[-1]
    assert runtime.last("ENV").value.split() == ["NODE_ENV=production", "PORT=3000", "TZ=UTC", "LOG_LEVEL=info",
                                                  "UV_THREADPOOL_SIZE=8"]


@pytest.mark.parametrize(("key", "value", "reason"), [
    ("node_options", ["-e", "require('x')"], "does not start a service"),
    ("node_options", ['--title="x"'], "is not a node flag"),
    ("node_options", ["--enable-source-maps\nRUN id"], "is not a node flag"),
    ("node_options", ["-r"], "-r needs a value"),
    ("node_options", ["-r", "x y"], "is not a value for -r"),
    ("node_options", "--inspect index.js", "is not a node flag"),
    ("env", {"PORT": 8080}, "set it with the port key"),
    ("env", {"NODE_ENV": "development"}, "NODE_ENV=production"),
    ("env", {"A": "x y"}, "is not a plain value"),
    ("env", {"A": "$HOME"}, "is not a plain value"),
    ("env", {"A": "x\nRUN id"}, "is not a plain value"),
    ("env", {"A": '"q"'}, "is not a plain value"),
    ("env", {"1A": "x"}, "is not a variable name"),
    ("env", ["A"], "has no value"),
    ("env", 5, "expected a list"),
    ("nextjs", "export", "allowed: standalone, server"),
])
def test_values_reaching_the_dockerfile_are_narrow(key: str, value, reason: str) -> None:
    with pytest.raises(UserError, match=None) as info:
        preset_from_mapping({key: value, "build_script": "build"} if key == "nextjs" else {key: value}, "my.yaml")
    assert str(info.value).startswith(f"my.yaml: {key}: ") and reason in str(info.value), str(info.value)
    assert "\n" not in str(info.value).split(": ", 2)[1]


def test_lists_round_trip_through_a_saved_preset(tmp_path: Path) -> None:
    preset = preset_from_mapping({"node_options": "--enable-source-maps -r dotenv/config",
                                  "env": {"LOG_LEVEL": "info"}}, "t")
    assert preset.node_options == ("--enable-source-maps", "-r", "dotenv/config")
    saved = tmp_path / "p.yaml"
    from generator.presets import dump_preset
    saved.write_text(dump_preset(preset))
    data = yaml.safe_load(saved.read_text())
    assert data["node_options"] == ["--enable-source-maps", "-r", "dotenv/config"] and data["env"] == ["LOG_LEVEL=info"]
    assert preset_from_mapping(data, str(saved)) == preset


@pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed")
def test_new_shapes_are_lint_clean(tmp_path: Path) -> None:
    paths = []
    shapes = [{"nextjs": "standalone", "build_script": "build"}, {"nextjs": "server", "build_script": "build"},
              {"node_options": ["--enable-source-maps", "-r", "dotenv/config"], "env": {"A": "b"}, "build_script": "build",
               "entrypoint": "dist/main.js"}]
    for number, (pm, base, shape) in enumerate(itertools.product(PMS, BASES, shapes)):
        path = tmp_path / f"{number:03d}.Dockerfile"
        path.write_text(dockerfile(**PMS[pm], base=base, **shape))
        paths.append(path)
    serious = [f"{Path(f['file']).name}:{f['line']} {f['code']} {f['message']}" for f in lint(paths)
               if f["level"] in ("warning", "error")]
    assert serious == []


# ------------------------------------------------------------------------------------------------ start scripts


@pytest.mark.parametrize(("script", "entry", "options", "env", "port"), [
    ("node server.js", "server.js", (), (), None),
    ("node dist/main", "dist/main.js", (), (), None),
    ("node ./src/index.mjs", "src/index.mjs", (), (), None),
    ("node --enable-source-maps -r dotenv/config dist/index.js", "dist/index.js",
     ("--enable-source-maps", "-r", "dotenv/config"), (), None),
    ("node --import ./otel.mjs --max-old-space-size=4096 build/server.cjs", "build/server.cjs",
     ("--import", "./otel.mjs", "--max-old-space-size=4096"), (), None),
    ("NODE_ENV=production LOG_LEVEL=warn PORT=8080 node app", "app.js", (), ("LOG_LEVEL=warn",), "8080"),
    ("cross-env NODE_ENV=production DEBUG=app:* node server.js", "server.js", (), ("DEBUG=app:*",), None),
])
def test_start_scripts_that_are_read(script: str, entry: str, options: tuple, env: tuple, port) -> None:
    start = read_start(script)
    assert (start.entrypoint, start.node_options, start.env, start.port) == (entry, options, env, port)


@pytest.mark.parametrize(("script", "problem"), [
    ("ts-node src/index.ts", "ts-node is a development runner; for production, compile with a build step (tsc)"),
    ("tsx watch src/server.ts", "tsx is a development runner"),
    ("nodemon server.js", "nodemon is a development runner; for production, run node on the file directly"),
    ("npm run migrate && node server.js", "it is a shell command line"),
    ("pm2-runtime ecosystem.config.js", "it runs pm2-runtime, not node"),
    ("node server.js --port 8080", "the arguments after the file (--port 8080) are not kept"),
    ("node --env-file=.env server.js", "--env-file=.env is not kept: .dockerignore keeps .env files out"),
    ("node --env-file .env.production server.js", "--env-file .env.production is not kept"),
    ("node 'unterminated", "cannot be split into words"),
])
def test_start_scripts_that_are_not(script: str, problem: str) -> None:
    assert any(problem in p for p in read_start(script).problems), read_start(script).problems


# ----------------------------------------------------------------------------------------------------- detection


def fixture(app: str, tmp_path: Path) -> Path:
    """An e2e fixture app (tests/e2e/apps), copied as `dockgen detect` would see it."""
    return copy_app(app, tmp_path / app.replace("/", "-"))


def write_project(tmp_path: Path, package: dict, files: dict | None = None) -> Path:
    root = tmp_path / "project"
    root.mkdir(parents=True)
    (root / "package.json").write_text(json.dumps(package))
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize(("way", "config"), [("standalone", "next.config.js"), ("server", "next.config.mjs")])
def test_detects_nextjs_both_ways(tmp_path: Path, way: str, config: str) -> None:
    found = detect(fixture(f"next/{way}", tmp_path))
    assert found.values["nextjs"] == way and found.values["build_script"] == "build"
    assert "entrypoint" not in found.values
    suggestion = [w for w in found.warnings if "add output: 'standalone'" in w]
    assert bool(suggestion) == (way == "server")
    if suggestion:
        assert config in suggestion[0] and "MB" in suggestion[0]
    preset_from_mapping(found.values, way)


def test_detects_nestjs_from_its_start_prod_script(tmp_path: Path) -> None:
    found = detect(fixture("nest-app", tmp_path))
    assert (found.values["build_script"], found.values["build_output"], found.values["entrypoint"]) == \
        ("build", "dist", "dist/main.js")
    assert found.warnings == []
    assert any("NestJS" in n for n in found.notes)


def test_nestjs_without_start_prod_still_detects(tmp_path: Path) -> None:
    """Only `nest start` (a dev runner) and no main: dist/main.js from nest-cli.json's entryFile."""
    root = write_project(tmp_path, {"scripts": {"build": "nest build", "start": "nest start"},
                                    "dependencies": {"@nestjs/core": "^11"}},
                         {"nest-cli.json": '{"entryFile": "server"}', "package-lock.json": "{}"})
    found = detect(root)
    assert found.values["entrypoint"] == "dist/server.js"
    assert any("'nest start'" in w and "nest is a development runner" in w and "dist/server.js" in w
               for w in found.warnings), found.warnings
    preset_from_mapping(found.values, "t")


def test_detects_start_flags_variables_and_the_file_without_extension(tmp_path: Path) -> None:
    found = detect(fixture("start-flags", tmp_path))
    assert found.values["entrypoint"] == "server.js"
    assert found.values["node_options"] == ("--enable-source-maps", "--max-old-space-size=256", "-r", "./preload.js")
    assert found.values["env"] == ("GREETING=hej",)
    assert found.warnings == []


@pytest.mark.parametrize(("package", "warning", "entry"), [
    ({"scripts": {"start": "ts-node src/index.ts"}},
     "'ts-node src/index.ts' cannot be read: ts-node is a development runner; for production, compile with a build "
     "step (tsc) and run node on its output; the image runs node index.js (dockgen default)", "index.js"),
    ({"main": "server.js", "scripts": {"start": "npm run migrate && node server.js"}},
     "'npm run migrate && node server.js' cannot be read: it is a shell command line", "server.js"),
    ({"scripts": {"start": "nodemon src/app.js", "build": "tsc"}},
     "the image runs node dist/index.js (inside the build output)", "dist/index.js"),
    ({"scripts": {"start": "tsx src/server.ts", "build": "vite build"}, "main": "server.js"},
     "the image runs node server.js (package.json main)", "server.js"),
])
def test_unread_start_scripts_are_quoted_with_what_was_used(tmp_path: Path, package: dict, warning: str,
                                                           entry: str) -> None:
    found = detect(write_project(tmp_path, package, {"package-lock.json": "{}"}))
    assert found.values.get("entrypoint", "index.js") == entry
    assert any(warning in w for w in found.warnings), found.warnings
    preset_from_mapping(found.values, "t")


def test_a_default_never_makes_detection_fail(tmp_path: Path) -> None:
    """A build script and no word about the entrypoint: dist/index.js, said in a warning; a main outside the
    build output is what runs: no build stage, said in a warning. `dockgen detect` exits 0 on both."""
    for package, entry, build in (({"scripts": {"build": "tsc"}}, "dist/index.js", "build"),
                                  ({"main": "src/index.js", "scripts": {"build": "babel src -d lib"}}, "src/index.js",
                                   None)):
        root = write_project(tmp_path / entry.split("/")[0], package, {"package-lock.json": "{}"})
        found = detect(root)
        assert (found.values["entrypoint"], found.values.get("build_script")) == (entry, build), found.values
        assert any(entry in w for w in found.warnings), found.warnings
        result = CliRunner().invoke(cli, ["detect", str(root)])
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("app", ["nest-app", "next/server", "start-flags"])
def test_dockgen_detect_then_render_works_on_each_shape(tmp_path: Path, app: str) -> None:
    root = fixture(app, tmp_path)
    result = CliRunner().invoke(cli, ["detect", str(root)])
    assert result.exit_code == 0, result.output
    (tmp_path / "p.yaml").write_text(result.stdout)
    rendered = CliRunner().invoke(cli, ["render", str(tmp_path / "p.yaml"), "--stdout"])
    assert rendered.exit_code == 0 and "CMD [" in rendered.stdout, rendered.output


@pytest.mark.parametrize(("files", "package", "error"), [
    ({"bun.lockb": ""}, {}, "bun.lockb: Bun is not supported yet"),
    ({"bun.lock": "{}"}, {}, "bun.lock: Bun is not supported yet"),
    ({}, {"packageManager": "bun@1.2.0"}, "package.json packageManager: Bun is not supported yet"),
])
def test_bun_is_not_supported_yet(tmp_path: Path, files: dict, package: dict, error: str) -> None:
    root = write_project(tmp_path, package, files)
    result = CliRunner().invoke(cli, ["detect", str(root)])
    assert result.exit_code == 2 and error in result.output and "Traceback" not in result.output, result.output


def test_bun_lockfile_next_to_another_is_a_warning(tmp_path: Path) -> None:
    found = detect(write_project(tmp_path, {}, {"bun.lockb": "", "package-lock.json": "{}"}))
    assert found.values["package_manager"] == "npm"
    assert any("bun.lockb: Bun is not supported yet; using package-lock.json" in w for w in found.warnings)


def test_fixture_lockfiles_are_real(tmp_path: Path) -> None:
    """The e2e fixtures' lockfiles were made by npm: `npm ci --dry-run` accepts them as they are."""
    if shutil.which("npm") is None:
        pytest.skip("npm not installed")
    for app in ("start-flags", "nest-app", "next/standalone"):
        root = fixture(app, tmp_path)
        proc = subprocess.run(["npm", "ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=root,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]


def test_render_warns_when_the_project_does_not_ask_for_standalone(tmp_path: Path) -> None:
    root = fixture("next/server", tmp_path)
    result = CliRunner().invoke(cli, ["render", "node-nextjs-standalone-distroless", "-o", str(root)])
    assert result.exit_code == 0 and "next.config.mjs does not set output: 'standalone'" in result.output
    standalone = fixture("next/standalone", tmp_path)
    result = CliRunner().invoke(cli, ["render", "node-nextjs-standalone-distroless", "-o", str(standalone)])
    assert result.exit_code == 0 and "does not set output" not in result.output, result.output


@pytest.mark.parametrize(("app", "key", "value"), [("nest-app", "entrypoint", "dist/main.js"),
                                                    ("next/standalone", "nextjs", "standalone"),
                                                    ("next/server", "nextjs", "server"),
                                                    ("start-flags", "node_options",
                                                     ["--enable-source-maps", "--max-old-space-size=256", "-r",
                                                      "./preload.js"])])
def test_dockgen_new_yes_on_each_shape(tmp_path: Path, app: str, key: str, value) -> None:
    """`dockgen new --yes` used to exit 2 on NestJS and Next.js (dockgen's own index.js default outside dist)."""
    root = fixture(app, tmp_path)
    saved = tmp_path / "saved.yaml"
    result = CliRunner().invoke(cli, ["new", str(root), "--yes", "--save-preset", str(saved)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(saved.read_text())[key] == value
    assert (root / "Dockerfile").is_file()


def test_the_wizard_on_a_nextjs_app_asks_no_entrypoint(tmp_path: Path) -> None:
    from generator import wizard

    from .test_wizard import CONFIRM, ENTER, piped

    root = fixture("next/standalone", tmp_path)
    with piped(ENTER * 8 + CONFIRM) as prompter:
        assert wizard.run_new(root, prompter=prompter) == 0
    assert not any("Entrypoint" in q for q in prompter.asked), prompter.asked
    assert any("next build" in q for q in prompter.asked), prompter.asked
    expected = render(preset_from_mapping({"nextjs": "standalone", "build_script": "build"}, "t")).files
    assert (root / "Dockerfile").read_text() == expected["Dockerfile"]
