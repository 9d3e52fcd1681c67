"""`dockgen render` for one preset or many (a monorepo's services) in one call.

Each preset renders into its own directory: ``-o DIR`` when there is one preset, else the directory
of the preset file (the current directory for a built-in preset name or ``-``, stdin). Every preset is
loaded and rendered before anything is written or compared: the first user error is the one line the
call ends with, and nothing is written at all. Free of click, so the fast path can use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import console
from .errors import UserError
from .output import drift, write_groups
from .presets import STDIN, load_preset, preset_path
from .render import Rendered, render
from .rendercache import cache_root

DEFAULT_STDOUT_FILE = "Dockerfile"
#: Calls with up to this many presets use the caches of :mod:`generator.rendercache`.
CACHE_UP_TO = 16


class Job:
    """One preset of the call and where its files go (a plain class: a dataclass costs start-up time)."""

    __slots__ = ("ref", "output_dir", "rendered")

    def __init__(self, ref: str, output_dir: Path, rendered: Rendered):
        self.ref, self.output_dir, self.rendered = ref, output_dir, rendered


def _output_dir(ref: str, output_dir: Path | None) -> Path:
    if output_dir is not None:
        return output_dir
    path = preset_path(ref)
    return path.parent if path is not None else Path(".")


def _check_arguments(refs: Sequence[str], output_dir: Path | None, to_stdout: bool, stdout_file: str | None,
                     check: bool) -> None:
    if to_stdout and check:
        raise UserError("--stdout and --check cannot be used together")
    if stdout_file is not None and not to_stdout:
        raise UserError("--file only chooses what --stdout prints; allowed: --stdout --file NAME")
    if len(refs) > 1:
        if output_dir is not None:
            raise UserError("-o/--output-dir takes one preset; with several, each renders into the directory "
                            "of its preset file")
        if to_stdout:
            raise UserError("--stdout prints one preset's file; allowed: one PRESET with --stdout")
        if refs.count(STDIN) > 1:
            raise UserError("'-' (stdin) can be given once")


def _load(refs: Sequence[str], output_dir: Path | None, overrides: Sequence[str], warn_prefix: bool) -> list[Job]:
    """Every preset loaded and rendered (the first user error stops the call, as one line)."""
    from .detect import project_warnings  # the project's package.json matters only here

    jobs: list[Job] = []
    seen: dict[Path, str] = {}
    # The caches spare a short call Jinja's import and compile; a long one pays those once and would only
    # add a cache file to read and write per preset.
    cache_dir = cache_root() if len(refs) <= CACHE_UP_TO else None
    for ref in refs:
        preset = load_preset(ref, overrides)
        job = Job(ref, _output_dir(ref, output_dir), render(preset, cache_dir=cache_dir))
        key = Path(job.output_dir.resolve())
        if key in seen:
            raise UserError(f"renders into {job.output_dir}, as {seen[key]} does; allowed: one preset per directory",
                            source=ref)
        seen[key] = ref
        for message in [*job.rendered.warnings, *project_warnings(job.output_dir, preset)]:
            console.warn(f"{ref}: {message}" if warn_prefix else message)
        jobs.append(job)
    return jobs


def _check(jobs: list[Job]) -> int:
    """Compare every job with the disk: the diffs on stdout, one line per preset; 1 if any drifted."""
    drifted = 0
    for job in jobs:
        diff = drift(job.rendered.files, job.output_dir)
        if diff:
            drifted += 1
            console.echo(diff, nl=False)
            console.echo(f"drift: {job.output_dir} differs from what {job.ref} generates; run without --check "
                         "(with --force) to update", err=True, fg="red")
        else:
            names = ", ".join(str(job.output_dir / name) for name in job.rendered.files)
            console.echo(f"up to date: {names}")
    return console.EXIT_DRIFT if drifted else 0


def _write(jobs: list[Job], force: bool) -> int:
    for path in write_groups({job.output_dir: job.rendered.files for job in jobs}, force=force):
        console.echo(f"wrote {path}")
    return 0


def render_presets(presets: Sequence[str], *, output_dir: Path | None = None, overrides: Sequence[str] = (),
                   to_stdout: bool = False, stdout_file: str | None = None, check: bool = False,
                   force: bool = False) -> int:
    """Run `dockgen render`; returns the exit code (0, or 1 for drift); raises UserError (exit 2)."""
    refs = list(presets)
    if not refs:
        raise UserError("no PRESET given; allowed: preset files, built-in preset names or - (stdin)")
    _check_arguments(refs, output_dir, to_stdout, stdout_file, check)
    jobs = _load(refs, output_dir, overrides, warn_prefix=len(refs) > 1)
    if to_stdout:
        files = jobs[0].rendered.files
        name = stdout_file or DEFAULT_STDOUT_FILE
        if name not in files:
            raise UserError(f"{name!r} is not a file this preset renders; allowed: {', '.join(files)}",
                            source="--file")
        console.echo(files[name], nl=False)
        return 0
    if check:
        return _check(jobs)
    return _write(jobs, force)
