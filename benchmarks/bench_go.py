#!/usr/bin/env python3
"""What dockgen's Go images cost, measured with real buildah builds; prints markdown tables.

    sudo python benchmarks/bench_go.py [--app go-mod-app] [--go 1.27]

1. Size: for distroless and scratch (and scratch with a time zone, which embeds the tz database), the
   bytes each image adds above its runtime base, by layer and by file, against the floor: the binary
   itself. Goal: above-base bytes <= 1.05 x the binary on distroless.
2. docker init's Go Dockerfile side by side: its build command (`CGO_ENABLED=0 go build -o /bin/server .`,
   no -trimpath, symbols and DWARF kept) on the same golang image, and its runtime (alpine + apk
   ca-certificates tzdata + an adduser layer). Its exact text cannot build under buildah 1.28 (relative
   bind-mount targets) and no alpine image or apk repository is reachable here, so the binary is measured
   with the same build command (COPY instead of the bind mounts) and the alpine runtime is reported as not
   measured.
3. Rebuild: a cold build (--no-cache, empty cache mounts) against a rebuild after a code-only change.

Needs root, buildah and the stand-in images (tests/e2e/standins_go.sh builds them). Not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.model import preset_from_mapping  # noqa: E402
from generator.output import write_files  # noqa: E402
from generator.render import render  # noqa: E402
from generator.verify import BuildahBuilder, added_files, bytes_above, runtime_base  # noqa: E402
from tests.e2e.fixtures import copy_app  # noqa: E402
from tests.e2e.goproxy import build_tree, serve  # noqa: E402

CA_VOLUME = "/etc/ssl/certs:/etc/ssl/certs:ro"
#: docker init's Go Dockerfile (its template as of 2025), for reference: what the adapted build below measures.
DOCKER_INIT = """\
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
RUN --mount=type=cache,target=/go/pkg/mod/ \\
    --mount=type=bind,source=go.sum,target=go.sum \\
    --mount=type=bind,source=go.mod,target=go.mod \\
    go mod download -x
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod/ \\
    --mount=type=bind,target=. \\
    CGO_ENABLED=0 GOARCH=$TARGETARCH go build -o /bin/server .
FROM alpine:latest AS final
RUN --mount=type=cache,target=/var/cache/apk apk --update add ca-certificates tzdata && update-ca-certificates
ARG UID=10001
RUN adduser --disabled-password --gecos "" --home "/nonexistent" --shell "/sbin/nologin" --no-create-home \\
    --uid "${UID}" appuser
USER appuser
COPY --from=build /bin/server /bin/
EXPOSE 8080
ENTRYPOINT [ "/bin/server" ]
"""
#: The same build command, buildable by buildah 1.28 (COPY for the bind mounts); the binary alone is kept.
DOCKER_INIT_BUILD = """\
FROM golang:{go}-trixie AS build
WORKDIR /src
COPY go.mod go.sum* ./
RUN --mount=type=cache,target=/go/pkg/mod/ {goproxy}go mod download -x
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod/ {goproxy}CGO_ENABLED=0 go build -o /bin/server .
FROM scratch
COPY --from=build /bin/server /server
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def kb(n: int | None) -> str:
    return "?" if n is None else f"{n / 1000:,.1f} kB"


def measure(builder: BuildahBuilder, directory: Path, tag: str, no_cache: bool = False) -> dict:
    build = builder.build(directory, directory / "Dockerfile", tag, None, [CA_VOLUME], ["--no-cache"] if no_cache else [])
    image = builder.inspect(tag)
    base_ref = runtime_base((directory / "Dockerfile").read_text())
    base = builder.inspect(base_ref) if base_ref else None
    with builder.mounted(tag) as root:
        if base_ref:
            with builder.mounted(base_ref) as base_root:
                added = added_files(root, base_root)
        else:
            with tempfile.TemporaryDirectory() as empty:
                added = added_files(root, Path(empty))
    layers = bytes_above(image, base) if base else sum(image.layer_sizes)
    binary = added.get("app") or added.get("server") or 0
    return {"build": build, "image": image, "base": base_ref or "scratch", "layers": layers,
            "files": sum(added.values()), "binary": binary,
            "rest": sorted(((p, s) for p, s in added.items() if p not in ("app", "server") and s), key=lambda x: -x[1])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", default="go-mod-app", help="Go fixture app under tests/e2e/apps")
    parser.add_argument("--go", default="1.27")
    args = parser.parse_args()
    reason = BuildahBuilder.unavailable()
    if reason:
        print(f"bench_go: {reason}", file=sys.stderr)
        return 2
    builder = BuildahBuilder()
    tags: list[str] = []
    rows = []
    with tempfile.TemporaryDirectory(prefix="dockgen-bench-go-") as tmp, serve(build_tree(Path(tmp) / "proxy")) as proxy:
        work = Path(tmp)
        keys = {"language": "go", "go_version": args.go, "registry_mirror": proxy}
        try:
            for label, extra in (("dockgen distroless", {"base": "distroless"}),
                                 ("dockgen scratch", {"base": "scratch"}),
                                 ("dockgen scratch + timezone", {"base": "scratch", "timezone": "Asia/Shanghai"})):
                directory = copy_app(args.app, work / label.replace(" ", "-").replace("+", ""))
                write_files(render(preset_from_mapping({**keys, **extra}, "bench")).files, directory)
                tags.append(f"localhost/dockgen-bench-go-{len(tags)}:latest")
                log(f"building {label} ...")
                rows.append((label, measure(builder, directory, tags[-1])))
            directory = copy_app(args.app, work / "docker-init")
            (directory / "Dockerfile").write_text(DOCKER_INIT_BUILD.format(go=args.go, goproxy=f"GOPROXY={proxy} "))
            tags.append("localhost/dockgen-bench-go-docker-init:latest")
            log("building docker init's binary ...")
            docker_init = measure(builder, directory, tags[-1])

            # rebuild: cold (no layer cache, empty cache mounts) against a code-only change
            directory = work / "dockgen-distroless"
            saved = os.environ.get("TMPDIR")
            cold_tmp = work / "cold-tmp"
            cold_tmp.mkdir()
            os.environ["TMPDIR"] = str(cold_tmp)
            try:
                tags.append("localhost/dockgen-bench-go-cold:latest")
                log("cold build (--no-cache, empty cache mounts) ...")
                cold = builder.build(directory, directory / "Dockerfile", tags[-1], None, [CA_VOLUME], ["--no-cache"])
            finally:
                if saved is None:
                    os.environ.pop("TMPDIR", None)
                else:
                    os.environ["TMPDIR"] = saved
            # The rebuild runs with the usual TMPDIR, after one build of the unchanged code there: buildah 1.28
            # missed the COPY cache right after a --no-cache build under another TMPDIR (seen here).
            tags.append("localhost/dockgen-bench-go-again:latest")
            builder.build(directory, directory / "Dockerfile", tags[-1], None, [CA_VOLUME])
            (directory / "main.go").write_text((directory / "main.go").read_text() + "\n// a code-only change\n")
            tags.append("localhost/dockgen-bench-go-warm:latest")
            log("rebuild after a code-only change ...")
            warm = builder.build(directory, directory / "Dockerfile", tags[-1], None, [CA_VOLUME])
        finally:
            for tag in tags:
                builder.remove(tag)

    floor = rows[0][1]["binary"]
    print(f"## Image size: {args.app}, Go {args.go} (floor = the binary, {floor:,} B)\n")
    print("| Dockerfile | runtime base | image size | above base (layers) | above base (files) | above base / binary "
          "| binary | the rest |")
    print("|---|---|---|---|---|---|---|---|")
    for label, m in rows:
        rest = ", ".join(f"/{p} {kb(s)}" for p, s in m["rest"][:3]) or "-"
        print(f"| {label} | {m['base']} | {m['image'].size / 1e6:,.2f} MB | {kb(m['layers'])} | {kb(m['files'])} "
              f"| {m['files'] / m['binary']:.3f}x | {kb(m['binary'])} | {rest} |")
    print(f"| docker init (build command measured) | alpine:latest (not measurable here: no alpine image, no apk) "
          f"| ? | ? | ? | ? | {kb(docker_init['binary'])} | + alpine, ca-certificates, tzdata, adduser layer |")
    print(f"\ndocker init's binary is {docker_init['binary'] / floor:.2f}x dockgen's "
          "(no -trimpath, symbol table and DWARF kept).\n")
    ran = [s.text.split("  ")[0][:60] for s in warm.steps if not s.cached and not s.text.startswith("FROM")]
    print(f"## Rebuild after a code-only change ({args.app}, distroless)\n")
    print("| cold build (--no-cache) | rebuild | ratio | steps cached | steps that ran |")
    print("|---|---|---|---|---|")
    print(f"| {cold.seconds:.1f} s | {warm.seconds:.1f} s | {warm.seconds / cold.seconds:.2f} | "
          f"{sum(s.cached for s in warm.steps)}/{len(warm.steps)} | {'; '.join(ran)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
