"""Scaffolding: a new service from a cookiecutter template, shipped with dockgen's Dockerfile.

Each language has its template (``templates/cookiecutter-<language>-service``), described by the
``SPEC`` (:class:`ScaffoldSpec`) of ``generator/languages/<language>/scaffold.py``. A template asks the
common project questions (name, slug, description, author, install_dependencies), its own (the Node.js
one: framework) and the language's preset keys, the ones ``not_asked`` aside; the template's
cookiecutter.json names its language as ``_language``. Its hooks call into this module, so there is one
implementation whichever way in is used (``cookiecutter`` itself or ``dockgen scaffold``):

- ``pre_gen_project`` validates every answer with the preset model (:func:`validate_answers`) and
  exits 1 with one line on a bad one; cookiecutter then removes the project directory it created.
- ``post_gen_project`` writes ``Dockerfile`` and ``.dockerignore`` with :func:`generator.render.render`,
  the renderer of ``dockgen render``, and the preset as ``dockgen.yaml`` (so ``dockgen render
  dockgen.yaml --check`` holds right after scaffolding), then calls the language's ``finish``.

:func:`scaffold` (``dockgen scaffold``) gathers the answers from a preset, ``--set`` and cookiecutter's
prompts, validates them before anything is written (a bad one is a :class:`UserError`: one line, exit 2),
then runs the template.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InvalidValue, UserError, show
from .fields import as_bool
from .languages import DEFAULT_LANGUAGE, language_module
from .languages.base import parse_language
from .model import drop_inapplicable, fields_for, parse_field, preset_from_mapping, preset_warnings
from .output import write_files
from .paths import templates_dir
from .presets import SET_SOURCE, dump_preset, parse_overrides, read_preset_data
from .render import render

#: How answers typed at the prompts (or given to the template directly) are named in error messages.
ANSWERS_SOURCE = "answers"
PRESET_FILE = "dockgen.yaml"
PRESET_HEADER = (
    "# The dockgen preset of this project: `dockgen render dockgen.yaml --force` regenerates\n"
    "# Dockerfile and .dockerignore from it, `dockgen render dockgen.yaml --check` checks them in CI.\n"
)
#: The project questions every template asks, before its own and the preset's.
COMMON_PROJECT_KEYS = ("project_name", "project_slug", "description", "author")
#: The cookiecutter variable that names the template's language.
LANGUAGE_VARIABLE = "_language"

#: A name that is both a valid npm package name and a valid image name.
_SLUG = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*")
_SLUG_MAX = 214


@dataclass(frozen=True)
class Answers:
    """The template's answers, validated: the project's own and the preset (``extra``: the template's
    own questions, such as the Node.js framework)."""

    project_name: str
    project_slug: str
    description: str
    author: str
    install_dependencies: bool
    preset: Any
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScaffoldSpec:
    """A language's scaffold: its template directory, its own questions (key -> check of the answer's
    text), the preset keys it does not ask (key -> why) and ``finish(answers, project_dir)``, which
    completes a project after dockgen's files are written."""

    template: str
    project_checks: Mapping[str, Callable[[str], Any]]
    not_asked: Mapping[str, str]
    finish: Callable[[Answers, Path], None]


def spec_for(language: str = DEFAULT_LANGUAGE) -> ScaffoldSpec:
    return language_module(language, "scaffold").SPEC


def preset_keys(language: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
    """The preset keys the template of ``language`` asks."""
    not_asked = spec_for(language).not_asked
    return tuple(key for key in fields_for(language) if key not in not_asked and key not in ("description", "language"))


def variables(language: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
    """Every question of the template of ``language``, in its cookiecutter.json's order."""
    return (*COMMON_PROJECT_KEYS, *spec_for(language).project_checks, *preset_keys(language), "install_dependencies")


def template_dir(language: str = DEFAULT_LANGUAGE) -> Path:
    """The cookiecutter template (inside the package in a wheel, top-level ``templates/`` otherwise)."""
    return templates_dir() / spec_for(language).template


def as_answer(value: Any) -> str:
    """A preset or --set value as the text cookiecutter variables hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):  # an exec-form command: its words, as the model splits them back
        return " ".join(str(word) for word in value)
    return str(value)


def _one_line(value: str, *, required: bool, limit: int = 200) -> str:
    text = value.strip()
    if required and not text:
        raise InvalidValue("a value is required")
    if any(ord(ch) < 32 for ch in text) or len(text) > limit:
        raise InvalidValue(f"must be one line of at most {limit} characters")
    return text


def _slug(value: str) -> str:
    text = value.strip()
    if not _SLUG.fullmatch(text) or len(text) > _SLUG_MAX:
        raise InvalidValue(
            f"{show(text)} is not a package and image name; allowed: lowercase letters and digits, "
            "separated by single . _ or - (e.g. hello-service)"
        )
    return text


def check_keys(values: Iterable[str], source: str = ANSWERS_SOURCE,
               origins: Mapping[str, str] | None = None, language: str = DEFAULT_LANGUAGE) -> None:
    """Refuse a key that is not a question of the template (``_`` keys are cookiecutter's own)."""
    origins = origins or {}
    questions = variables(language)
    not_asked = spec_for(language).not_asked
    for key in values:
        if key.startswith("_") or key in questions:
            continue
        if key in not_asked:
            message = f"not a question of the scaffold template ({not_asked[key]})"
        else:
            message = f"not a question of the scaffold template; allowed: {', '.join(questions)}"
        raise UserError(message, source=origins.get(key, source), key=key)


def project_checks(spec: ScaffoldSpec) -> dict[str, Callable[[str], Any]]:
    """The template's own questions (not preset keys) and the check of each answer's text."""
    return {
        "project_name": lambda v: _one_line(v, required=True, limit=100),
        "project_slug": _slug,
        "author": lambda v: _one_line(v, required=False),
        **spec.project_checks,
        "install_dependencies": lambda v: as_bool(v.strip() or "no"),
    }


def validate_answers(values: Mapping[str, Any], source: str = ANSWERS_SOURCE,
                     origins: Mapping[str, str] | None = None) -> Answers:
    """Validate the template's answers (cookiecutter's context or a mapping of them).

    Keys starting with ``_`` (cookiecutter's private variables) are ignored; preset keys go through
    :func:`generator.model.preset_from_mapping`, so they are accepted and rejected exactly as in a
    preset file. A key that does not apply (``yarn_version`` with npm: the template asks it whatever the
    package manager) is ignored. The language is ``values["_language"]`` (default node). Raises
    :class:`UserError`.
    """
    origins = dict(origins or {})
    try:
        language = parse_language(values.get(LANGUAGE_VARIABLE) or DEFAULT_LANGUAGE)
    except InvalidValue as exc:
        raise UserError(str(exc), source=source, key=LANGUAGE_VARIABLE) from None
    spec = spec_for(language)

    def where(key: str) -> str:
        return origins.get(key, source)

    check_keys(values, source, origins, language)
    text = {key: as_answer(value) for key, value in values.items()}
    project: dict[str, Any] = {}
    for key, check in project_checks(spec).items():
        try:
            project[key] = check(text.get(key, ""))
        except InvalidValue as exc:
            raise UserError(str(exc), source=where(key), key=key) from None
    data: dict[str, Any] = {"language": language, "description": text.get("description", "")}
    data.update({key: text[key] for key in preset_keys(language) if key in text})
    # The template asks every question (plain cookiecutter cannot skip one), so an answer that does not
    # apply is dropped; unless it was given explicitly (--set, a preset), which is an error as in render.
    applicable = drop_inapplicable(data, language)
    data = {key: value for key, value in data.items() if key in applicable or key in origins}
    preset = preset_from_mapping(data, source, origins)
    common = {key: project.pop(key) for key in ("project_name", "project_slug", "author", "install_dependencies")}
    return Answers(description=preset.description or "", preset=preset, extra=project, **common)


def project_files(answers: Answers) -> dict[str, str]:
    """The files dockgen adds to the scaffolded project: what ``dockgen render`` writes, and the preset."""
    return {**render(answers.preset).files, PRESET_FILE: PRESET_HEADER + dump_preset(answers.preset)}


def post_gen(answers: Answers, project_dir: Path) -> None:
    """Finish a rendered project: Dockerfile, .dockerignore and dockgen.yaml, then the language's own steps."""
    # The files exist only when cookiecutter runs with -f (--overwrite-if-exists) over an earlier project:
    # it has overwritten the template's files already, so dockgen's must follow, or the project is half-updated.
    write_files(project_files(answers), project_dir, force=True)
    for message in preset_warnings(answers.preset):
        print(f"warning: {message}", file=sys.stderr)
    spec_for(answers.preset.language).finish(answers, project_dir)


def run_in_project(command: list[str], env: Mapping[str, str], project_dir: Path, what: str) -> bool:
    """Run ``command`` (a package manager writing the lockfile) in ``project_dir`` for a language's ``finish``;
    on failure warn: the project itself is complete and its README says how to create ``what``."""
    print(f"running {' '.join(command)} (install_dependencies: yes)", flush=True)
    try:
        code = subprocess.run(command, cwd=project_dir, env={**os.environ, **env}, check=False).returncode
    except OSError as exc:
        code, reason = None, f"cannot run {command[0]}: {exc.strerror or exc}"
    else:
        reason = f"exit status {code}"
    if code == 0:
        return True
    print(f"warning: `{' '.join(command)}` failed ({reason}); the project is complete but has no {what} "
          "yet: create it as its README says", file=sys.stderr)
    return False


def run_hook(name: str, context: Mapping[str, Any], project_dir: Path) -> int:
    """Entry point of the template's hooks: the exit status (1 after one ``error:`` line on stderr)."""
    try:
        answers = validate_answers(context)
        if name == "post_gen_project":
            post_gen(answers, project_dir)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


# ---- dockgen scaffold ------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_cookiecutter() -> Iterator[None]:
    """cookiecutter logs a traceback when a hook fails; the hook's own line says it all."""
    logger = logging.getLogger("cookiecutter")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def gather(preset: str | None = None, overrides: Iterable[str] = (),
           answers: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Answers given up front (preset file, ``answers``, then ``--set``) and where each came from."""
    given: dict[str, Any] = {}
    origins: dict[str, str] = {}
    if preset:
        data, source = read_preset_data(preset)
        # A preset's description describes the preset, not the new project.
        data = {key: value for key, value in data.items() if key != "description"}
        given.update(data)
        origins.update(dict.fromkeys(data, source))
    if answers:
        given.update(answers)
        for key in answers:
            origins.pop(key, None)
    extra = parse_overrides(overrides)
    given.update(extra)
    origins.update(dict.fromkeys(extra, SET_SOURCE))
    language = DEFAULT_LANGUAGE
    if "language" in given:
        try:
            language = parse_language(given.pop("language"))
        except InvalidValue as exc:
            raise UserError(str(exc), source=origins.get("language", ANSWERS_SOURCE), key="language") from None
    if preset:
        # What the preset means: a key that applies to it but is not set has the model's default (a yarn
        # preset without yarn_version is yarn 1, whatever the template's own default).
        for key, spec in fields_for(language).items():
            if spec.when and key not in given and spec.applies(given):
                given[key] = spec.default
    check_keys(given, ANSWERS_SOURCE, origins, language)
    given[LANGUAGE_VARIABLE] = language
    return given, origins


def ask(given: Mapping[str, Any], *, no_input: bool) -> dict[str, Any]:
    """The template's questions with ``given`` as defaults: prompted for, or the defaults with no_input."""
    from cookiecutter.config import get_user_config
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    language = given.get(LANGUAGE_VARIABLE, DEFAULT_LANGUAGE)
    context = generate_context(
        context_file=str(template_dir(language) / "cookiecutter.json"),
        default_context=get_user_config()["default_context"],
        extra_context={key: as_answer(value) for key, value in given.items() if key != LANGUAGE_VARIABLE},
    )
    if no_input:
        return dict(prompt_for_config(context, no_input))
    return _ask_each(context, language)


def _ask_each(context: dict[str, Any], language: str) -> dict[str, Any]:
    """cookiecutter's questions one by one, each answer checked as it is typed (a bad one is asked again at
    once, with the reason) and a preset key that does not apply to the answers so far (yarn_version with
    npm) not asked at all."""
    import click
    from cookiecutter.environment import StrictEnvironment
    from cookiecutter.prompt import read_user_variable, render_variable

    questions = dict(context["cookiecutter"])
    prompts = questions.pop("__prompts__", {})
    env = StrictEnvironment(context=context)
    fields = fields_for(language)
    checks: dict[str, Callable[[str], Any]] = {
        **project_checks(spec_for(language)),
        **{key: (lambda text, key=key: parse_field(key, text, language)) for key in (*preset_keys(language),
                                                                                    "description")},
    }
    answers: dict[str, Any] = {}
    parsed: dict[str, Any] = {}
    visible = [key for key in questions if not key.startswith("_")]
    for key, raw in questions.items():
        if key.startswith("_") or key not in checks:
            answers[key] = raw if key.startswith("_") else render_variable(env, raw, answers)
            continue
        default = render_variable(env, raw, answers)
        if key in fields and not fields[key].applies(parsed):
            answers[key] = default  # not asked; the hooks drop it
            continue
        prefix = f"  [{visible.index(key) + 1}/{len(visible)}] "
        while True:
            text = read_user_variable(key, default, prompts, prefix)
            try:
                value = checks[key](str(text))
            except InvalidValue as exc:
                click.secho(f"  {key}: {exc}", fg="red", err=True)
                continue
            break
        answers[key] = text
        if key in fields:
            parsed[key] = value
    return answers


def scaffold(output_dir: Path, answers: Mapping[str, Any] | None = None, *, preset: str | None = None,
             overrides: Iterable[str] = (), no_input: bool = True) -> Path:
    """Create a project in ``output_dir`` and return its directory.

    ``answers`` maps template variables to values (``{"package_manager": "pnpm", "base": "distroless"}``);
    ``preset`` (a preset file or built-in name) and ``overrides`` (``KEY=VALUE``) work as in ``dockgen
    render``. Everything is validated before anything is written: a bad answer raises
    :class:`UserError`. Tests and the end-to-end harness use this with ``no_input=True``.
    """
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter

    given, origins = gather(preset, overrides, answers)
    final = ask(given, no_input=no_input)
    given_text = {key: as_answer(value) for key, value in given.items()}
    origins = {key: origin for key, origin in origins.items() if final.get(key) == given_text.get(key)}
    validated = validate_answers(final, ANSWERS_SOURCE, origins)
    if Path(output_dir).exists() and not Path(output_dir).is_dir():
        raise UserError("not a directory; allowed: a directory to create the project in", source=str(output_dir))
    target = Path(output_dir) / validated.project_slug
    if target.exists():
        raise UserError("already exists; choose another project_slug or output directory", source=str(target))
    extra = {key: value for key, value in final.items() if not key.startswith("_")}
    with _quiet_cookiecutter():
        try:
            created = cookiecutter(str(template_dir(validated.preset.language)), no_input=True, extra_context=extra,
                                   output_dir=str(output_dir))
        except CookiecutterException as exc:
            raise UserError(f"the template failed: {str(exc).splitlines()[0]}", source=str(target)) from None
    return Path(created)
