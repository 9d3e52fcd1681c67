"""Node.js questions of `dockgen new` (after the language), its summary and its warnings."""

from __future__ import annotations

from typing import Any

from questionary import Choice

from ...detection import Detection
from ...model import parse_field, preset_mapping
from ...wizard import Prompter, ask_text, ask_timezone, mark, select_or_custom, validator
from .detect import native_addon_warning
from .model import BASES, DEFAULT_NODE_VERSION, FIELDS, KNOWN_MIRRORS, NODE_VERSIONS, PACKAGE_MANAGERS, NodePreset
from .render import images_for

#: A one-line consequence of each runtime base, shown next to it.
BASE_CONSEQUENCES = {
    "full": "~1 GB; shell, apt and build tools; glibc",
    "slim": "~200 MB; shell and apt; glibc (recommended)",
    "alpine": "~150 MB; busybox shell and apk; musl libc",
    "distroless": "~170 MB; no shell, no package manager; glibc",
}


def ask_answers(prompter: Prompter, defaults: NodePreset, detection: Detection | None = None) -> dict[str, Any]:
    """Ask the Node.js questions, starting from ``defaults``; returns the preset keys (not yet validated
    as a whole)."""
    detected = detection.values if detection else {}
    addons = detection.native_addons if detection else []
    answers: dict[str, Any] = {}

    pm_choices = [Choice(mark(pm, pm, detected, "package_manager"), value=pm) for pm in PACKAGE_MANAGERS]
    answers["package_manager"] = prompter.select("Package manager?", pm_choices, defaults.package_manager)
    if FIELDS["yarn_version"].applies(answers):
        yarn_choices = [
            Choice(mark("1: yarn classic (yarn.lock v1)", 1, detected, "yarn_version"), value=1),
            Choice(mark("4: yarn berry (current)", 4, detected, "yarn_version"), value=4),
        ]
        answers["yarn_version"] = prompter.select("Which yarn?", yarn_choices, defaults.yarn_version or 1)

    versions = sorted({v for vs in NODE_VERSIONS.values() for v in vs})
    node_choices = [
        Choice(mark(f"{v}{'  (Active LTS, recommended)' if v == DEFAULT_NODE_VERSION else ''}", v, detected,
                     "node_version"), value=v)
        for v in versions
    ]
    answers["node_version"] = prompter.select("Node.js version?", node_choices, defaults.node_version)

    version = answers["node_version"]
    base_choices = []
    for base in BASES:
        title = f"{base:<11}{BASE_CONSEQUENCES[base]}"
        if base == "alpine" and addons:
            title += f"; may break {', '.join(a.split(' (')[0] for a in addons)} (native)"
        disabled = None if version in NODE_VERSIONS[base] else f"no Node.js {version} image"
        base_choices.append(Choice(title, value=base, disabled=disabled))
    base_default = defaults.base if version in NODE_VERSIONS[defaults.base] else "slim"
    answers["base"] = prompter.select("Runtime base image?", base_choices, base_default)

    mirror = select_or_custom(
        prompter, "node", "registry_mirror", "npm registry mirror (used at build time only)?",
        [(url, f"{name} ({url})") for name, url in KNOWN_MIRRORS.items()], defaults.registry_mirror,
        "Registry mirror URL (https://...)?")
    if mirror:
        answers["registry_mirror"] = mirror
    timezone = ask_timezone(prompter, "node", defaults.timezone)
    if timezone:
        answers["timezone"] = timezone

    answers["port"] = ask_text(prompter, "node", "port", "Port the app listens on?", str(defaults.port))
    answers["entrypoint"] = ask_text(prompter, "node", "entrypoint", "Entrypoint (the file node runs)?",
                                     defaults.entrypoint)
    scripts = detection.scripts if detection else None

    def declared_script(text: str) -> bool | str:
        checked = validator("build_script", "node")(text)
        if checked is True and text.strip() and scripts is not None and text.strip() not in scripts:
            names = ", ".join(scripts) if scripts else "none"
            return f"build_script: {text.strip()} is not a script in package.json; allowed: {names}, or empty"
        return checked

    build = parse_field("build_script", prompter.text(
        "Build script (package.json script run at build time; empty for none)?", defaults.build_script or "",
        declared_script), "node")
    if build:
        answers["build_script"] = build
        answers["build_output"] = ask_text(prompter, "node", "build_output",
                                           "Directory the build writes (copied into the image)?",
                                           defaults.build_output or FIELDS["build_output"].default)
        output = answers["build_output"]
        if not answers["entrypoint"].startswith(f"{output}/"):
            # The runtime image gets only package.json and the build output: node must run a file in it.
            def inside_output(text: str) -> bool | str:
                checked = validator("entrypoint", "node")(text)
                if checked is True and not text.strip().startswith(f"{output}/"):
                    return f"entrypoint: the image gets only {output}/ of the app; allowed: a file under {output}/"
                return checked

            suggestion = f"{output}/{answers['entrypoint'].rsplit('/', 1)[-1]}"
            answers["entrypoint"] = parse_field("entrypoint", prompter.text(
                f"Entrypoint inside {output}/ (the built file node runs)?", suggestion, inside_output), "node")
    lockfile = defaults.lockfile
    if detection and detection.lockfiles and answers["package_manager"] != defaults.package_manager:
        # another package manager than detected: does the project have *its* lockfile?
        lockfile = detection.lockfiles[answers["package_manager"]]
    if not lockfile:
        answers["lockfile"] = False
    if defaults.npmrc_secret:  # from detection (a .npmrc with credentials) or --preset: not asked
        answers["npmrc_secret"] = True
    return answers


def summary_rows(preset: NodePreset) -> list[tuple[str, Any]]:
    """The summary `dockgen new` shows before writing: (key, value) rows."""
    shown = {"package_manager": preset.package_manager_label,
             "lockfile": "yes" if preset.lockfile else "no (non-reproducible)"}
    saved = preset_mapping(preset)
    rows = []
    for key, value in saved.items():
        if key in ("yarn_version", "description"):
            continue
        rows.append((key, shown.get(key, value)))
        if key == "base":
            rows.append(("runtime image", images_for(preset).runtime))
    if preset.build_script and "build_output" not in saved:  # the default, dist: still worth seeing
        at = next(i for i, (key, _) in enumerate(rows) if key == "build_script") + 1
        rows.insert(at, ("build_output", preset.build_output))
    if "lockfile" not in saved:
        rows.append(("lockfile", "yes"))
    return rows


def plan_warnings(preset: NodePreset, detection: Detection, warnings: list[str]) -> list[str]:
    """The render's ``warnings`` for the wizard: without what detection already said, plus native addons."""
    if detection.values.get("lockfile") is False and not preset.lockfile:
        # detection already said so, naming the missing file
        warnings = [w for w in warnings if not w.startswith("lockfile:")]
    if preset.base == "alpine" and detection.native_addons:
        warnings = [*warnings, native_addon_warning(detection.native_addons, preset.base)]
    return list(warnings)
