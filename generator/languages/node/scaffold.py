"""Node.js scaffold: the cookiecutter template of a new service (Express 5 or node:http).

See :mod:`generator.scaffold` for the contract: ``SPEC`` names the template, the questions it asks
beyond the common project ones and the preset keys it does not ask, and ``finish`` completes a
rendered project after dockgen's files are written.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import InvalidValue, show
from ...scaffold import Answers, ScaffoldSpec, run_in_project
from .model import NodePreset

FRAMEWORKS = ("express", "http")
#: The app file the template renders; moved to the preset's entrypoint when that differs.
TEMPLATE_ENTRYPOINT = "index.js"


def _framework(value: str) -> str:
    text = value.strip()
    if text not in FRAMEWORKS:
        raise InvalidValue(f"{show(text)} is not offered; allowed: {', '.join(FRAMEWORKS)}")
    return text


def install_command(preset: NodePreset) -> tuple[list[str], dict[str, str]]:
    """The command (and extra environment) that installs the dependencies and writes the lockfile."""
    env = {"COREPACK_ENABLE_DOWNLOAD_PROMPT": "0", "COREPACK_ENABLE_AUTO_PIN": "0"}
    mirror = preset.registry_mirror
    if mirror:
        env["COREPACK_NPM_REGISTRY"] = mirror
    if preset.package_manager == "npm":
        return ["npm", "install", "--no-audit", "--no-fund", *([f"--registry={mirror}"] if mirror else [])], env
    if preset.package_manager == "pnpm":
        return ["corepack", "pnpm", "install", *(["--registry", mirror] if mirror else [])], env
    if preset.yarn_berry:
        if mirror:
            env["YARN_NPM_REGISTRY_SERVER"] = mirror
        return ["corepack", "yarn", "install"], env
    # yarn classic: the lockfile does not depend on the Node.js version running it.
    return ["corepack", "yarn", "install", "--ignore-engines", *(["--registry", mirror] if mirror else [])], env


def install_dependencies(preset: NodePreset, project_dir: Path) -> bool:
    """Run the package manager in ``project_dir``; on failure warn (the project itself is complete)."""
    command, env = install_command(preset)
    return run_in_project(command, env, project_dir, "lockfile")


def finish(answers: Answers, project_dir: Path) -> None:
    """Move the app to the chosen entrypoint, keep .yarnrc.yml for yarn berry only and, when asked,
    install the dependencies (which writes the lockfile)."""
    preset = answers.preset
    if preset.entrypoint != TEMPLATE_ENTRYPOINT:
        target = project_dir / preset.entrypoint
        target.parent.mkdir(parents=True, exist_ok=True)
        (project_dir / TEMPLATE_ENTRYPOINT).replace(target)
    if not preset.yarn_berry:
        (project_dir / ".yarnrc.yml").unlink(missing_ok=True)
    if answers.install_dependencies:
        install_dependencies(preset, project_dir)


SPEC = ScaffoldSpec(
    template="cookiecutter-node-service",
    project_checks={"framework": _framework},
    not_asked={
        "build_script": "the scaffolded app has no build step; add one later and set it in dockgen.yaml",
        "build_output": "the scaffolded app has no build step; add one later and set it in dockgen.yaml",
        "workspace": "the scaffolded service is a project of its own, not a workspace of a monorepo",
        "workspace_deps": "the scaffolded service is a project of its own, not a workspace of a monorepo",
        "nextjs": "the scaffolded app is an Express or node:http service, not a Next.js app",
        "node_options": "node's flags: add them later in dockgen.yaml (node_options: [--enable-source-maps])",
        "env": "the app's environment variables: add them later in dockgen.yaml (env: {LOG_LEVEL: info})",
    },
    finish=finish,
)
