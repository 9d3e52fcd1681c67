#!/usr/bin/env python3
"""What the generated Python images cost, measured with real buildah builds; prints markdown tables.

    sudo python benchmarks/bench_python.py

For the pip, Poetry and uv fixture apps (tests/e2e/apps/python-*) on full, slim and distroless: the bytes
each image adds above its runtime base (by layer, uncompressed, what a pull transfers; and by file),
against the floor: the venv's installed packages (compiled, as pip installs them) plus the app's files
(a package: the project installed into the venv instead), installed on the host. Side by side, docker
init's Python Dockerfile (single stage, pip into the system site-packages, user 10001), with the two
changes it needs to build at all on python:3.13-slim here (see DOCKER_INIT). Each image is also run,
asked over HTTP and stopped with SIGTERM: the seconds it took are in the table.

Needs root, buildah and the stand-ins (tests/e2e/standins.sh, tests/e2e/standins_python.sh), Python 3.13 on
the host for the floor (--python) and PyPI. Not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_images import CA_VOLUME, group_rest, kb, log, tree_bytes  # noqa: E402

from generator.model import preset_from_mapping  # noqa: E402
from generator.output import write_files  # noqa: E402
from generator.render import render  # noqa: E402
from generator.verify import (STOP_GRACE, BuildahBuilder, VerifyFailed, added_files, bytes_above,  # noqa: E402
                              runtime_base, verify)
from tests.e2e.fixtures import copy_app  # noqa: E402

APPS = {
    "python-pip-app": {"package_manager": "pip"},
    "python-poetry-app": {"package_manager": "poetry", "install_project": True,
                          "command": ["python", "-m", "poetry_app"]},
    "python-uv-app": {"package_manager": "uv", "install_project": True, "command": ["uv-app"]},
}
#: docker init's Python Dockerfile (pip, `python3 main.py`, port 8000), as it writes it, but for two lines:
#: `adduser` (Debian 13 slim images have only useradd) and the requirements bind mount's relative target
#: (buildah 1.28 refuses it; BuildKit would take `target=requirements.txt`).
DOCKER_INIT = """\
ARG PYTHON_VERSION=3.13
FROM python:${PYTHON_VERSION}-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1
ENV PYTHONUNBUFFERED=1
WORKDIR /app
ARG UID=10001
RUN useradd --home-dir /nonexistent --shell /sbin/nologin --no-create-home --uid "${UID}" appuser
RUN --mount=type=cache,target=/root/.cache/pip \\
    --mount=type=bind,source=requirements.txt,target=/app/requirements.txt \\
    python -m pip install -r requirements.txt
USER appuser
COPY . .
EXPOSE 8000
CMD python3 main.py
"""
HOST_PIP_ENV = {"PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": "", "PIP_CONSTRAINT": "",
                "PIP_INDEX_URL": "https://pypi.org/simple", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def floor_bytes(app: str, python: str, work: Path) -> tuple[int, int]:
    """(app files outside the venv, the venv's site-packages) in bytes, installed on the host with pip."""
    directory = copy_app(app, work / "floor")
    venv = work / "floor-venv"
    env = {**os.environ, **HOST_PIP_ENV}
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    if APPS[app].get("install_project"):
        subprocess.run([*pip, str(directory)], check=True, env=env)
        app_bytes = 0
    else:
        subprocess.run([*pip, "-r", str(directory / "requirements.txt")], check=True, env=env)
        app_bytes = tree_bytes(directory)
    site = next((venv / "lib").glob("python3.*")) / "site-packages"
    for tool in ("pip", "setuptools"):  # the floor venv's own installer is no part of the app
        for path in site.glob(f"{tool}*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return app_bytes, tree_bytes(site)


def build_and_run(builder: BuildahBuilder, directory: Path, tag: str, expect: str) -> dict:
    """verify() the image (build, run, GET /, SIGTERM), then measure what it added above its base. An image
    that ignores SIGTERM fails verify() but is measured all the same (its stop time: the 10 s kill)."""
    # docker init's FROM names its ARG; its default is 3.13
    base_ref = runtime_base((directory / "Dockerfile").read_text()).replace("${PYTHON_VERSION}", "3.13")
    try:
        report = verify(directory, builder=builder, volumes=[CA_VOLUME], keep=True, tag=tag, expect=expect,
                        timeout=60)
        stop = f"{report.stop_seconds:.2f} s"
    except VerifyFailed as exc:
        if "ignored SIGTERM" not in exc.message:
            raise
        report, stop = None, f"killed after {STOP_GRACE:.0f} s (ignored SIGTERM)"
    image, base = builder.inspect(tag), builder.inspect(base_ref)
    with builder.mounted(tag) as root, builder.mounted(base_ref) as base_root:
        added = added_files(root, base_root)
    app = sum(size for path, size in added.items() if path == "app" or path.startswith("app/"))
    return {"report": report, "image": image, "base": base_ref, "layers": bytes_above(image, base), "stop": stop,
            "files": sum(added.values()), "app": app, "other": group_rest(added)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default=os.environ.get("DOCKGEN_BENCH_PYTHON", "python3.13"),
                        help="a host Python 3.13 for the floor venv")
    parser.add_argument("--app", action="append", choices=list(APPS), help="fixture app(s) (default: all three)")
    args = parser.parse_args()
    reason = BuildahBuilder.unavailable()
    if reason:
        print(f"bench_python: {reason}", file=sys.stderr)
        return 2
    builder = BuildahBuilder()
    tags: list[str] = []
    results = []
    with tempfile.TemporaryDirectory(prefix="dockgen-bench-py-") as tmp:
        work = Path(tmp)
        try:
            for app in args.app or list(APPS):
                app_bytes, site_bytes = floor_bytes(app, args.python, work / app)
                rows = []
                for base in ("full", "slim", "distroless"):
                    directory = copy_app(app, work / app / f"gen-{base}")
                    preset = preset_from_mapping({"language": "python", "base": base, **APPS[app]}, "bench")
                    write_files(render(preset).files, directory)
                    tags.append(f"localhost/dockgen-bench-{app}-{base}:latest")
                    log(f"building {app} on {base} ...")
                    rows.append((f"dockgen {base}", build_and_run(builder, directory, tags[-1], f"hello from {app}")))
                if app == "python-pip-app":
                    directory = copy_app(app, work / app / "docker-init")
                    (directory / "Dockerfile").write_text(DOCKER_INIT)
                    tags.append(f"localhost/dockgen-bench-{app}-docker-init:latest")
                    log(f"building {app} with docker init's Dockerfile ...")
                    rows.append(("docker init (slim)",
                                 build_and_run(builder, directory, tags[-1], f"hello from {app}")))
                results.append((app, app_bytes, site_bytes, rows))
        finally:
            for tag in tags:
                builder.remove(tag)

    for app, app_bytes, site_bytes, rows in results:
        floor = app_bytes + site_bytes
        print(f"## {app} (floor = app files {app_bytes:,} B + venv site-packages {site_bytes:,} B = {floor:,} B)\n")
        print("| Dockerfile | runtime base | image size | layers | above base (layers) | above base (files) "
              "| files / floor | of which /app | the rest | stop after SIGTERM |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for label, m in rows:
            rest = ", ".join(m["other"][:4]) + (" ..." if len(m["other"]) > 4 else "") or "-"
            print(f"| {label} | {m['base']} | {m['image'].size / 1e6:,.1f} MB | {m['image'].layers} "
                  f"| {kb(m['layers'])} "
                  f"| {kb(m['files'])} | {m['files'] / floor:.2f}x | {kb(m['app'])} | {rest} | {m['stop']} |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
