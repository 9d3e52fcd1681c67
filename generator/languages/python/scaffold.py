"""Python scaffold: the cookiecutter template of a new service (standard-library HTTP server).

See :mod:`generator.scaffold` for the contract.
"""

from __future__ import annotations

from pathlib import Path

from ...scaffold import Answers, ScaffoldSpec, run_in_project
from .model import PythonPreset


def lock_command(preset: PythonPreset) -> tuple[list[str], dict[str, str]] | None:
    """The command (and extra environment) that writes the lockfile; None for pip (requirements.txt is it)."""
    mirror = preset.registry_mirror
    if preset.package_manager == "uv":
        env = {"UV_PYTHON_DOWNLOADS": "never", **({"UV_DEFAULT_INDEX": mirror} if mirror else {})}
        return ["uv", "lock"], env
    if preset.package_manager == "poetry":
        return ["poetry", "lock"], {}
    return None


def lock(preset: PythonPreset, project_dir: Path) -> bool:
    """Run the lock command in ``project_dir``; on failure warn (the project itself is complete)."""
    found = lock_command(preset)
    return True if found is None else run_in_project(*found, project_dir, "lockfile")


def finish(answers: Answers, project_dir: Path) -> None:
    """Keep requirements.txt for pip only and, when asked, lock with uv or Poetry."""
    preset = answers.preset
    if preset.package_manager != "pip":
        (project_dir / "requirements.txt").unlink(missing_ok=True)
    if answers.install_dependencies:
        lock(preset, project_dir)


SPEC = ScaffoldSpec(
    template="cookiecutter-python-service",
    project_checks={},
    not_asked={
        "requirements_file": "the scaffolded app keeps its pins in requirements.txt",
        "require_hashes": "the scaffolded requirements.txt starts empty; set it once it carries --hash pins",
        "install_project": "the scaffolded app is an application (main.py), not a package to install",
    },
    finish=finish,
)
