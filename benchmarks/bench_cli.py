#!/usr/bin/env python3
"""What `dockgen render` costs in CI, measured; prints markdown tables. A benchmark, not a test.

    python benchmarks/bench_cli.py [--runs 40] [--services 1000]

1. Start-up: `dockgen render PRESET --stdout` against `python -c pass` (the same interpreter), run in
   turns so both see the same machine load; median wall time, and CPU time (user + system) which load
   disturbs less. Goal: at most 4 x. With the preset's render in the cache (every run after the first)
   and with no cache at all (`DOCKGEN_CACHE_DIR=`, a fresh CI container: Jinja imported and compiling).
2. Many services: one `dockgen render` call for N presets (N directories of a monorepo): writing every
   Dockerfile and .dockerignore, then `--check` of all. Goal: at most 2 s for 1,000.
3. The same output through cookiecutter: `cookiecutter --no-input` of the scaffold template
   (templates/cookiecutter-node-service, whose hooks call dockgen) against `dockgen render`, for the same
   settings; the Dockerfiles are compared byte for byte.

Run it with the interpreter dockgen is installed in (its `dockgen` and `cookiecutter` commands are taken
from the same bin directory).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRESET = "package_manager: pnpm\nbase: distroless\nport: 8080\ntimezone: Asia/Shanghai\n"


def command(name: str) -> list[str]:
    path = BIN / name
    if not path.exists():
        sys.exit(f"{path} not found: run this with the Python dockgen is installed in")
    return [str(path)]


def run_once(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU from the child's rusage)."""
    start = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd) as proc:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def side_by_side(commands: dict[str, tuple[list[str], dict[str, str] | None]], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU milliseconds of each command, run in turns."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for name, (cmd, env) in commands.items():  # warm-up: page cache, .pyc files, the template cache
        run_once(cmd, env=env)
    for _ in range(runs):
        for name, (cmd, env) in commands.items():
            samples[name].append(run_once(cmd, env=env))
    return {name: (statistics.median(w for w, _ in s) * 1000, statistics.median(c for _, c in s) * 1000)
            for name, s in samples.items()}


def startup(runs: int, work: Path) -> None:
    preset = work / "dockgen.yaml"
    preset.write_text(PRESET)
    no_cache = {**os.environ, "DOCKGEN_CACHE_DIR": ""}
    cached = {**os.environ, "DOCKGEN_CACHE_DIR": str(work / "cache")}
    render = [*command("dockgen"), "render", str(preset), "--stdout"]
    results = side_by_side({
        "python -c pass": ([sys.executable, "-c", "pass"], None),
        "dockgen render dockgen.yaml --stdout": (render, cached),
        "dockgen render node-npm-slim --stdout": ([*command("dockgen"), "render", "node-npm-slim", "--stdout"],
                                                  cached),
        "dockgen render dockgen.yaml --stdout, no cache": (render, no_cache),
        "dockgen presets (click)": ([*command("dockgen"), "presets"], no_cache),
    }, runs)
    base_wall, base_cpu = results["python -c pass"]
    print(f"### Start-up ({runs} runs each, in turns; median)\n")
    print("| command | wall | × python | CPU | × python |\n| --- | --- | --- | --- | --- |")
    for name, (wall, cpu) in results.items():
        print(f"| `{name}` | {wall:.1f} ms | {wall / base_wall:.2f} | {cpu:.1f} ms | {cpu / base_cpu:.2f} |")
    print()


def monorepo(root: Path, count: int) -> list[str]:
    managers, bases = ("npm", "yarn", "pnpm"), ("full", "slim", "alpine", "distroless")
    presets = []
    for i in range(count):
        service = root / f"services/s{i:04d}"
        service.mkdir(parents=True)
        timezone = "timezone: Europe/Berlin\n" if i % 4 == 0 else ""
        (service / "dockgen.yaml").write_text(f"package_manager: {managers[i % 3]}\nbase: {bases[i // 3 % 4]}\n"
                                              f"port: {3000 + i % 1000}\n{timezone}")
        presets.append(f"services/s{i:04d}/dockgen.yaml")
    return presets


def many(count: int, work: Path) -> None:
    root = work / "monorepo"
    presets = monorepo(root, count)
    env = {**os.environ, "DOCKGEN_CACHE_DIR": str(work / "many-cache")}
    write, _ = run_once([*command("dockgen"), "render", *presets], cwd=root, env=env)
    check, _ = run_once([*command("dockgen"), "render", "--check", *presets], cwd=root, env=env)
    cold, _ = run_once([*command("dockgen"), "render", "--check", *presets], cwd=root,
                       env={**os.environ, "DOCKGEN_CACHE_DIR": ""})
    assert all((root / p).with_name("Dockerfile").exists() for p in presets)
    print(f"### {count:,} services in one call\n")
    print("| command | wall |\n| --- | --- |")
    print(f"| `dockgen render` {count:,} presets, nothing cached (writes {2 * count:,} files) | {write:.2f} s |")
    print(f"| `dockgen render --check` {count:,} presets, all up to date | {check:.2f} s |")
    print(f"| the same without any cache (`DOCKGEN_CACHE_DIR=`) | {cold:.2f} s |\n")


def cookiecutter_comparison(runs: int, work: Path) -> None:
    answers = ["framework=http", "package_manager=pnpm", "base=distroless", "port=8080", "timezone=Asia/Shanghai"]
    template = REPO / "templates" / "cookiecutter-node-service"
    out = work / "cookiecutter"
    cc_cmd = [*command("cookiecutter"), "--no-input", "--overwrite-if-exists", "-o", str(out), str(template),
              *answers]
    preset = work / "dockgen.yaml"
    preset.write_text(PRESET)
    results = side_by_side({
        "cookiecutter --no-input (the scaffold template)": (cc_cmd, None),
        "dockgen render dockgen.yaml --stdout": ([*command("dockgen"), "render", str(preset), "--stdout"], None),
    }, max(runs // 4, 5))
    project = next(out.iterdir())
    rendered = subprocess.run([*command("dockgen"), "render", str(preset), "--stdout"], capture_output=True,
                              text=True, check=True).stdout
    same = (project / "Dockerfile").read_text() == rendered
    print(f"### The same Dockerfile through cookiecutter (median of {max(runs // 4, 5)})\n")
    print("| command | wall | CPU |\n| --- | --- | --- |")
    for name, (wall, cpu) in results.items():
        print(f"| `{name}` | {wall:.0f} ms | {cpu:.0f} ms |")
    print(f"\nDockerfile byte-identical: {'yes' if same else 'NO'}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--services", type=int, default=1000)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load:.1f} at the start\n")
    with tempfile.TemporaryDirectory(prefix="dockgen-bench-") as tmp:
        work = Path(tmp)
        startup(args.runs, work)
        many(args.services, work)
        cookiecutter_comparison(args.runs, work)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
