"""The command line: parses arguments and calls the library; one place turns user errors into
a red line and exit code 2."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .batch import render_presets
from .completion import complete_builtin, complete_output_file, complete_preset, complete_set
from .console import EXIT_ABORTED, EXIT_DRIFT, EXIT_USER_ERROR, fail, guarded, os_error_message, warn
from .errors import UserError
from .presets import builtin_preset_text, builtin_presets, read_preset_data

__all__ = ["EXIT_ABORTED", "EXIT_DRIFT", "EXIT_USER_ERROR", "cli", "main", "os_error_message"]

#: Raised for a bare `dockgen` by click >= 8.2 (older click prints the help itself).
_NO_ARGS: type[BaseException] | tuple[()] = getattr(click.exceptions, "NoArgsIsHelpError", ())


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
        return guarded(super().invoke, ctx)


@click.group(cls=DockgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dockgen")
def cli() -> None:
    """Write optimized multi-stage Dockerfiles and a matching .dockerignore."""


@cli.command("render")
@click.argument("presets", nargs=-1, required=True, metavar="PRESET", shell_complete=complete_preset)
@click.option("-o", "--output-dir", type=click.Path(path_type=Path), default=None,
              help="Directory to write into (one PRESET only). Default: the preset file's directory; "
                   ". for a built-in preset name or -.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", shell_complete=complete_set,
              help="Override a preset key (repeatable; applies to every PRESET).")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the Dockerfile (or --file); write nothing.")
@click.option("--file", "stdout_file", metavar="NAME", default=None, shell_complete=complete_output_file,
              help="With --stdout: which file to print, e.g. .dockerignore (default: Dockerfile).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 with a diff and one line per drifted PRESET if files on disk differ.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def render_command(presets: tuple[str, ...], output_dir: Path | None, overrides: tuple[str, ...], to_stdout: bool,
                   stdout_file: str | None, check: bool, force: bool) -> None:
    """Render each PRESET (a YAML file, a built-in preset name, or - for stdin) to Dockerfile and .dockerignore."""
    code = render_presets(presets, output_dir=output_dir, overrides=list(overrides), to_stdout=to_stdout,
                          stdout_file=stdout_file, check=check, force=force)
    if code:
        sys.exit(code)


@cli.command("presets")
@click.argument("name", required=False, shell_complete=complete_builtin)
def presets_command(name: str | None) -> None:
    """List the built-in presets, or print preset NAME as YAML."""
    if name is not None:
        click.echo(builtin_preset_text(name), nl=False)
        return
    builtins = builtin_presets()
    width = max(map(len, builtins), default=0)
    for preset in builtins:
        data, _ = read_preset_data(preset)
        click.echo(f"{preset:<{width}}  {data.get('description', '')}")


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of preset files (for editors: see the README)."""
    from .schema import schema_text

    click.echo(schema_text(), nl=False)


@cli.command("detect")
@click.argument("directory", required=False, default=Path("."), type=click.Path(path_type=Path))
def detect_command(directory: Path) -> None:
    """Print the preset inferred from the project in DIRECTORY (default: .) as YAML."""
    from .detect import detect, detection_yaml

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
@click.option("-f", "--file", "dockerfile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The Dockerfile to build (default: DIRECTORY/Dockerfile); DIRECTORY stays the build context.")
@click.option("--network", default=None, metavar="NAME",
              help="Network for the build's RUN steps and the container, e.g. host (runners without a bridge).")
def verify_command(directory: Path, builder: str | None, url_path: str, expect: str | None, keep: bool,
                   timeout: float, secrets: tuple[str, ...], volumes: tuple[str, ...], dockerfile: Path | None,
                   network: str | None) -> None:
    """Build DIRECTORY's Dockerfile, run it, request --path, stop it with SIGTERM and report the image."""
    from .verify import VerifyFailed, verify

    try:
        report = verify(directory, builder=builder, path=url_path, expect=expect, keep=keep, timeout=timeout,
                        volumes=list(volumes) or None, dockerfile=dockerfile, network=network,
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
    """The click command line for everything; `dockgen` itself starts in :func:`generator.entry.main`."""
    cli(prog_name="dockgen")


if __name__ == "__main__":
    main()
