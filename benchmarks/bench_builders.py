#!/usr/bin/env python3
"""The same app built by buildah and by Docker (BuildKit): the bytes each image adds above its runtime base,
counted two ways for both builders; prints a markdown table.

    sudo DOCKER_HOST=unix:///var/tmp/dockerd/docker.sock python benchmarks/bench_builders.py [--app express-app] [--base slim]

- layer tars: the uncompressed tar of each layer above the base (what `buildah inspect` and a registry count;
  for docker, from `docker save`);
- file bytes: the sizes of the files those layers hold (what `docker history` and `docker images` count;
  for buildah, the new or changed files of the image's root against the base's).

`dockgen verify` reports "above base" as its builder counts it: layer tars with buildah, file bytes with docker.
Needs root, buildah, a Docker daemon with the stand-ins (tests/e2e/standins.sh, standins_docker.sh). Not a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.dockerfile import without_syntax_directive  # noqa: E402
from generator.verify import BuildahBuilder, DockerBuilder, added_files, bytes_above, runtime_base  # noqa: E402
from tests.e2e.conftest import (CA_VOLUME, AppBuilder, docker_added_files, external_images,  # noqa: E402
                                load_into_docker)

DOCKER = "/usr/bin/docker"


def docker_layer_tars(ref: str, base_layers: int) -> int:
    """Bytes of the uncompressed layer tars above the first ``base_layers``, from `docker save`."""
    sizes: dict[str, int] = {}
    manifest: list = []
    with subprocess.Popen([DOCKER, "save", ref], stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            for member in archive:
                if member.name.endswith("layer.tar"):
                    sizes[member.name] = member.size
                elif member.name == "manifest.json":
                    manifest = json.load(archive.extractfile(member))  # type: ignore[arg-type]
    return sum(sizes[layer] for layer in manifest[0]["Layers"][base_layers:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="express-app")
    parser.add_argument("--base", default="slim")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory, _ = AppBuilder(Path(tmp)).prepare(args.app, base=args.base)
        text = (directory / "Dockerfile").read_text()
        base_ref = runtime_base(text)
        rows = []

        buildah = BuildahBuilder()
        tag = "localhost/dockgen-bench-builders:buildah"
        buildah.build(directory, directory / "Dockerfile", tag, None, [CA_VOLUME])
        try:
            image, base = buildah.inspect(tag), buildah.inspect(base_ref)
            with buildah.mounted(tag) as root, buildah.mounted(base_ref) as base_root:
                files = sum(added_files(root, base_root).values())
            rows.append(("buildah 1.28", bytes_above(image, base), files))
        finally:
            buildah.remove(tag)

        load_into_docker(DOCKER, external_images(text))
        docker = DockerBuilder(DOCKER, network="host")
        dockerfile = Path(tmp) / "Dockerfile.docker"
        dockerfile.write_text(without_syntax_directive(text))
        tag = "localhost/dockgen-bench-builders:docker"
        docker.build(directory, dockerfile, tag, None)
        try:
            image, base = docker.inspect(tag), docker.inspect(base_ref)
            assert image is not None and base is not None
            files_history = bytes_above(image, base)
            files_layers = sum(docker_added_files(DOCKER, tag, base_ref).values())
            rows.append(("docker 20.10 BuildKit", docker_layer_tars(tag, base.layers), files_history))
            print(f"(docker: file bytes from history {files_history}, from the overlay2 layers {files_layers})",
                  file=sys.stderr)
        finally:
            docker.remove(tag)

    print(f"| {args.app} on {args.base} | layer tars above base | file bytes above base |")
    print("| --- | --- | --- |")
    for name, tars, files in rows:
        print(f"| {name} | {tars:,} B | {files:,} B |")


if __name__ == "__main__":
    main()
