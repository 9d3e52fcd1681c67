"""Python questions of `dockgen new` (after the language), its summary and its warnings."""

from __future__ import annotations

from typing import Any

from questionary import Choice

from ...detection import Detection
from ...model import preset_mapping
from ...wizard import Prompter, ask_text, ask_timezone, mark, select_or_custom
from .model import (BASES, DEFAULT_PYTHON_VERSION, DISTROLESS_PYTHON, FIELDS, KNOWN_MIRRORS, PACKAGE_MANAGER_LABELS,
                    PACKAGE_MANAGERS, PYTHON_VERSIONS, PythonPreset)
from .render import images_for

#: A one-line consequence of each runtime base, shown next to it.
BASE_CONSEQUENCES = {
    "full": "~1 GB; shell, apt and build tools; glibc",
    "slim": "~130 MB; shell and apt; glibc (recommended)",
    "alpine": "~50 MB; busybox shell and apk; musl libc (wheels may be missing)",
    "distroless": "~55 MB; no shell, no pip; glibc; Python 3.13 only",
}
PM_TITLES = {"pip": "pip (requirements.txt)", "poetry": "Poetry (poetry.lock)", "uv": "uv (uv.lock)"}


def ask_answers(prompter: Prompter, defaults: PythonPreset, detection: Detection | None = None) -> dict[str, Any]:
    """Ask the Python questions, starting from ``defaults``; returns the preset keys (not yet validated
    as a whole)."""
    detected = detection.values if detection else {}
    answers: dict[str, Any] = {}
    pm_choices = [Choice(mark(PM_TITLES[pm], pm, detected, "package_manager"), value=pm) for pm in PACKAGE_MANAGERS]
    answers["package_manager"] = prompter.select("Package manager?", pm_choices, defaults.package_manager)
    if FIELDS["requirements_file"].applies(answers):
        answers["requirements_file"] = ask_text(prompter, "python", "requirements_file", "Requirements file?",
                                                defaults.requirements_file or "requirements.txt")
        if defaults.require_hashes:  # from detection or --preset: not asked
            answers["require_hashes"] = True

    version_choices = [
        Choice(mark(f"{v}{'  (distroless has this one, recommended)' if v == DEFAULT_PYTHON_VERSION else ''}", v,
                    detected, "python_version"), value=v)
        for v in PYTHON_VERSIONS
    ]
    answers["python_version"] = prompter.select("Python version?", version_choices, defaults.python_version)

    version = answers["python_version"]
    base_choices = []
    for base in BASES:
        disabled = None
        if base == "distroless" and version != DISTROLESS_PYTHON:
            disabled = f"distroless ships Python {DISTROLESS_PYTHON} only"
        base_choices.append(Choice(f"{base:<11}{BASE_CONSEQUENCES[base]}", value=base, disabled=disabled))
    base_default = defaults.base if not (defaults.base == "distroless" and version != DISTROLESS_PYTHON) else "slim"
    answers["base"] = prompter.select("Runtime base image?", base_choices, base_default)

    answers["command"] = ask_text(prompter, "python", "command",
                                  "Start command (run without a shell; programs come from the venv)?",
                                  " ".join(defaults.command))
    answers["install_project"] = prompter.select(
        "Is the project itself a package to install (pyproject.toml [build-system])?",
        [Choice("no: copy the code next to the venv", value=False),
         Choice("yes: build it and install it (non-editable) into the venv", value=True)],
        defaults.install_project)

    mirror = select_or_custom(
        prompter, "python", "registry_mirror", "PyPI mirror (a simple index, used at build time only)?",
        [(url, f"{name} ({url})") for name, url in KNOWN_MIRRORS.items()], defaults.registry_mirror,
        "Simple index URL (https://...)?")
    if mirror:
        answers["registry_mirror"] = mirror
    timezone = ask_timezone(prompter, "python", defaults.timezone)
    if timezone:
        answers["timezone"] = timezone
    answers["port"] = ask_text(prompter, "python", "port", "Port the app listens on?", str(defaults.port))
    if defaults.index_secret:  # from --preset: not asked
        answers["index_secret"] = True
    return answers


def summary_rows(preset: PythonPreset) -> list[tuple[str, Any]]:
    """The summary `dockgen new` shows before writing: (key, value) rows."""
    shown = {"package_manager": PACKAGE_MANAGER_LABELS[preset.package_manager],
             "command": " ".join(preset.command)}
    rows = []
    for key, value in preset_mapping(preset).items():
        if key == "description":
            continue
        rows.append((key, shown.get(key, value)))
        if key == "base":
            rows.append(("runtime image", images_for(preset).runtime))
    return rows


def plan_warnings(preset: PythonPreset, detection: Detection, warnings: list[str]) -> list[str]:
    """The render's ``warnings`` for the wizard."""
    return list(warnings)
