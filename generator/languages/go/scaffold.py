"""Go scaffold: the cookiecutter template of a new standard-library HTTP service.

See :mod:`generator.scaffold` for the contract. The service has no dependency, so there is nothing to
install: ``install_dependencies`` only says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import InvalidValue, show
from ...scaffold import Answers, ScaffoldSpec

#: A Go module path: domain-like first element, then path elements (no spaces, quotes or '..').
_MODULE_PATH = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(/[A-Za-z0-9_.~+-]+)*")


def _module_path(value: str) -> str:
    text = value.strip()
    if not _MODULE_PATH.fullmatch(text) or ".." in text.split("/"):
        raise InvalidValue(f"{show(text)} is not a Go module path; allowed: e.g. example.com/hello-service or "
                           "github.com/you/hello-service")
    return text


def finish(answers: Answers, project_dir: Path) -> None:
    if answers.install_dependencies:
        print("install_dependencies: nothing to install (the service uses the standard library only)")


SPEC = ScaffoldSpec(
    template="cookiecutter-go-service",
    project_checks={"module_path": _module_path},
    not_asked={
        "package": "the scaffolded service's main package is the project root",
        "cgo": "the scaffolded service is pure Go",
        "vendor": "the scaffolded service has no dependencies to vendor",
        "local_modules": "the scaffolded service has no local replace directives",
    },
    finish=finish,
)
