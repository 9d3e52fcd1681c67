"""Printing for the command line, without click: the fast `dockgen render` path must not import it.

Colour only on a terminal (as click does) and never with ``NO_COLOR`` set.
"""

from __future__ import annotations

import errno
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
    try:
        error(message)
    except OSError:
        pass  # stderr is gone too: the exit code is all that is left
    sys.exit(code)


#: errno values that mean "the output went nowhere" when no file name comes with them.
_OUTPUT_ERRNOS = {errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG, errno.EBADF}


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def os_error_message(exc: OSError) -> str:
    """One line for a file system error no command turned into a UserError."""
    reason = exc.strerror or str(exc)
    if exc.filename:
        return f"{exc.filename}: {reason}"
    if exc.errno in _OUTPUT_ERRNOS:
        _silence_stdout()
        return f"cannot write to standard output: {reason}"
    return reason


T = TypeVar("T")


def guarded(run: Callable[..., T], *args: object) -> T:
    """``run(*args)``, with a user error turned into its one line and exit code, an OS error (an unreadable
    directory, a full disk, a closed pipe on stdout) into one line and 2, Ctrl-C into "aborted" and 130."""
    try:
        return run(*args)
    except UserError as exc:
        fail(str(exc), exc.exit_code)
    except OSError as exc:
        fail(os_error_message(exc))
    except (KeyboardInterrupt, EOFError):
        echo("aborted", err=True, fg="red")
        sys.exit(EXIT_ABORTED)
