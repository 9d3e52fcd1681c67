"""The command line: parses arguments and calls the library; one place turns user errors into
a red line and exit code 2."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import UserError
from .output import drift, write_files
from .presets import builtin_presets, load_preset, read_preset_data
from .render import render
from .detect import detect, detection_yaml, project_warnings

EXIT_DRIFT = 1
EXIT_USER_ERROR = 2
EXIT_ABORTED = 130


def warn(message: str) -> None:
    click.secho(f"warning: {message}", fg="yellow", err=True)


def fail(message: str, code: int = EXIT_USER_ERROR) -> None:
    try:
        click.secho(f"error: {message}", fg="red", err=True)
    except OSError:
        pass  # stderr is gone too: the exit code is all that is left
    sys.exit(code)


#: Raised for a bare `dockgen` by click >= 8.2 (older click prints the help itself).
_NO_ARGS: type[BaseException] | tuple[()] = getattr(click.exceptions, "NoArgsIsHelpError", ())
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


class DockgenGroup(click.Group):
    """Runs a command and turns the errors users can cause into one line and an exit code."""

    def main(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)  # type: ignore[arg-type]
            sys.stdout.flush()
        except _NO_ARGS as exc:  # bare `dockgen`: a usage line, not an error
            commands = ", ".join(self.list_commands(exc.ctx)) if exc.ctx else ""
            try:
                click.echo(f"usage: dockgen COMMAND [ARGS]...; commands: {commands} (see 'dockgen --help')",
                           err=True)
            except OSError:
                pass
            sys.exit(exc.exit_code)
        except OSError as exc:
            fail(os_error_message(exc))
        except click.UsageError as exc:  # bad or missing arguments, unknown command
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            fail(f"{exc.format_message()}{hint}", exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            click.secho("aborted", fg="red", err=True)
            sys.exit(EXIT_ABORTED)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            fail(str(exc), exc.exit_code)
        except OSError as exc:  # an unreadable directory, a full disk or a closed pipe on stdout
            fail(os_error_message(exc))
        except (KeyboardInterrupt, EOFError):
            click.secho("aborted", fg="red", err=True)
            sys.exit(EXIT_ABORTED)
        return None


@click.group(cls=DockgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dockgen")
def cli() -> None:
    """Write optimized multi-stage Dockerfiles and a matching .dockerignore."""


@cli.command("render")
@click.argument("preset")
@click.option("-o", "--output-dir", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Directory to write Dockerfile and .dockerignore into.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a preset key (repeatable).")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the Dockerfile; write nothing.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with a diff if the files on disk differ.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def render_command(preset: str, output_dir: Path, overrides: tuple[str, ...], to_stdout: bool, check: bool,
                   force: bool) -> None:
    """Render PRESET (a YAML file or a built-in preset name) to Dockerfile and .dockerignore."""
    if to_stdout and check:
        raise UserError("--stdout and --check cannot be used together")
    loaded = load_preset(preset, overrides)
    result = render(loaded)
    for message in [*result.warnings, *project_warnings(output_dir, loaded)]:
        warn(message)
    if to_stdout:
        click.echo(result.files["Dockerfile"], nl=False)
        return
    if check:
        diff = drift(result.files, output_dir)
        if diff:
            click.echo(diff, nl=False)
            click.secho(f"drift: {output_dir} differs from what {preset} generates; run without --check "
                        "(with --force) to update", fg="red", err=True)
            sys.exit(EXIT_DRIFT)
        click.echo(f"up to date: {', '.join(str(output_dir / name) for name in result.files)}")
        return
    for path in write_files(result.files, output_dir, force=force):
        click.echo(f"wrote {path}")


@cli.command("presets")
def presets_command() -> None:
    """List the built-in presets."""
    builtins = builtin_presets()
    width = max(map(len, builtins), default=0)
    for name in builtins:
        data, _ = read_preset_data(name)
        click.echo(f"{name:<{width}}  {data.get('description', '')}")


@cli.command("detect")
@click.argument("directory", required=False, default=Path("."), type=click.Path(path_type=Path))
def detect_command(directory: Path) -> None:
    """Print the preset inferred from the project in DIRECTORY (default: .) as YAML."""
    if not directory.is_dir():
        raise UserError("not a directory; allowed: a Node.js, Python or Go project directory", source=str(directory))
    detection = detect(directory)
    click.echo(detection_yaml(detection, directory), nl=False)
    for message in detection.warnings:
        warn(message)


@cli.command("new")
@click.argument("directory", required=False, default=Path("."), type=click.Path(path_type=Path))
@click.option("--preset", "preset_ref", metavar="FILE", help="Pre-fill the answers from a preset (file or built-in).")
@click.option("-y", "--yes", is_flag=True, help="Accept every default; ask nothing.")
@click.option("--save-preset", type=click.Path(path_type=Path), metavar="FILE",
              help="Also write the answers as a preset, for `dockgen render FILE`.")
@click.option("--force", is_flag=True, help="Overwrite existing files without asking.")
def new_command(directory: Path, preset_ref: str | None, yes: bool, save_preset: Path | None, force: bool) -> None:
    """Ask a few questions (defaults detected from DIRECTORY) and write its Dockerfile and .dockerignore."""
    from .wizard import run_new  # questionary/prompt_toolkit load only for this command

    code = run_new(directory, preset_ref, yes=yes, save_preset=save_preset, force=force)
    if code:
        sys.exit(code)


@cli.command("verify")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=Path("."))
@click.option("--builder", type=click.Choice(["docker", "buildah", "podman"]), default=None,
              help="Builder to use (default: docker if its daemon answers, else buildah, else podman).")
@click.option("--path", "url_path", default="/", show_default=True, help="URL path to request.")
@click.option("--expect", default=None, metavar="TEXT", help="Text the response body must contain.")
@click.option("--keep", is_flag=True, help="Keep the built image.")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds to wait for the port.")
@click.option("--secret", "secrets", multiple=True, metavar="id=ID,src=FILE",
              help="A build secret, e.g. id=npmrc,src=$HOME/.npmrc for presets with npmrc_secret (repeatable).")
@click.option("--build-volume", "volumes", multiple=True, hidden=True,
              help="Extra -v SRC:DST[:OPTS] for RUN steps (buildah/podman; test harnesses).")
def verify_command(directory: Path, builder: str | None, url_path: str, expect: str | None, keep: bool,
                   timeout: float, secrets: tuple[str, ...], volumes: tuple[str, ...]) -> None:
    """Build DIRECTORY's Dockerfile, run it, request --path, stop it with SIGTERM and report the image."""
    from .verify import VerifyFailed, verify

    try:
        report = verify(directory, builder=builder, path=url_path, expect=expect, keep=keep, timeout=timeout,
                        volumes=list(volumes) or None,
                        extra_build_args=[arg for secret in secrets for arg in ("--secret", secret)],
                        on_output=lambda line: click.echo(line, err=True))
    except VerifyFailed as exc:
        for line in exc.tail:
            click.echo(f"  | {line}", err=True)
        fail(exc.message, exc.exit_code)
    for line in report.lines():
        click.echo(line)


@cli.command("scaffold")
@click.option("--preset", "preset", metavar="FILE", help="Preset file or built-in preset name to start from.")
@click.option("--no-input", is_flag=True, help="Ask nothing: use the preset, --set values and the defaults.")
@click.option("-o", "--output-dir", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Directory to create the project in.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Answer a question of the template, e.g. project_name=api or base=distroless (repeatable).")
def scaffold_command(preset: str | None, no_input: bool, output_dir: Path, overrides: tuple[str, ...]) -> None:
    """Create a new Node.js, Python or Go service with its Dockerfile (its cookiecutter template; --set language=...)."""
    from .scaffold import scaffold

    project = scaffold(output_dir, preset=preset, overrides=overrides, no_input=no_input)
    click.echo(f"created {project}")


def main() -> None:
    cli(prog_name="dockgen")


if __name__ == "__main__":
    main()
