"""`dockgen new`: a few questions whose defaults come from the project, then the files.

The question logic (:func:`ask_answers`) talks to a :class:`Prompter`, so tests drive it with a
prompt_toolkit pipe input. Answers are validated by :func:`generator.model.parse_field` while
they are typed (a bad value is re-asked with the reason) and the result by
:func:`generator.model.preset_from_mapping`, exactly as a preset file would be.
Nothing is written before the final confirmation; Ctrl-C raises KeyboardInterrupt, which the CLI
turns into "aborted" and exit code 130.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import questionary
from questionary import Choice

from .detect import Detection, detect, native_addon_warning
from .errors import InvalidValue, UserError
from .model import (BASES, DEFAULT_NODE_VERSION, KNOWN_MIRRORS, LANGUAGES, NODE_VERSIONS,
                    PACKAGE_MANAGERS, PLANNED_LANGUAGES, Preset, parse_field, preset_from_mapping)
from .output import existing, write_files
from .presets import dump_preset, read_preset_data
from .render import images_for, render

WIZARD_SOURCE = "the wizard"
NO_TTY_MESSAGE = ("`dockgen new` asks questions and needs a terminal, but stdin is not one; "
                  "use `dockgen render PRESET` (see `dockgen presets`) or `dockgen new --yes`")
EXIT_DECLINED = 1

#: A one-line consequence of each runtime base, shown next to it.
BASE_CONSEQUENCES = {
    "full": "~1 GB; shell, apt and build tools; glibc",
    "slim": "~200 MB; shell and apt; glibc (recommended)",
    "alpine": "~150 MB; busybox shell and apk; musl libc",
    "distroless": "~170 MB; no shell, no package manager; glibc",
}
COMMON_TIMEZONES = ("UTC", "Asia/Shanghai", "Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo")
NONE, CUSTOM = "<none>", "<custom>"


# ---------------------------------------------------------------------------------------------
# asking


class Prompter:
    """Asks single questions with questionary; ``input``/``output`` let tests use a pipe."""

    def __init__(self, input: Any = None, output: Any = None):  # noqa: A002 - prompt_toolkit's names
        self.io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}

    def select(self, message: str, choices: list[Choice], default: Any) -> Any:
        return questionary.select(message, choices=choices, default=default, **self.io).unsafe_ask()

    def text(self, message: str, default: str, validate: Callable[[str], bool | str],
             instruction: str | None = None) -> str:
        return questionary.text(message, default=default, validate=validate, instruction=instruction,
                                **self.io).unsafe_ask()

    def confirm(self, message: str, default: bool) -> bool:
        return questionary.confirm(message, default=default, **self.io).unsafe_ask()


def validator(key: str) -> Callable[[str], bool | str]:
    """A questionary validator for preset key ``key``: True, or the model's reason."""

    def check(text: str) -> bool | str:
        try:
            parse_field(key, text)
        except InvalidValue as exc:
            return f"{key}: {exc}"
        return True

    return check


def _mark(title: str, value: Any, detected: dict[str, Any], key: str) -> str:
    return f"{title}  (detected)" if key in detected and detected[key] == value else title


def _select_or_custom(prompter: Prompter, key: str, message: str, known: list[tuple[str, str]],
                      default: str | None, custom_prompt: str) -> str | None:
    """A select of none / ``known`` (value, title) / custom; custom asks for validated text."""
    choices = [Choice("none", value=NONE)] + [Choice(title, value=value) for value, title in known]
    choices.append(Choice("custom...", value=CUSTOM))
    values = [value for value, _ in known]
    start = NONE if default is None else (default if default in values else CUSTOM)
    picked = prompter.select(message, choices, start)
    if picked == NONE:
        return None
    if picked != CUSTOM:
        return picked
    initial = default if default is not None and default not in values else ""
    return parse_field(key, prompter.text(custom_prompt, initial, validator(key)))


def ask_answers(prompter: Prompter, defaults: Preset, detection: Detection | None = None) -> dict[str, Any]:
    """Ask every question, starting from ``defaults``; returns the preset mapping (not yet validated
    as a whole)."""
    detected = detection.values if detection else {}
    addons = detection.native_addons if detection else []
    answers: dict[str, Any] = {}
    if defaults.description:
        answers["description"] = defaults.description

    language_choices = [Choice(lang, value=lang) for lang in LANGUAGES]
    language_choices += [Choice(lang, value=lang, disabled="planned") for lang in PLANNED_LANGUAGES]
    answers["language"] = prompter.select("Language of the app?", language_choices, defaults.language)

    pm_choices = [Choice(_mark(pm, pm, detected, "package_manager"), value=pm) for pm in PACKAGE_MANAGERS]
    answers["package_manager"] = prompter.select("Package manager?", pm_choices, defaults.package_manager)
    if answers["package_manager"] == "yarn":
        yarn_choices = [
            Choice(_mark("1: yarn classic (yarn.lock v1)", 1, detected, "yarn_version"), value=1),
            Choice(_mark("4: yarn berry (current)", 4, detected, "yarn_version"), value=4),
        ]
        answers["yarn_version"] = prompter.select("Which yarn?", yarn_choices, defaults.yarn_version or 1)

    versions = sorted({v for vs in NODE_VERSIONS.values() for v in vs})
    node_choices = [
        Choice(_mark(f"{v}{'  (Active LTS, recommended)' if v == DEFAULT_NODE_VERSION else ''}", v, detected,
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

    mirror = _select_or_custom(
        prompter, "registry_mirror", "npm registry mirror (used at build time only)?",
        [(url, f"{name} ({url})") for name, url in KNOWN_MIRRORS.items()], defaults.registry_mirror,
        "Registry mirror URL (https://...)?")
    if mirror:
        answers["registry_mirror"] = mirror
    timezone = _select_or_custom(
        prompter, "timezone", "Time zone the app runs in?", [(tz, tz) for tz in COMMON_TIMEZONES],
        defaults.timezone, "IANA time zone (e.g. Europe/Paris)?")
    if timezone:
        answers["timezone"] = timezone

    answers["port"] = parse_field("port", prompter.text("Port the app listens on?", str(defaults.port),
                                                        validator("port")))
    answers["entrypoint"] = parse_field("entrypoint", prompter.text(
        "Entrypoint (the file node runs)?", defaults.entrypoint, validator("entrypoint")))
    build = parse_field("build_script", prompter.text(
        "Build script (package.json script run at build time; empty for none)?", defaults.build_script or "",
        validator("build_script")))
    if build:
        answers["build_script"] = build
        answers["build_output"] = parse_field("build_output", prompter.text(
            "Directory the build writes (copied into the image)?", defaults.build_output,
            validator("build_output")))
        output = answers["build_output"]
        if not answers["entrypoint"].startswith(f"{output}/"):
            # The runtime image gets only package.json and the build output: node must run a file in it.
            def inside_output(text: str) -> bool | str:
                checked = validator("entrypoint")(text)
                if checked is True and not text.strip().startswith(f"{output}/"):
                    return f"entrypoint: the image gets only {output}/ of the app; allowed: a file under {output}/"
                return checked

            suggestion = f"{output}/{answers['entrypoint'].rsplit('/', 1)[-1]}"
            answers["entrypoint"] = parse_field("entrypoint", prompter.text(
                f"Entrypoint inside {output}/ (the built file node runs)?", suggestion, inside_output))
    lockfile = defaults.lockfile
    if detection and detection.lockfiles and answers["package_manager"] != defaults.package_manager:
        # another package manager than detected: does the project have *its* lockfile?
        lockfile = detection.lockfiles[answers["package_manager"]]
    if not lockfile:
        answers["lockfile"] = False
    if defaults.npmrc_secret:  # from detection (a .npmrc with credentials) or --preset: not asked
        answers["npmrc_secret"] = True
    return answers


# ---------------------------------------------------------------------------------------------
# the command


@dataclass
class Plan:
    """What `dockgen new` is about to do."""

    preset: Preset
    files: dict[Path, str]
    warnings: list[str] = field(default_factory=list)


def stdin_is_tty() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def make_prompter() -> Prompter:
    return Prompter()


def starting_point(directory: Path, preset_ref: str | None) -> tuple[Preset, Detection]:
    """Defaults for the questions: detection, then the ``--preset`` file on top."""
    data: dict[str, Any] = {}
    source = WIZARD_SOURCE
    if preset_ref:
        data, source = read_preset_data(preset_ref)
    base = data.get("base") if data.get("base") in BASES else None
    detection = detect(directory, base=base)
    merged = {**detection.values, **data}
    if merged.get("package_manager") != "yarn":
        merged.pop("yarn_version", None)
    origins = {key: f"detected in {directory}" for key in detection.values if key not in data}
    return preset_from_mapping(merged, source, origins=origins), detection


def plan_for(preset: Preset, directory: Path, save_preset: Path | None, detection: Detection) -> Plan:
    result = render(preset)
    files = {directory / name: text for name, text in result.files.items()}
    if save_preset is not None:
        files[save_preset] = dump_preset(preset)
    warnings = list(result.warnings)
    if detection.values.get("lockfile") is False and not preset.lockfile:
        # detection already said so, naming the missing file
        warnings = [w for w in warnings if not w.startswith("lockfile:")]
    if preset.base == "alpine" and detection.native_addons:
        warnings.append(native_addon_warning(detection.native_addons, preset.base))
    return Plan(preset=preset, files=files, warnings=warnings)


def summary(plan: Plan) -> list[str]:
    p = plan.preset
    lines = ["", "Summary:"]
    shown = {"package_manager": p.package_manager_label, "lockfile": "yes" if p.lockfile else "no (non-reproducible)"}
    for key, value in p.to_mapping().items():
        if key in ("yarn_version", "description"):
            continue
        lines.append(f"  {key:<16} {shown.get(key, value)}")
        if key == "base":
            lines.append(f"  {'runtime image':<16} {images_for(p).runtime}")
    if "lockfile" not in p.to_mapping():
        lines.append(f"  {'lockfile':<16} yes")
    lines.append("Files:")
    for path in plan.files:
        lines.append(f"  {path}  ({'exists, will be overwritten' if path.exists() else 'new'})")
    return lines


def write_plan(plan: Plan, force: bool) -> list[Path]:
    """Write every planned file; refuses (writing nothing) if one exists and ``force`` is false."""
    by_dir: dict[Path, dict[str, str]] = {}
    for path, text in plan.files.items():
        by_dir.setdefault(path.parent, {})[path.name] = text
    clashes = [str(d / n) for d, files in by_dir.items() for n in existing(files, d)]
    if clashes and not force:
        raise UserError(f"{', '.join(clashes)} already exist(s); use --force to overwrite")
    written: list[Path] = []
    for out_dir, files in by_dir.items():
        written += write_files(files, out_dir, force=force)
    return written


def _warn(message: str) -> None:
    click.secho(f"warning: {message}", fg="yellow", err=True)


def run_new(directory: Path, preset_ref: str | None = None, yes: bool = False, save_preset: Path | None = None,
            force: bool = False, prompter: Prompter | None = None) -> int:
    """`dockgen new`: returns the exit code; raises UserError / KeyboardInterrupt for the CLI to report."""
    if not yes and prompter is None and not stdin_is_tty():
        raise UserError(NO_TTY_MESSAGE)
    if not directory.is_dir():
        raise UserError("not a directory; allowed: the project's directory (it must exist)", source=str(directory))
    defaults, detection = starting_point(directory, preset_ref)
    for message in detection.warnings:
        _warn(message)
    if yes:
        preset = defaults
    else:
        prompter = prompter or make_prompter()
        preset = preset_from_mapping(ask_answers(prompter, defaults, detection), WIZARD_SOURCE)
    plan = plan_for(preset, directory, save_preset, detection)
    for line in summary(plan):
        click.echo(line)
    for message in plan.warnings:
        _warn(message)
    clashes = [path for path in plan.files if path.exists()]
    if not yes:
        assert prompter is not None
        if clashes and not force:
            names = ", ".join(str(path) for path in clashes)
            if not prompter.confirm(f"Overwrite {names}?", False):
                click.echo("nothing written")
                return EXIT_DECLINED
            force = True
        if not prompter.confirm("Write these files?", True):
            click.echo("nothing written")
            return EXIT_DECLINED
    for path in write_plan(plan, force=force):
        click.echo(f"wrote {path}")
    if save_preset is not None:
        click.echo(f"reproduce (or check in CI with --check): dockgen render {save_preset} -o {directory}")
    return 0

