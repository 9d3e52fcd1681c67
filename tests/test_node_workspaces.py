"""Monorepos (issue 8, part 2): the workspace Dockerfile, its rules, detection inside a workspace and at the
root, build order, the wizard's question and render's warning."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import preset_from_mapping, render
from generator.cli import cli
from generator.detect import detect
from generator.dockerfile import stages
from generator.errors import UserError

from .test_hadolint import HADOLINT, lint
from .test_node_shapes import BASES, PMS, dockerfile, fixture, named


@pytest.mark.parametrize(("pm", "base"), list(itertools.product(["npm", "yarn4", "pnpm"], BASES)))
def test_workspace_dockerfile(pm: str, base: str) -> None:
    text = dockerfile(**PMS[pm], base=base, workspace="apps/api", workspace_deps=["packages/lib", "packages/util"])
    parts = named(text)
    manifests = parts["manifests"]
    assert [i.keyword for i in manifests.instructions] == ["WORKDIR", "COPY", "RUN"]
    assert "find . -name package.json" in manifests.last("RUN").value
    deps = parts["deps"]
    copies = [i.value for i in deps.all("COPY")]
    assert copies[0] == "--from=manifests /manifests/ ./" and ". ." not in copies
    assert ("pnpm-workspace.yaml" in copies[1]) == (pm == "pnpm")
    install = deps.last("RUN").value
    expected = {"npm": "npm ci --omit=dev --workspace=apps/api ",
                "yarn4": "yarn --cwd apps/api workspaces focus --production",
                "pnpm": "pnpm install --frozen-lockfile --prod --filter '{./apps/api}...' "}[pm]
    assert expected in install, install
    assert install.endswith("mkdir -p packages/lib/node_modules packages/util/node_modules apps/api/node_modules")
    runtime = stages(text)[-1]
    copies = [i.value for i in runtime.all("COPY")]
    for directory in ("packages/lib", "packages/util", "apps/api"):
        assert f"--from=deps /app/{directory}/node_modules ./{directory}/node_modules" in copies
        assert f"{directory} ./{directory}" in copies
    assert ". ." not in copies and "--from=deps /app/node_modules ./node_modules" in copies
    assert runtime.last("WORKDIR").value == "/app/apps/api"


@pytest.mark.parametrize(("keys", "key", "reason"), [
    ({"package_manager": "yarn", "workspace": "apps/api"}, "workspace", "yarn classic cannot install"),
    ({"workspace_deps": ["packages/lib"]}, "workspace_deps", "only applies to workspace set"),
    ({"workspace": "apps/api", "workspace_deps": ["apps/api"]}, "workspace_deps", "the workspace apps/api itself"),
    ({"workspace": "apps/api", "nextjs": "standalone", "build_script": "build"}, "nextjs", "not supported"),
    ({"workspace": "apps/../etc"}, "workspace", "no '..'"),
    ({"workspace": "apps/api", "workspace_deps": ["packages/lib x"]}, "workspace_deps", "not a plain relative"),
])
def test_workspace_rules(keys: dict, key: str, reason: str) -> None:
    with pytest.raises(UserError) as info:
        preset_from_mapping(keys, "my.yaml")
    assert str(info.value).startswith(f"my.yaml: {key}: ") and reason in str(info.value), str(info.value)


@pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed")
def test_workspace_shapes_are_lint_clean(tmp_path: Path) -> None:
    paths = []
    builds = [{}, {"build_script": "build", "entrypoint": "dist/index.js"}]
    for number, (pm, base, extra) in enumerate(itertools.product(["npm", "yarn4", "pnpm"], BASES, builds)):
        path = tmp_path / f"{number:03d}.Dockerfile"
        path.write_text(dockerfile(**PMS[pm], base=base, workspace="apps/api", workspace_deps=["packages/lib"],
                                   registry_mirror="https://registry.npmmirror.com", npmrc_secret=True, **extra))
        paths.append(path)
    serious = [f"{Path(f['file']).name}:{f['line']} {f['code']} {f['message']}" for f in lint(paths)
               if f["level"] in ("warning", "error")]
    assert serious == []


@pytest.mark.parametrize("pm", ["npm", "pnpm", "berry"])
def test_detect_inside_a_workspace_finds_the_root(tmp_path: Path, pm: str) -> None:
    root = fixture(f"mono/{pm}", tmp_path)
    found = detect(root / "apps" / "api")
    assert found.values["workspace"] == "apps/api" and found.values["workspace_deps"] == ("packages/lib",)
    assert found.values["package_manager"] == ("yarn" if pm == "berry" else pm)
    assert "lockfile" not in found.values, "the root's lockfile was not found"
    assert any(f"the build context is the monorepo root {root.resolve()}" in n for n in found.notes)
    preset_from_mapping(found.values, pm)


def test_detect_at_a_monorepo_root_lists_the_workspaces(tmp_path: Path) -> None:
    root = fixture("mono/pnpm", tmp_path)
    found = detect(root)
    assert list(found.workspaces) == ["apps/api", "apps/other", "packages/lib"]
    assert found.workspaces["apps/api"]["workspace_deps"] == ("packages/lib",)
    assert any("is a monorepo root; its workspaces: apps/api, apps/other, packages/lib" in w for w in found.warnings)
    assert "workspace" not in found.values
    result = CliRunner().invoke(cli, ["detect", str(root)])
    assert result.exit_code == 0 and "monorepo root" in result.output


def test_a_workspace_with_a_build_step(tmp_path: Path) -> None:
    root = fixture("mono/npm", tmp_path)
    manifest = root / "apps" / "api" / "package.json"
    data = json.loads(manifest.read_text())
    data["scripts"].update(build="tsc", start="node dist/index.js")
    manifest.write_text(json.dumps(data))
    found = detect(root / "apps" / "api")
    assert (found.values["workspace"], found.values["build_script"], found.values["entrypoint"]) == \
        ("apps/api", "build", "dist/index.js")
    preset_from_mapping(found.values, "t")


def test_local_dependencies_come_in_build_order(tmp_path: Path) -> None:
    root = fixture("mono/npm", tmp_path)
    util = root / "packages" / "util"
    util.mkdir()
    (util / "package.json").write_text(json.dumps({"name": "@mono/util", "version": "1.0.0"}))
    lib = root / "packages" / "lib" / "package.json"
    lib.write_text(json.dumps({**json.loads(lib.read_text()), "dependencies": {"@mono/util": "*", "ms": "^2"}}))
    assert detect(root / "apps" / "api").values["workspace_deps"] == ("packages/util", "packages/lib")


@pytest.mark.parametrize("pm", ["npm", "yarn4", "pnpm"])
def test_workspace_build_runs_for_the_workspace_and_its_packages(pm: str) -> None:
    text = dockerfile(**PMS[pm], workspace="apps/api", workspace_deps=["packages/util", "packages/lib"],
                      build_script="build", entrypoint="dist/index.js")
    build = named(text)["build"]
    assert [i.keyword for i in build.instructions] == ["COPY", "COPY", "RUN", "COPY", "RUN"]
    assert build.instructions[0].value == "--from=manifests /manifests/ ./"
    run = build.last("RUN").value
    expected = {"npm": "npm run build --if-present --workspace=packages/util && npm run build --if-present "
                       "--workspace=packages/lib && npm run build --workspace=apps/api",
                "yarn4": "yarn workspaces foreach --recursive --topological --from apps/api run build",
                "pnpm": "pnpm --filter '{./apps/api}...' run build"}[pm]
    assert run.startswith(expected) and run.endswith("&& rm -rf packages/util/node_modules packages/lib/node_modules")
    copies = [i.value for i in stages(text)[-1].all("COPY")]
    assert copies[-4:] == ["--from=build /app/packages/util ./packages/util", "--from=build /app/packages/lib ./packages/lib",
                           "--from=build /app/apps/api/package.json ./apps/api/",
                           "--from=build /app/apps/api/dist ./apps/api/dist"]
    ignore = render(preset_from_mapping({**PMS[pm], "workspace": "apps/api", "build_script": "build",
                                         "entrypoint": "dist/index.js"}, "t")).files[".dockerignore"]
    assert "apps/api/dist" in ignore.splitlines()


def test_yarn_classic_workspace_is_explained(tmp_path: Path) -> None:
    root = fixture("mono/npm", tmp_path)
    (root / "package-lock.json").unlink()
    (root / "yarn.lock").write_text("# yarn lockfile v1\n")
    found = detect(root / "apps" / "api")
    assert "workspace" not in found.values
    assert any("yarn classic cannot install one workspace" in w for w in found.warnings)
    preset_from_mapping(found.values, "t")


def test_the_wizard_asks_which_workspace_at_a_monorepo_root(tmp_path: Path) -> None:
    from generator import wizard

    from .test_wizard import ALL_DEFAULTS, CONFIRM, DOWN, ENTER, piped

    root = fixture("mono/pnpm", tmp_path)
    keys = ENTER + DOWN + ENTER + ALL_DEFAULTS[1:] + CONFIRM  # language, workspace: apps/api, then the defaults
    with piped(keys) as prompter:
        assert wizard.run_new(root, prompter=prompter) == 0
    assert prompter.asked[1] == "A monorepo: which workspace does the image run?"
    expected = render(preset_from_mapping({"package_manager": "pnpm", "workspace": "apps/api",
                                           "workspace_deps": ["packages/lib"]}, "t")).files
    assert (root / "Dockerfile").read_text() == expected["Dockerfile"]



def test_render_warns_when_a_workspace_preset_is_not_rendered_at_the_root(tmp_path: Path) -> None:
    root = fixture("mono/pnpm", tmp_path)
    preset = "node-pnpm-workspace-distroless"
    inside = CliRunner().invoke(cli, ["render", preset, "-o", str(root / "apps" / "api")])
    assert inside.exit_code == 0 and "belongs at the monorepo root" in inside.output, inside.output
    at_root = CliRunner().invoke(cli, ["render", preset, "-o", str(root)])
    assert at_root.exit_code == 0 and "belongs at the monorepo root" not in at_root.output, at_root.output
