"""Printing for the command line, without click: the fast `dockgen render` path must not import it.

Colour only on a terminal (as click does) and never with ``NO_COLOR`` set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import NoReturn, TextIO, TypeVar

from .errors import UserError

EXIT_DRIFT = 1
EXIT_USER_ERROR = 2
EXIT_ABORTED = 130

_COLOURS = {"red": 31, "green": 32, "yellow": 33}


def _stream(err: bool) -> TextIO:
    return sys.stderr if err else sys.stdout


def echo(message: str = "", *, err: bool = False, nl: bool = True, fg: str | None = None) -> None:
    stream = _stream(err)
    if fg and "NO_COLOR" not in os.environ and getattr(stream, "isatty", lambda: False)():
        message = f"\x1b[{_COLOURS[fg]}m{message}\x1b[0m"
    stream.write(f"{message}\n" if nl else message)
    stream.flush()


def warn(message: str) -> None:
    echo(f"warning: {message}", err=True, fg="yellow")


def error(message: str) -> None:
    """One red line on stderr; the caller decides the exit code."""
    echo(f"error: {message}", err=True, fg="red")


def fail(message: str, code: int = EXIT_USER_ERROR) -> NoReturn:
    error(message)
    sys.exit(code)


T = TypeVar("T")


def guarded(run: Callable[..., T], *args: object) -> T:
    """``run(*args)``, with a user error turned into its one line and exit code, Ctrl-C into "aborted"
    and 130."""
    try:
        return run(*args)
    except UserError as exc:
        fail(str(exc), exc.exit_code)
    except (KeyboardInterrupt, EOFError):
        echo("aborted", err=True, fg="red")
        sys.exit(EXIT_ABORTED)
