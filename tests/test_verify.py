"""Fast tests of `dockgen verify`'s logic: builder choice, image config parsing, build output parsing,
the report, and the CLI's exit codes. The real builds are in tests/e2e."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import builders, containers
from generator import verify as v
from generator.cli import cli
from generator.dockerfile import without_syntax_directive
from generator.errors import UserError

BUILDAH_INSPECT = {
    "FromImage": "localhost/app:latest",
    "FromImageID": "abc123",
    "Manifest": json.dumps({"layers": [{"size": 1000}, {"size": 200}, {"size": 30}]}),
    "OCIv1": {
        "config": {
            "Entrypoint": ["/usr/local/bin/tini", "--"],
            "Cmd": ["node", "index.js"],
            "User": "1000:1000",
            "WorkingDir": "/app",
            "Env": ["PATH=/usr/bin:/bin", "PORT=3000", "EMPTY"],
            "ExposedPorts": {"3000/tcp": {}, "9229/udp": {}},
        },
        "rootfs": {"diff_ids": ["sha256:a", "sha256:b", "sha256:c"]},
        "history": [{"created_by": "/bin/sh"}, {"created_by": "COPY . .", "comment": "FROM x"}],
    },
}

DOCKER_INSPECT = {
    "Id": "sha256:feed",
    "RepoTags": ["app:latest"],
    "Size": 5000,
    "Config": {"Entrypoint": None, "Cmd": ["node", "server.js"], "User": "node", "WorkingDir": "/srv",
               "Env": ["A=1=2"], "ExposedPorts": {"8080/tcp": {}}},
    "RootFS": {"Layers": ["sha256:a", "sha256:d"]},
}


def test_parse_buildah_inspect() -> None:
    info = v.parse_buildah_inspect(BUILDAH_INSPECT)
    assert info.argv == ["/usr/local/bin/tini", "--", "node", "index.js"]
    assert (info.user, info.workdir, info.id) == ("1000:1000", "/app", "abc123")
    assert info.exposed_ports == (3000,), "udp ports cannot be requested over HTTP"
    assert info.env_dict() == {"PATH": "/usr/bin:/bin", "PORT": "3000", "EMPTY": ""}
    assert (info.size, info.layers) == (1230, 3)
    assert info.history == ("/bin/sh", "COPY . . FROM x")


def test_parse_docker_inspect() -> None:
    info = v.parse_docker_inspect(DOCKER_INSPECT)
    assert info.argv == ["node", "server.js"]
    assert info.env_dict() == {"A": "1=2"}
    assert (info.exposed_ports, info.size, info.layers, info.user) == ((8080,), 5000, 2, "node")


def test_bytes_above_base_counts_layers_after_the_base() -> None:
    image = v.parse_buildah_inspect(BUILDAH_INSPECT)
    base = v.ImageInfo(ref="base", diff_ids=("sha256:a",), layer_sizes=(1000,))
    assert v.bytes_above(image, base) == 230
    assert v.bytes_above(image, None) is None
    # Layers that do not start with the base's (docker without layer sizes): size difference.
    other = v.ImageInfo(ref="x", diff_ids=("sha256:z",), reported_size=1100)
    assert v.bytes_above(image, other) == 130


@pytest.mark.parametrize(("text", "expected"), [
    ("FROM node:24 AS base\nFROM base AS deps\nFROM gcr.io/distroless/nodejs24-debian13:nonroot AS runtime\n",
     "gcr.io/distroless/nodejs24-debian13:nonroot"),
    ("FROM node:24-trixie-slim AS base\nRUN x\nFROM base AS runtime\nCMD [\"node\"]\n", "node:24-trixie-slim"),
    ("# syntax=docker/dockerfile:1\nfrom --platform=$BUILDPLATFORM node:24\n", "node:24"),
    ("FROM scratch\n", None),
    ("RUN true\n", None),
])
def test_runtime_base_follows_stage_names(text: str, expected: str | None) -> None:
    assert v.runtime_base(text) == expected


BUILDAH_OUTPUT = """\
[1/3] STEP 1/2: FROM node:24-trixie AS base
[1/3] STEP 2/2: WORKDIR /app
--> Using cache 67d207ad92a3a4293be68c103cf7b310998bbebe60ba60562dd7c80837bd11d7
--> 67d207ad92a
[3/3] STEP 1/4: FROM node:24-trixie-slim AS runtime
[3/3] STEP 2/4: COPY --from=deps /app/node_modules ./node_modules
[2/3] STEP 1/2: FROM 67d207ad92a AS deps
[2/3] STEP 2/2: RUN npm ci --omit=dev
--> Using cache 2a2e0ebfdf15a67a5af9a00cb33d1e302196fb58ca52df814e36932bcde5015c
--> 2a2e0ebfdf1
--> Using cache 333f6992c37639bee34a400e97aac80c5d7e3b7546ba8a1b1c6dd301f8b44e0c
--> 333f6992c37
[3/3] STEP 3/4: COPY . .
--> ca4341195a2
[3/3] STEP 4/4: CMD ["node", "index.js"]
[3/3] COMMIT localhost/x
--> acc2aa67ed7
"""

BUILDKIT_OUTPUT = """\
#5 [deps 2/3] COPY package.json package-lock.json ./
#5 CACHED
#6 [deps 3/3] RUN npm ci --omit=dev
#6 CACHED
#7 [runtime 4/6] COPY . .
#7 DONE 0.1s
"""


def test_parse_steps_buildah() -> None:
    steps = v.parse_steps(BUILDAH_OUTPUT.splitlines())
    # The deps stage is built in the middle of the runtime stage's COPY --from=deps: the second
    # "Using cache" belongs to that COPY, not to the RUN printed just before it.
    assert [(s.text, s.cached) for s in steps] == [
        ("FROM node:24-trixie AS base", False), ("WORKDIR /app", True),
        ("FROM node:24-trixie-slim AS runtime", False), ("COPY --from=deps /app/node_modules ./node_modules", True),
        ("FROM 67d207ad92a AS deps", False), ("RUN npm ci --omit=dev", True),
        ("COPY . .", False), ('CMD ["node", "index.js"]', False),
    ]


def test_parse_steps_buildkit() -> None:
    steps = v.parse_steps(BUILDKIT_OUTPUT.splitlines())
    assert [(s.text, s.cached) for s in steps] == [
        ("COPY package.json package-lock.json ./", True), ("RUN npm ci --omit=dev", True), ("COPY . .", False),
    ]


def test_lookup_user_through_the_image_passwd(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\nnode:x:1000:1001::/home/node:/bin/sh\n")
    (tmp_path / "etc" / "group").write_text("root:x:0:\nstaff:x:50:\n")
    assert v.lookup_user("node", tmp_path) == (1000, 1001)
    assert v.lookup_user("node:staff", tmp_path) == (1000, 50)
    assert v.lookup_user("65532:65532", tmp_path) == (65532, 65532)
    assert v.lookup_user("", tmp_path) == (0, 0)
    assert v.user_name(1000, tmp_path) == "node"
    with pytest.raises(v.VerifyFailed, match="no user 'app'"):
        v.lookup_user("app", tmp_path)


def _set_available(monkeypatch: pytest.MonkeyPatch, **available: bool) -> None:
    for name, cls in v.BUILDER_CLASSES.items():
        reason = None if available.get(name) else f"{name} missing"
        monkeypatch.setattr(cls, "unavailable", classmethod(lambda c, r=reason: r))


@pytest.mark.parametrize(("available", "chosen"), [
    ({"docker": True, "buildah": True, "podman": True}, "docker"),
    ({"buildah": True, "podman": True}, "buildah"),
    ({"podman": True}, "podman"),
])
def test_default_builder_order(monkeypatch: pytest.MonkeyPatch, available: dict, chosen: str) -> None:
    _set_available(monkeypatch, **available)
    assert v.choose_builder().name == chosen


def test_default_builder_says_why_it_passed_docker_over(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_available(monkeypatch, buildah=True)
    monkeypatch.setattr(v.DockerBuilder, "unavailable", classmethod(lambda c: "the docker 28 client has no buildx"))
    monkeypatch.setattr(v.BuildahBuilder, "unavailable", classmethod(lambda c: None))
    warnings: list[str] = []
    assert v.choose_builder(None, warnings).name == "buildah"
    assert warnings == ["not using docker: the docker 28 client has no buildx"]
    monkeypatch.setattr(v.DockerBuilder, "unavailable", classmethod(lambda c: "docker is not installed"))
    warnings.clear()
    v.choose_builder(None, warnings)
    assert warnings == [], "a builder that is not installed is no surprise"


def test_no_builder_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_available(monkeypatch)
    with pytest.raises(UserError, match="no container builder is available .*docker missing.*podman missing"):
        v.choose_builder()


def test_named_builder_must_be_available(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_available(monkeypatch, docker=True)
    with pytest.raises(UserError, match="builder buildah is not available: buildah missing"):
        v.choose_builder("buildah")


def test_build_volumes_from_env_text() -> None:
    assert v.parse_build_volumes("/a:/a:ro, /b:/b  /c:/c") == ["/a:/a:ro", "/b:/b", "/c:/c"]
    assert v.parse_build_volumes(None) == []


def _report(**changes) -> v.VerifyReport:
    fields = dict(builder="buildah", image="localhost/x:latest", base="node:24-trixie-slim", build_seconds=12.34,
                  image_size=334_922_240, base_size=334_191_104, above_base=731_136, layers=5, port=3000, path="/",
                  status=200, body="hello from npm-app\nsecond line", uid=1000, user="node", stop_seconds=0.012,
                  steps=[v.Step("RUN npm ci", True), v.Step("COPY . .", False)])
    fields.update(changes)
    return v.VerifyReport(**fields)


def test_report_lines() -> None:
    text = "\n".join(_report().lines())
    for expected in ("build time          12.3 s (1/2 steps cached)", "above base          731.1 kB (731136 B)",
                     "layers              5", "runs as             uid 1000 (node)",
                     "GET /               200 on port 3000: hello from npm-app",
                     "stop after SIGTERM  0.01 s", "runtime base        node:24-trixie-slim"):
        assert expected in text
    assert "second line" not in text
    assert "runs as             unknown" in "\n".join(_report(uid=None).lines())


def test_verify_without_dockerfile_is_a_user_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", str(tmp_path)])
    assert result.exit_code == 2
    assert "no Dockerfile here" in result.output and "Traceback" not in result.output


def test_verify_rejects_relative_path(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    with pytest.raises(UserError, match="not an absolute URL path"):
        v.verify(tmp_path, path="health")


def test_cli_failure_shows_the_tail_and_exits_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def failing(*args, **kwargs):
        raise v.VerifyFailed("buildah build failed with exit code 1 after 2.0 s", ["step 1", "npm ERR! 404"])

    monkeypatch.setattr(v, "verify", failing)
    result = CliRunner().invoke(cli, ["verify", str(tmp_path), "--builder", "buildah"])
    assert result.exit_code == 1
    assert "  | npm ERR! 404" in result.output
    assert "error: buildah build failed with exit code 1" in result.output


def test_cli_prints_the_report(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = {}

    def fake(directory, **kwargs):
        seen.update(kwargs, directory=directory)
        return _report()

    monkeypatch.setattr(v, "verify", fake)
    result = CliRunner().invoke(cli, ["verify", str(tmp_path), "--path", "/health", "--expect", "ok", "--keep",
                                      "--build-volume", "/etc/ssl/certs:/etc/ssl/certs:ro",
                                      "--secret", "id=npmrc,src=/home/me/.npmrc"])
    assert result.exit_code == 0, result.output
    assert "stop after SIGTERM" in result.output
    assert seen["path"] == "/health" and seen["expect"] == "ok" and seen["keep"] is True
    assert seen["volumes"] == ["/etc/ssl/certs:/etc/ssl/certs:ro"]
    assert seen["extra_build_args"] == ["--secret", "id=npmrc,src=/home/me/.npmrc"]


def test_buildah_build_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = []
    monkeypatch.delenv("BUILDAH_ISOLATION", raising=False)
    monkeypatch.setattr(builders, "stream",
                        lambda argv, on_line, env=None: (calls.append(argv) or (0, ["STEP 1/1: FROM x"])))
    result = v.BuildahBuilder().build(tmp_path, tmp_path / "Dockerfile", "t:1", None, ["/a:/a:ro"])
    argv = calls[0]
    assert argv[:2] == ["buildah", "bud"] and argv[-1] == str(tmp_path)
    for flag in ("--layers", "--pull=false", "--isolation"):
        assert flag in argv
    assert argv[argv.index("-v") + 1] == "/a:/a:ro" and argv[argv.index("-t") + 1] == "t:1"
    assert result.steps == [v.Step("FROM x", False)]


def test_failed_build_raises_with_tail(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lines = [f"line {i}" for i in range(100)]
    monkeypatch.setattr(builders, "stream", lambda argv, on_line, env=None: (1, lines))
    with pytest.raises(v.VerifyFailed) as info:
        v.BuildahBuilder().build(tmp_path, tmp_path / "Dockerfile", "t:1", None)
    assert info.value.tail == lines[-v.TAIL_LINES:]


def test_docker_refuses_build_volumes(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="cannot mount volumes"):
        v.DockerBuilder().build(tmp_path, tmp_path / "Dockerfile", "t", None, ["/a:/a"])


def test_added_files_compares_with_the_base(tmp_path: Path) -> None:
    base, image = tmp_path / "base", tmp_path / "image"
    for root in (base, image):
        (root / "usr").mkdir(parents=True)
        (root / "usr" / "same").write_text("x")
    for root in (base, image):
        os.utime(root / "usr" / "same", ns=(1, 1))
        os.utime(root / "usr", ns=(1, 1))
    (image / "app").mkdir()
    (image / "app" / "index.js").write_text("hello")
    (image / "proc").mkdir()
    (image / "proc" / "skipped").write_text("x")
    added = v.added_files(image, base)
    assert added == {"app": 0, "app/index.js": 5}


# --------------------------------------------------------------------------- layer sizes

DOCKER_HISTORY = """\
0\tCMD ["node" "index.js"]
0\tUSER 1000:1000
3164\tCOPY . . # buildkit
7030\tCOPY /app/node_modules ./node_modules # buildkit
0\tWORKDIR /app
225079\t/bin/sh
323570558\t/bin/sh
"""


def test_parse_docker_history_is_oldest_first_in_bytes() -> None:
    entries = v.parse_docker_history(DOCKER_HISTORY + "garbage line\n")
    assert [e.size for e in entries] == [323570558, 225079, 0, 7030, 3164, 0, 0]
    assert entries[3].created_by == "COPY /app/node_modules ./node_modules # buildkit"


def test_buildah_history_gets_the_manifest_layer_sizes() -> None:
    info = v.parse_buildah_inspect(BUILDAH_INSPECT | {"OCIv1": BUILDAH_INSPECT["OCIv1"] | {"history": [
        {"created_by": "/bin/sh"}, {"created_by": "/bin/sh -c #(nop) ENV A=1", "empty_layer": True},
        {"created_by": "/bin/sh -c #(nop) COPY dir:abc in ./node_modules "},
        {"created_by": "/bin/sh -c #(nop) COPY dir:def in . "}]}})
    assert [(e.size, e.empty) for e in info.entries] == [(1000, False), (0, True), (200, False), (30, False)]
    # A history that does not match the layers gives no sizes rather than wrong ones.
    odd = v.parse_buildah_inspect(BUILDAH_INSPECT)
    assert [e.size for e in odd.entries] == [None, None]


def _image(*sizes: int, names: tuple[str, ...] = ()) -> v.ImageInfo:
    names = names or tuple(f"step {i}" for i in range(len(sizes)))
    return v.ImageInfo(ref="x", entries=tuple(v.HistoryEntry(n, s) for n, s in zip(names, sizes)))


def test_own_entries_are_those_after_the_base() -> None:
    base = _image(100, 5)
    image = _image(100, 5, 0, 7, 3)
    assert [e.size for e in v.own_entries(image, base)] == [0, 7, 3]
    assert v.own_entries(image, None) == image.entries
    assert v.own_entries(image, _image(100, names=("other base",))) is None
    # docker: bytes above the base from the history when no layer sizes are known
    assert v.bytes_above(image, base) == 10


def test_layer_table_largest_first_named_by_the_dockerfile() -> None:
    entries = v.parse_docker_history(DOCKER_HISTORY)[2:]
    instructions = ["WORKDIR /app", "COPY --from=deps /app/node_modules ./node_modules", "COPY . .",
                    "USER 1000:1000", 'CMD ["node", "index.js"]']
    assert v.layer_table(entries, instructions) == [
        (7030, "COPY --from=deps /app/node_modules ./node_modules"), (3164, "COPY . ."),
    ]
    # Instructions that do not match the history one to one: the history's own words, cleaned.
    assert v.layer_table(entries, instructions[:2]) == [
        (7030, "COPY /app/node_modules ./node_modules"), (3164, "COPY . ."),
    ]


@pytest.mark.parametrize(("created_by", "label"), [
    ("/bin/sh -c #(nop) COPY dir:f1fa in . ", "COPY dir:f1fa in ."),
    ("RUN |2 A=1 B= /bin/sh -c npm ci # buildkit", "RUN /bin/sh -c npm ci"),
    ("ENV NODE_ENV=production     PORT=3000", "ENV NODE_ENV=production PORT=3000"),
    ("RUN " + "x" * 100, "RUN " + "x" * 65 + "..."),
])
def test_instruction_label(created_by: str, label: str) -> None:
    assert v.instruction_label(created_by) == label


def test_runtime_instructions_follow_the_stage_chain() -> None:
    text = ("# syntax=docker/dockerfile:1\nFROM node:24 AS build\nRUN make\n"
            "FROM node:24-slim AS base\nARG X\nWORKDIR /app\nFROM base AS runtime\n"
            "COPY --from=build /out \\\n    ./out\nCMD [\"node\"]\n")
    assert v.runtime_instructions(text) == ["WORKDIR /app", "COPY --from=build /out ./out", 'CMD ["node"]']
    assert v.runtime_instructions("RUN x\n") == []


def test_report_prints_the_layer_table() -> None:
    lines = _report(layer_rows=[(2_400_000, "COPY --from=deps /app/node_modules ./node_modules"), (512, "COPY . .")],
                    own_instructions=9).lines()
    assert lines[-3] == "layer sizes         2 of 9 instructions above the base added bytes, largest first:"
    assert lines[-2:] == ["     2.4 MB  COPY --from=deps /app/node_modules ./node_modules", "      512 B  COPY . ."]
    assert not any("layer sizes" in line for line in _report().lines())


# --------------------------------------------------------------------------- docker: BuildKit, network, syntax


def _fake_docker(tmp_path: Path, version: str, buildx: bool) -> str:
    cli = tmp_path / "docker"
    cli.write_text("#!/bin/sh\n"
                   f'if [ "$1" = version ]; then echo {version}; exit 1; fi\n'
                   f'if [ "$1" = buildx ]; then exit {0 if buildx else 1}; fi\n'
                   'echo "$@" >> "$0.calls"\n')
    cli.chmod(0o755)
    return str(cli)


@pytest.mark.parametrize(("version", "buildx", "env", "legacy"), [
    ("28.2.2", False, {}, "has no buildx plugin"),
    ("28.2.2", True, {}, None),
    ("23.0.0", False, {"DOCKER_BUILDKIT": "1"}, "has no buildx plugin"),
    ("20.10.24+dfsg1", False, {}, None),  # before 23: BuildKit built into the client (verify sets DOCKER_BUILDKIT=1)
    ("20.10.24+dfsg1", False, {"DOCKER_BUILDKIT": "0"}, "DOCKER_BUILDKIT=0 selects docker's legacy builder"),
    ("28.2.2", True, {"DOCKER_BUILDKIT": "false"}, "DOCKER_BUILDKIT=false"),
])
def test_legacy_builder_is_detected(tmp_path: Path, version: str, buildx: bool, env: dict, legacy: str | None) -> None:
    reason = builders.legacy_builder_reason(_fake_docker(tmp_path, version, buildx), env)
    if legacy is None:
        assert reason is None
    else:
        assert legacy in reason and "RUN --mount" in reason and "\n" not in reason


def test_docker_build_stops_before_a_legacy_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cli = _fake_docker(tmp_path, "28.2.2", buildx=False)
    with pytest.raises(UserError, match="install buildx"):
        v.DockerBuilder(cli).build(tmp_path, tmp_path / "Dockerfile", "t", None)
    assert not Path(cli + ".calls").exists(), "docker build ran anyway"


def test_docker_build_command_with_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = []
    monkeypatch.delenv("DOCKER_BUILDKIT", raising=False)
    monkeypatch.setattr(builders, "stream", lambda argv, on_line, env=None: (calls.append((argv, env)) or (0, [])))
    cli = _fake_docker(tmp_path, "20.10.24", buildx=False)
    v.DockerBuilder(cli, network="host").build(tmp_path, tmp_path / "Dockerfile.test", "t:1", None,
                                               extra=["--secret", "id=npmrc,src=/x"])
    argv, env = calls[0]
    assert argv == [cli, "build", "-f", str(tmp_path / "Dockerfile.test"), "-t", "t:1", "--network", "host",
                    "--secret", "id=npmrc,src=/x", str(tmp_path)]
    assert env["DOCKER_BUILDKIT"] == "1" and env["BUILDKIT_PROGRESS"] == "plain"


@pytest.mark.parametrize(("network", "expected"), [
    ("host", ["--network", "host"]),
    (None, ["-p", "127.0.0.1:{port}:3000"]),
    ("ci", ["--network", "ci", "-p", "127.0.0.1:{port}:3000"]),
])
def test_docker_run_on_the_host_network(monkeypatch: pytest.MonkeyPatch, network: str | None, expected: list) -> None:
    calls = []
    monkeypatch.setattr(containers, "_run", lambda argv, **kw: calls.append(argv) or
                        subprocess.CompletedProcess(argv, 0, "", ""))
    monkeypatch.setattr(containers, "port_free", lambda port: True)
    running = v.CliContainer("docker", "img:1", 3000, network)
    argv = calls[0]
    assert argv[:3] == ["docker", "run", "-d"] and argv[-1] == "img:1"
    assert argv[5:-1] == [part.format(port=running.port) for part in expected]
    assert running.rootfs is None  # no MergedDir answered


def test_docker_run_on_the_host_network_moves_a_taken_port(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(containers, "_run", lambda argv, **kw: calls.append(argv) or
                        subprocess.CompletedProcess(argv, 0, "", ""))
    monkeypatch.setattr(containers, "port_free", lambda port: False)
    running = v.CliContainer("docker", "img:1", 3000, "host")
    assert running.port != 3000 and calls[0][5:-1] == ["--network", "host", "-e", f"PORT={running.port}"]


def test_cli_passes_file_and_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = {}
    monkeypatch.setattr(v, "verify", lambda directory, **kwargs: seen.update(kwargs) or _report())
    result = CliRunner().invoke(cli, ["verify", str(tmp_path), "--network", "host", "-f", str(tmp_path / "D")])
    assert result.exit_code == 0, result.output
    assert seen["network"] == "host" and seen["dockerfile"] == tmp_path / "D"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"network": "host; rm -rf /"}, "--network: 'host; rm -rf /' is not a network name"),
    ({"dockerfile": "missing/Dockerfile"}, "--file: missing/Dockerfile is not a file"),
])
def test_verify_rejects_bad_file_and_network(tmp_path: Path, kwargs: dict, message: str) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    with pytest.raises(UserError) as info:
        v.verify(tmp_path, builder="buildah", **kwargs)
    assert message in str(info.value)


GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("preset", sorted(p.name for p in GOLDEN.iterdir() if (p / "Dockerfile").is_file()))
def test_syntax_directive_is_the_only_difference(preset: str) -> None:
    """The file the docker e2e builds (no `# syntax`, so no frontend pull) is byte for byte what users get,
    minus that one line: generated files keep the directive, which pins the Dockerfile frontend for users."""
    text = (GOLDEN / preset / "Dockerfile").read_text()
    lines = text.splitlines(keepends=True)
    assert lines[0] == "# syntax=docker/dockerfile:1\n"
    assert without_syntax_directive(text) == "".join(lines[1:])


@pytest.mark.parametrize(("text", "expected"), [
    ("# escape=`\n#syntax = docker/dockerfile:1.7\nFROM x\n", "# escape=`\nFROM x\n"),
    ("FROM x\n# syntax=docker/dockerfile:1\n", "FROM x\n# syntax=docker/dockerfile:1\n"),  # not a directive there
    ("# a comment\n# syntax=docker/dockerfile:1\nFROM x\n", "# a comment\n# syntax=docker/dockerfile:1\nFROM x\n"),
    ("# syntax=docker/dockerfile:1\r\nFROM x\r\n", "FROM x\r\n"),
    ("FROM x\n", "FROM x\n"),
])
def test_without_syntax_directive(text: str, expected: str) -> None:
    assert without_syntax_directive(text) == expected
