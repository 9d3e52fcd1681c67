#!/usr/bin/env python3
"""What the generated images cost, measured with real buildah builds; prints markdown tables.

    sudo python benchmarks/bench_images.py [--app npm-app] [--node 24]

1. Size: for each runtime base (full, slim, distroless) the bytes the image adds above its runtime base
   (the last FROM), by layer (uncompressed tar, what a pull transfers) and by file (sizes of the new or
   changed files), against the floor: the app's files plus its production node_modules, installed with
   npm on the host. The seed article's naive single-stage Dockerfile (FROM node + COPY . . + npm install)
   is built for comparison. Goal: above-base bytes <= 1.05 x floor.
2. Rebuild: a cold build (--no-cache) against a rebuild after a code-only change. Goal: ratio <= 0.3.

Needs root, buildah and the stand-in base images (tests/e2e/standins.sh builds them). Not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.model import preset_from_mapping  # noqa: E402
from generator.output import write_files  # noqa: E402
from generator.render import render  # noqa: E402
from generator.verify import BuildahBuilder, added_files, bytes_above, runtime_base, walk_files  # noqa: E402
from tests.e2e.fixtures import copy_app  # noqa: E402

CA_VOLUME = "/etc/ssl/certs:/etc/ssl/certs:ro"
NAIVE = """\
FROM node:{node}
WORKDIR /app
COPY . .
RUN npm install
CMD ["npm", "start"]
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def tree_bytes(root: Path) -> int:
    return sum(size for size, _ in walk_files(root, skip=()).values())


def floor_bytes(app: str, work: Path) -> tuple[int, int]:
    """(app files, production node_modules) in bytes, installed on the host with npm."""
    directory = copy_app(app, work / "floor")
    app_bytes = tree_bytes(directory)
    subprocess.run(["npm", "ci", "--omit=dev", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=directory,
                   check=True, capture_output=True)
    return app_bytes, tree_bytes(directory / "node_modules")


def measure(builder: BuildahBuilder, directory: Path, tag: str, no_cache: bool = False) -> dict:
    extra = ["--no-cache"] if no_cache else []
    build = builder.build(directory, directory / "Dockerfile", tag, None, [CA_VOLUME], extra)
    image = builder.inspect(tag)
    base_ref = runtime_base((directory / "Dockerfile").read_text())
    base = builder.inspect(base_ref)
    with builder.mounted(tag) as root, builder.mounted(base_ref) as base_root:
        added = added_files(root, base_root)
    app = sum(size for path, size in added.items() if path == "app" or path.startswith("app/"))
    return {"build": build, "image": image, "base": base_ref, "layers": bytes_above(image, base),
            "files": sum(added.values()), "app": app, "other": group_rest(added)}


def group_rest(added: dict[str, int]) -> list[str]:
    """Added bytes outside /app, by their first two path components, largest first."""
    groups: dict[str, int] = {}
    for path, size in added.items():
        if size and not (path == "app" or path.startswith("app/")):
            key = "/".join(path.split("/")[:3 if path.startswith("usr/") else 2])
            groups[key] = groups.get(key, 0) + size
    return [f"/{key} {size / 1000:,.1f} kB" for key, size in sorted(groups.items(), key=lambda kv: -kv[1])]


def kb(n: int | None) -> str:
    return "?" if n is None else f"{n / 1000:,.1f} kB"


def size_rows(builder: BuildahBuilder, app: str, node: int, work: Path, tags: list[str]) -> tuple[int, int, list]:
    """Build the app for every base and naively; measure what each image adds above its runtime base."""
    app_bytes, modules_bytes = floor_bytes(app, work / app)
    log(f"{app}: floor = app {app_bytes} B + production node_modules {modules_bytes} B")
    rows = []
    for base in ("full", "slim", "distroless"):
        directory = copy_app(app, work / app / f"gen-{base}")
        preset = preset_from_mapping({"package_manager": "npm", "base": base, "node_version": node}, "bench")
        write_files(render(preset).files, directory)
        tag = f"localhost/dockgen-bench-{app}-{base}:latest"
        tags.append(tag)
        log(f"building {app} on {base} ...")
        rows.append((f"dockgen {base}", measure(builder, directory, tag)))
    naive_dir = copy_app(app, work / app / "naive")
    (naive_dir / "Dockerfile").write_text(NAIVE.format(node=node))
    tags.append(f"localhost/dockgen-bench-{app}-naive:latest")
    log(f"building {app} naively ...")
    rows.append(("naive single-stage", measure(builder, naive_dir, tags[-1])))
    return app_bytes, modules_bytes, rows


def rebuild_times(builder: BuildahBuilder, directory: Path, work: Path, tags: list[str]):
    """A cold build against a rebuild after a code-only change of the same Dockerfile.

    Cold: --no-cache, and a private TMPDIR so buildah's RUN cache mounts (apt, npm) start empty too.
    """
    cold_tmp = work / "cold-tmp"
    cold_tmp.mkdir()
    saved_tmpdir = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(cold_tmp)
    try:
        log("cold build (slim, --no-cache, empty cache mounts) ...")
        tags.append("localhost/dockgen-bench-cold:latest")
        cold = builder.build(directory, directory / "Dockerfile", tags[-1], None, [CA_VOLUME], ["--no-cache"])
        index = directory / "index.js"
        index.write_text(index.read_text() + "\n// a code-only change\n")
        log("rebuild after a code-only change ...")
        tags.append("localhost/dockgen-bench-rebuild:latest")
        warm = builder.build(directory, directory / "Dockerfile", tags[-1], None, [CA_VOLUME])
    finally:
        if saved_tmpdir is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_tmpdir
    return cold, warm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", action="append", help="fixture app(s) under tests/e2e/apps "
                        "(default: npm-app, the tiny one, and express-app, a real framework)")
    parser.add_argument("--node", type=int, default=24)
    args = parser.parse_args()
    apps = args.app or ["npm-app", "express-app"]
    reason = BuildahBuilder.unavailable()
    if reason:
        print(f"bench_images: {reason}", file=sys.stderr)
        return 2
    builder = BuildahBuilder()
    tags: list[str] = []
    results = []
    with tempfile.TemporaryDirectory(prefix="dockgen-bench-") as tmp:
        work = Path(tmp)
        try:
            for app in apps:
                results.append((app, *size_rows(builder, app, args.node, work, tags)))
            cold, warm = rebuild_times(builder, work / apps[-1] / "gen-slim", work, tags)
        finally:
            for tag in tags:
                builder.remove(tag)

    for app, app_bytes, modules_bytes, rows in results:
        floor = app_bytes + modules_bytes
        print(f"## Image size: {app}, Node.js {args.node} (floor = app files {app_bytes:,} B "
              f"+ production node_modules {modules_bytes:,} B = {floor:,} B)\n")
        print("| Dockerfile | runtime base | image size | layers | above base (layers) | above base (files) "
              "| above base / floor | of which /app | the rest |")
        print("|---|---|---|---|---|---|---|---|---|")
        for label, m in rows:
            rest = ", ".join(m["other"][:4]) + (" ..." if len(m["other"]) > 4 else "") or "-"
            print(f"| {label} | {m['base']} | {m['image'].size / 1e6:,.1f} MB | {m['image'].layers} "
                  f"| {kb(m['layers'])} | {kb(m['files'])} | {m['files'] / floor:.3f}x | {kb(m['app'])} | {rest} |")
        print()
    ran = [s.text.split("  ")[0][:60] for s in warm.steps if not s.cached and not s.text.startswith("FROM")]
    cached = sum(s.cached for s in warm.steps)
    print(f"## Rebuild after a code-only change ({apps[-1]}, slim)\n")
    print("| cold build (--no-cache) | rebuild | ratio | steps cached | steps that ran |")
    print("|---|---|---|---|---|")
    print(f"| {cold.seconds:.1f} s | {warm.seconds:.1f} s | {warm.seconds / cold.seconds:.2f} | "
          f"{cached}/{len(warm.steps)} | {'; '.join(ran)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
