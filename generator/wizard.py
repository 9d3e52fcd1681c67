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

from .detect import detect
from .detection import Detection
from .errors import InvalidValue, UserError
from .languages import PLANNED, REGISTERED, language_module
from .model import Preset, default_preset, drop_inapplicable, parse_field, preset_from_mapping
from .output import clash_message, existing, write_groups
from .presets import dump_preset, read_preset_data
from .render import render
from .schema import schema_comment

WIZARD_SOURCE = "the wizard"
NO_TTY_MESSAGE = ("`dockgen new` asks questions and needs a terminal, but stdin is not one; "
                  "use `dockgen render PRESET` (see `dockgen presets`) or `dockgen new --yes`")
EXIT_DECLINED = 1

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


def validator(key: str, language: str) -> Callable[[str], bool | str]:
    """A questionary validator for preset key ``key`` of ``language``: True, or the model's reason."""

    def check(text: str) -> bool | str:
        try:
            parse_field(key, text, language)
        except InvalidValue as exc:
            return f"{key}: {exc}"
        return True

    return check


def mark(title: str, value: Any, detected: dict[str, Any], key: str) -> str:
    """``title``, marked as detected when detection found ``value`` for ``key``."""
    return f"{title}  (detected)" if key in detected and detected[key] == value else title


def ask_text(prompter: Prompter, language: str, key: str, message: str, default: str) -> Any:
    """Ask for key ``key`` as text, validated while typed; returns the parsed value."""
    return parse_field(key, prompter.text(message, default, validator(key, language)), language)


def select_or_custom(prompter: Prompter, language: str, key: str, message: str, known: list[tuple[str, str]],
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
    return ask_text(prompter, language, key, custom_prompt, initial)


def ask_timezone(prompter: Prompter, language: str, default: str | None) -> str | None:
    """The time zone question every language asks: none, a common zone, or any IANA name."""
    return select_or_custom(prompter, language, "timezone", "Time zone the app runs in?",
                            [(tz, tz) for tz in COMMON_TIMEZONES], default, "IANA time zone (e.g. Europe/Paris)?")


def ask_answers(prompter: Prompter, defaults: Any, detection: Detection | None = None) -> dict[str, Any]:
    """Ask the language, then that language's questions, starting from ``defaults``; returns the preset
    mapping (not yet validated as a whole). Picking another language than ``defaults``' starts from that
    language's defaults."""
    language_choices = [Choice(name, value=name) for name in REGISTERED]
    language_choices += [Choice(name, value=name, disabled="planned") for name in PLANNED]
    language = prompter.select("Language of the app?", language_choices, defaults.language)
    if language != defaults.language:
        defaults, detection = default_preset(language), None
    answers: dict[str, Any] = {"language": language}
    if defaults.description:
        answers["description"] = defaults.description
    answers.update(language_module(language, "wizard").ask_answers(prompter, defaults, detection))
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
    language = data.get("language") if data.get("language") in REGISTERED else None
    base = data.get("base") if isinstance(data.get("base"), str) else None
    detection = detect(directory, base=base, language=language)
    # a key detected for a package manager the preset does not use is dropped
    merged = drop_inapplicable({**detection.values, **data}, language or detection.values.get("language", REGISTERED[0]))
    origins = {key: f"detected in {directory}" for key in detection.values if key not in data}
    return preset_from_mapping(merged, source, origins=origins), detection


def plan_for(preset: Preset, directory: Path, save_preset: Path | None, detection: Detection) -> Plan:
    result = render(preset)
    files = {directory / name: text for name, text in result.files.items()}
    if save_preset is not None:
        files[save_preset] = schema_comment(save_preset.parent) + dump_preset(preset)
    warnings = language_module(preset.language, "wizard").plan_warnings(preset, detection, result.warnings)
    return Plan(preset=preset, files=files, warnings=warnings)


def summary(plan: Plan) -> list[str]:
    lines = ["", "Summary:"]
    for key, value in language_module(plan.preset.language, "wizard").summary_rows(plan.preset):
        lines.append(f"  {key:<16} {value}")
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
        raise UserError(f"{clash_message(clashes)}; use --force to overwrite")
    return write_groups(by_dir, force=force)  # all files or none, even across directories


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
    clashes = [path for path in plan.files if path.exists() or path.is_symlink()]
    if yes and clashes and not force:  # nothing will ask: refuse before a summary that promises to write
        raise UserError(f"{clash_message([str(path) for path in clashes])}; use --force to overwrite")
    for line in summary(plan):
        click.echo(line)
    for message in plan.warnings:
        _warn(message)
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

