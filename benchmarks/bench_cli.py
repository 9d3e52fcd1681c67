#!/usr/bin/env python3
"""What `dockgen render` costs in CI, measured; prints markdown tables. A benchmark, not a test.

    python benchmarks/bench_cli.py [--runs 40] [--services 1000]

1. Start-up: `dockgen render PRESET --stdout` against `python -c pass` (the same interpreter), run in
   turns so both see the same machine load; median wall time, and CPU time (user + system) which load
   disturbs less. Goal: at most 4 x. With the preset's render in the cache (every run after the first)
   and with no cache at all (`DOCKGEN_CACHE_DIR=`, a fresh CI container: Jinja imported and compiling).
2. Many services: one `dockgen render` call for N presets (N directories of a monorepo): writing every
   Dockerfile and .dockerignore, then `--check` of all; five runs (writing waits on the disk, which other
   processes share). Goal: at most 2 s for 1,000.
3. The same output through cookiecutter: `cookiecutter --no-input` of the scaffold template
   (templates/cookiecutter-node-service, whose hooks call dockgen) against `dockgen render`, for the same
   settings; the Dockerfiles are compared byte for byte.

Run it with the interpreter dockgen is installed in (its `dockgen` and `cookiecutter` commands are taken
from the same bin directory). Children run without PYTHONDONTWRITEBYTECODE, as users' installs do (pip
compiles a wheel's modules; an editable install writes them on first import). With valgrind on PATH, the
start-up table also counts instructions (callgrind): unlike time, they do not depend on the machine's load.
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
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def command(name: str) -> list[str]:
    path = BIN / name
    if not path.exists():
        sys.exit(f"{path} not found: run this with the Python dockgen is installed in")
    return [str(path)]


def run_once(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU from the child's rusage)."""
    start = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env or ENV, cwd=cwd) as proc:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def instructions(cmd: list[str], env: dict[str, str] | None) -> float | None:
    """Millions of instructions one run executes (valgrind's callgrind), or None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                            capture_output=True, text=True, env=env)
    found = [line.split()[-1] for line in result.stderr.splitlines() if "Collected :" in line]
    return int(found[0]) / 1e6 if found else None


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
    no_cache = {**ENV, "DOCKGEN_CACHE_DIR": ""}
    cached = {**ENV, "DOCKGEN_CACHE_DIR": str(work / "cache")}
    render = [*command("dockgen"), "render", str(preset), "--stdout"]
    commands = {
        "python -c pass": ([sys.executable, "-c", "pass"], ENV),
        "dockgen render dockgen.yaml --stdout": (render, cached),
        "dockgen render node-npm-slim --stdout": ([*command("dockgen"), "render", "node-npm-slim", "--stdout"],
                                                  cached),
        "dockgen render dockgen.yaml --stdout, no cache": (render, no_cache),
        "dockgen presets (click)": ([*command("dockgen"), "presets"], no_cache),
    }
    results = side_by_side(commands, runs)
    counts = {name: instructions(cmd, env) for name, (cmd, env) in commands.items()}
    base_wall, base_cpu = results["python -c pass"]
    base_count = counts["python -c pass"]
    print(f"### Start-up ({runs} runs each, in turns; median)\n")
    print("| command | wall | × python | CPU | × python | instructions | × python |\n"
          "| --- | --- | --- | --- | --- | --- | --- |")
    for name, (wall, cpu) in results.items():
        count = counts[name]
        counted = f"{count:.0f} M | {count / base_count:.2f}" if count and base_count else "– | –"
        print(f"| `{name}` | {wall:.1f} ms | {wall / base_wall:.2f} | {cpu:.1f} ms | {cpu / base_cpu:.2f} | {counted} |")
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


def many(count: int, work: Path, repeats: int = 5) -> None:
    """``repeats`` calls each: every file written anew, then all checked. Calls this long use no cache."""
    root = work / "monorepo"
    presets = monorepo(root, count)
    writes, checks = [], []
    for _ in range(repeats):
        for preset in presets:
            for name in ("Dockerfile", ".dockerignore"):
                (root / preset).with_name(name).unlink(missing_ok=True)
        writes.append(run_once([*command("dockgen"), "render", *presets], cwd=root)[0])
        checks.append(run_once([*command("dockgen"), "render", "--check", *presets], cwd=root)[0])
    assert all((root / p).with_name("Dockerfile").exists() for p in presets)
    print(f"### {count:,} services in one call ({repeats} runs)\n")
    print("| command | median | fastest |\n| --- | --- | --- |")
    print(f"| `dockgen render` {count:,} presets (writes {2 * count:,} files) | {statistics.median(writes):.2f} s | "
          f"{min(writes):.2f} s |")
    print(f"| `dockgen render --check` {count:,} presets, all up to date | {statistics.median(checks):.2f} s | "
          f"{min(checks):.2f} s |\n")


def cookiecutter_comparison(runs: int, work: Path) -> None:
    """cookiecutter --no-input of the scaffold template against `dockgen render` of the preset it writes."""
    answers = ["framework=http", "package_manager=pnpm", "base=distroless", "port=8080", "timezone=Asia/Shanghai"]
    template = REPO / "templates" / "cookiecutter-node-service"
    out = work / "cookiecutter"
    cc_cmd = [*command("cookiecutter"), "--no-input", "--overwrite-if-exists", "-o", str(out), str(template),
              *answers]
    run_once(cc_cmd)
    project = next(out.iterdir())
    render = [*command("dockgen"), "render", str(project / "dockgen.yaml"), "--stdout"]
    repeats = max(runs // 4, 5)
    results = side_by_side({
        "cookiecutter --no-input (the scaffold template)": (cc_cmd, ENV),
        "dockgen render PROJECT/dockgen.yaml --stdout": (render, ENV),
    }, repeats)
    rendered = subprocess.run(render, capture_output=True, text=True, check=True, env=ENV).stdout
    same = (project / "Dockerfile").read_text() == rendered
    print(f"### The same Dockerfile through cookiecutter (median of {repeats})\n")
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
