"""Scaffolding: a new Node.js service from the cookiecutter template, shipped with dockgen's Dockerfile.

The template (``templates/cookiecutter-node-service``) asks for the preset keys plus the project's own
(name, slug, description, author, framework). Its hooks call into this module, so there is one
implementation whichever way in is used (``cookiecutter`` itself or ``dockgen scaffold``):

- ``pre_gen_project`` validates every answer with the preset model (:func:`validate_answers`) and
  exits 1 with one line on a bad one; cookiecutter then removes the project directory it created.
- ``post_gen_project`` writes ``Dockerfile`` and ``.dockerignore`` with :func:`generator.render.render`,
  the renderer of ``dockgen render``, and the preset as ``dockgen.yaml`` (so ``dockgen render
  dockgen.yaml --check`` holds right after scaffolding); it keeps ``.yarnrc.yml`` for yarn berry only and,
  when ``install_dependencies`` is yes, runs the package manager to create the lockfile.

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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InvalidValue, UserError
from .model import FIELDS, Preset, _as_bool, parse_field, preset_from_mapping, preset_warnings
from .output import write_files
from .paths import templates_dir
from .presets import SET_SOURCE, dump_preset, parse_overrides, read_preset_data
from .render import render

TEMPLATE_NAME = "cookiecutter-node-service"
#: How answers typed at the prompts (or given to the template directly) are named in error messages.
ANSWERS_SOURCE = "answers"
PRESET_FILE = "dockgen.yaml"
PRESET_HEADER = (
    "# The dockgen preset of this project: `dockgen render dockgen.yaml --force` regenerates\n"
    "# Dockerfile and .dockerignore from it, `dockgen render dockgen.yaml --check` checks them in CI.\n"
)
FRAMEWORKS = ("express", "http")
#: The app file the template renders; moved to the preset's entrypoint when that differs.
TEMPLATE_ENTRYPOINT = "index.js"
#: Preset keys the template does not ask for: the language is node; the project's description is the
#: preset's; the scaffolded app has no build step (add one later, then set build_script in dockgen.yaml).
NOT_ASKED = {
    "language": "always node",
    "build_script": "the scaffolded app has no build step; add one later and set it in dockgen.yaml",
    "build_output": "the scaffolded app has no build step; add one later and set it in dockgen.yaml",
}
PRESET_KEYS = tuple(key for key in FIELDS if key not in NOT_ASKED and key != "description")
PROJECT_KEYS = ("project_name", "project_slug", "description", "author", "framework", "install_dependencies")
#: Every question of the template, in cookiecutter.json's order.
VARIABLES = (*PROJECT_KEYS[:5], *PRESET_KEYS, "install_dependencies")

#: A name that is both a valid npm package name and a valid image name.
_SLUG = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*")
_SLUG_MAX = 214


@dataclass(frozen=True)
class Answers:
    """The template's answers, validated: the project's own and the preset."""

    project_name: str
    project_slug: str
    description: str
    author: str
    framework: str
    install_dependencies: bool
    preset: Preset


def template_dir() -> Path:
    """The cookiecutter template (inside the package in a wheel, top-level ``templates/`` otherwise)."""
    return templates_dir() / TEMPLATE_NAME


def as_answer(value: Any) -> str:
    """A preset or --set value as the text cookiecutter variables hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
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
            f"{text!r} is not a package and image name; allowed: lowercase letters and digits, "
            "separated by single . _ or - (e.g. hello-service)"
        )
    return text


def _framework(value: str) -> str:
    text = value.strip()
    if text not in FRAMEWORKS:
        raise InvalidValue(f"{text!r} is not offered; allowed: {', '.join(FRAMEWORKS)}")
    return text


def check_keys(values: Iterable[str], source: str = ANSWERS_SOURCE,
               origins: Mapping[str, str] | None = None) -> None:
    """Refuse a key that is not a question of the template (``_`` keys are cookiecutter's own)."""
    origins = origins or {}
    for key in values:
        if key.startswith("_") or key in VARIABLES:
            continue
        if key in NOT_ASKED:
            message = f"not a question of the scaffold template ({NOT_ASKED[key]})"
        else:
            message = f"not a question of the scaffold template; allowed: {', '.join(VARIABLES)}"
        raise UserError(message, source=origins.get(key, source), key=key)


def validate_answers(values: Mapping[str, Any], source: str = ANSWERS_SOURCE,
                     origins: Mapping[str, str] | None = None) -> Answers:
    """Validate the template's answers (cookiecutter's context or a mapping of them).

    Keys starting with ``_`` (cookiecutter's private variables) are ignored; preset keys go through
    :func:`generator.model.preset_from_mapping`, so they are accepted and rejected exactly as in a
    preset file. ``yarn_version`` is ignored unless the package manager is yarn (the template asks
    for it whatever the package manager). Raises :class:`UserError`.
    """
    origins = dict(origins or {})

    def where(key: str) -> str:
        return origins.get(key, source)

    check_keys(values, source, origins)
    text = {key: as_answer(value) for key, value in values.items()}
    project: dict[str, Any] = {}
    checks = {
        "project_name": lambda v: _one_line(v, required=True, limit=100),
        "project_slug": _slug,
        "author": lambda v: _one_line(v, required=False),
        "framework": _framework,
        "install_dependencies": lambda v: _as_bool(v.strip() or "no"),
    }
    for key, check in checks.items():
        try:
            project[key] = check(text.get(key, ""))
        except InvalidValue as exc:
            raise UserError(str(exc), source=where(key), key=key) from None
    data: dict[str, Any] = {"description": text.get("description", "")}
    data.update({key: text[key] for key in PRESET_KEYS if key in text})
    if data.get("package_manager", "").strip() != "yarn":
        data.pop("yarn_version", None)
    preset = preset_from_mapping(data, source, origins)
    return Answers(description=preset.description or "", preset=preset, **project)


def project_files(answers: Answers) -> dict[str, str]:
    """The files dockgen adds to the scaffolded project: what ``dockgen render`` writes, and the preset."""
    return {**render(answers.preset).files, PRESET_FILE: PRESET_HEADER + dump_preset(answers.preset)}


def install_command(preset: Preset) -> tuple[list[str], dict[str, str]]:
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


def install_dependencies(preset: Preset, project_dir: Path) -> bool:
    """Run the package manager in ``project_dir``; on failure warn (the project itself is complete)."""
    command, env = install_command(preset)
    print(f"running {' '.join(command)} (install_dependencies: yes)", flush=True)
    try:
        code = subprocess.run(command, cwd=project_dir, env={**os.environ, **env}, check=False).returncode
    except OSError as exc:
        code, reason = None, f"cannot run {command[0]}: {exc.strerror or exc}"
    else:
        reason = f"exit status {code}"
    if code == 0:
        return True
    print(f"warning: `{' '.join(command)}` failed ({reason}); the project is complete but has no lockfile "
          "yet: create it as its README says", file=sys.stderr)
    return False


def post_gen(answers: Answers, project_dir: Path) -> None:
    """Finish a rendered project: entrypoint, yarn settings, Dockerfile, .dockerignore and dockgen.yaml."""
    preset = answers.preset
    if preset.entrypoint != TEMPLATE_ENTRYPOINT:
        target = project_dir / preset.entrypoint
        target.parent.mkdir(parents=True, exist_ok=True)
        (project_dir / TEMPLATE_ENTRYPOINT).replace(target)
    if not preset.yarn_berry:
        (project_dir / ".yarnrc.yml").unlink(missing_ok=True)
    write_files(project_files(answers), project_dir)
    for message in preset_warnings(preset):
        print(f"warning: {message}", file=sys.stderr)
    if answers.install_dependencies:
        install_dependencies(preset, project_dir)


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
        if str(data.get("package_manager", "")).strip() == "yarn" and data.get("yarn_version") is None:
            data["yarn_version"] = 1  # what the preset means (the template's own default is yarn 4)
        given.update(data)
        origins.update(dict.fromkeys(data, source))
    if answers:
        given.update(answers)
        for key in answers:
            origins.pop(key, None)
    extra = parse_overrides(overrides)
    given.update(extra)
    origins.update(dict.fromkeys(extra, SET_SOURCE))
    if "language" in given:
        try:
            parse_field("language", given.pop("language"))
        except InvalidValue as exc:
            raise UserError(str(exc), source=origins.get("language", ANSWERS_SOURCE), key="language") from None
    check_keys(given, ANSWERS_SOURCE, origins)
    return given, origins


def ask(given: Mapping[str, Any], *, no_input: bool) -> dict[str, Any]:
    """The template's questions with ``given`` as defaults: prompted for, or the defaults with no_input."""
    from cookiecutter.config import get_user_config
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    context = generate_context(
        context_file=str(template_dir() / "cookiecutter.json"),
        default_context=get_user_config()["default_context"],
        extra_context={key: as_answer(value) for key, value in given.items()},
    )
    return dict(prompt_for_config(context, no_input))


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
            created = cookiecutter(str(template_dir()), no_input=True, extra_context=extra,
                                   output_dir=str(output_dir))
        except CookiecutterException as exc:
            raise UserError(f"the template failed: {str(exc).splitlines()[0]}", source=str(target)) from None
    return Path(created)
