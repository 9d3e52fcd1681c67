"""End-to-end fixtures: stand-in base images, building fixture apps through `generator.verify` with buildah
and with Docker (BuildKit), and looking inside the running containers.

The e2e tests run wherever their prerequisites are (root, buildah, debootstrap, unshare, npm; for the docker
variants a Docker daemon and a client that builds with BuildKit) and skip with the reason where they are not
(a developer laptop); with ``CI`` set a missing prerequisite is a failure, not a skip. To leave them out on a
machine that has buildah: ``python -m pytest -m "not e2e"``.

Builders: the ``app_builder`` fixture is parametrized by builder (test ids ``[buildah-...]``, ``[docker-...]``).
Every test runs on buildah. On docker run the tests (or parameters) marked ``@pytest.mark.both_builders``, a
set that covers every branch of the templates; ``both_builders(where=lambda params: ...)`` narrows a
parametrized test to the parameters it returns True for. ``DOCKGEN_E2E_DOCKER=all`` runs everything on docker
too; ``DOCKGEN_E2E_BUILDERS=buildah`` (or ``docker``) runs one builder only.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from generator.model import preset_from_mapping
from generator.output import write_files
from generator.render import render
from generator.dockerfile import stages as dockerfile_stages
from generator.dockerfile import without_syntax_directive
from generator.verify import (STOP_LIMIT, BuildahBuilder, Builder, BuildResult, DockerBuilder, ImageInfo, Running,
                              VerifyFailed, VerifyReport, added_files, free_port, verify)

from .fixtures import copy_app

E2E_DIR = Path(__file__).parent
REPO = E2E_DIR.parent.parent
#: The machine's CA bundle, mounted into RUN steps by this harness only (never by the Dockerfile).
CA_VOLUME = "/etc/ssl/certs:/etc/ssl/certs:ro"
NODE_MAJORS = ("24", "26")
TOOLS = ("buildah", "debootstrap", "unshare", "npm")
E2E_BUILDERS = ("buildah", "docker")
#: Which builders run (comma-separated; default both) and whether docker runs every test ("all") or the
#: covering set marked both_builders ("cover", the default).
BUILDERS_ENV = "DOCKGEN_E2E_BUILDERS"
DOCKER_SET_ENV = "DOCKGEN_E2E_DOCKER"
#: Docker clients to try, in order: DOCKGEN_DOCKER, Debian's (BuildKit built in), whatever is on PATH.
DOCKER_CLIENTS = (os.environ.get("DOCKGEN_DOCKER", ""), "/usr/bin/docker", "docker")
#: Builds and containers on the host network: with the daemon's bridge off (as in CI here) that is the only
#: one, and tests may send traffic to loopback only.
DOCKER_NETWORK = "host"

LOCKFILES = {"npm": "package-lock.json", "yarn": "yarn.lock", "pnpm": "pnpm-lock.yaml"}
#: Package manager caches that must never reach a final image.
CACHE_PATHS = ("root/.npm", "root/.cache", "usr/local/share/.cache/yarn", "root/.yarn/berry/cache",
               "pnpm/store", "root/.local/share/pnpm", "app/.yarn/cache", "app/.pnpm-store")


@dataclass
class Stats:
    builds: int = 0
    standins_seconds: float | None = None
    #: Loading the stand-ins into the Docker daemon (standins_docker.sh), summed over the run.
    docker_standins_seconds: float = 0.0
    #: (builder, label, build seconds, seconds in verify: build, run, checks)
    builds_log: list[tuple[str, str, float, float]] = field(default_factory=list)


STATS = Stats()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def missing_prerequisites() -> list[str]:
    missing = [] if os.geteuid() == 0 else ["root"]
    return missing + [tool for tool in TOOLS if shutil.which(tool) is None]


def selected_builders() -> tuple[str, ...]:
    names = [n.strip() for n in os.environ.get(BUILDERS_ENV, ",".join(E2E_BUILDERS)).split(",") if n.strip()]
    unknown = [n for n in names if n not in E2E_BUILDERS]
    if unknown or not names:
        raise pytest.UsageError(f"{BUILDERS_ENV}={os.environ.get(BUILDERS_ENV)!r}: allowed: buildah, docker "
                                "(comma-separated)")
    return tuple(names)


def docker_runs_everything() -> bool:
    value = os.environ.get(DOCKER_SET_ENV, "cover")
    if value not in ("cover", "all"):
        raise pytest.UsageError(f"{DOCKER_SET_ENV}={value!r}: allowed: cover, all")
    return value == "all"


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "both_builders(where=None): an e2e test that runs under Docker (BuildKit) "
                            "as well as buildah; where(params) -> bool picks the parameters that do")


def runs_on(item: Any, builder: str) -> bool:
    """Whether ``item`` (a test using ``app_builder``) runs with ``builder``."""
    if builder not in selected_builders():
        return False
    if builder == "buildah" or docker_runs_everything():
        return True
    mark = item.get_closest_marker("both_builders")
    if mark is None:
        return False
    where = mark.kwargs.get("where")
    params = {k: v for k, v in item.callspec.params.items() if k != "app_builder"}
    return where is None or bool(where(params))


def pytest_collection_modifyitems(config: Any, items: list) -> None:
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        builder = callspec.params.get("app_builder") if callspec else None
        (drop if builder in E2E_BUILDERS and not runs_on(item, builder) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if STATS.standins_seconds is None and not STATS.builds:
        return
    terminalreporter.section("dockgen e2e")
    if STATS.standins_seconds is not None:
        terminalreporter.write_line(f"stand-in images: {STATS.standins_seconds:.1f} s")
    if STATS.docker_standins_seconds:
        terminalreporter.write_line(f"stand-ins loaded into docker: {STATS.docker_standins_seconds:.1f} s")
    for builder, label, seconds, _ in STATS.builds_log:
        terminalreporter.write_line(f"  build {builder} {label}: {seconds:.1f} s")
    for builder in E2E_BUILDERS:
        runs = [entry for entry in STATS.builds_log if entry[0] == builder]
        if runs:
            terminalreporter.write_line(
                f"e2e builds on {builder}: {len(runs)}, {sum(r[2] for r in runs):.1f} s building, "
                f"{sum(r[3] for r in runs):.1f} s with running and checks")
    terminalreporter.write_line(f"e2e builds: {STATS.builds}")


@pytest.fixture(scope="session")
def standins() -> None:
    """Stand-in base images under the real names (built once, cached across runs by the script)."""
    missing = missing_prerequisites()
    if missing:
        message = f"e2e needs {', '.join(missing)} (apt-get install buildah debootstrap npm; run as root)"
        if in_ci():
            pytest.fail(f"CI is set but {message}", pytrace=False)
        pytest.skip(message)
    # Every test session holds this lock shared while it builds; only a session that finds itself alone
    # prunes, since pruning removes the cached layers another session's build may be reading ("layer not known").
    cache = Path(os.environ.get("DOCKGEN_E2E_CACHE", "/var/cache/dockgen-e2e"))
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".sessions-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        start = time.monotonic()
        proc = subprocess.run(["bash", str(E2E_DIR / "standins.sh"), *NODE_MAJORS], cwd=REPO,
                              capture_output=True, text=True)
        STATS.standins_seconds = time.monotonic() - start
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
            pytest.fail(f"standins.sh failed with exit code {proc.returncode}:\n{tail}", pytrace=False)
        yield
        # Keep the stand-ins; drop the dangling layers the builds left behind, unless another session builds.
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return
        subprocess.run(["buildah", "rmi", "--prune"], capture_output=True)


def skip_or_fail(message: str) -> None:
    if in_ci():
        pytest.fail(f"CI is set but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def docker_cli(standins: None) -> str:
    """A docker client that builds with BuildKit and reaches its daemon (DOCKER_HOST)."""
    if "docker" not in selected_builders():
        pytest.skip(f"{BUILDERS_ENV} leaves docker out")
    reasons = []
    for cli in dict.fromkeys(c for c in DOCKER_CLIENTS if c):
        problem = DockerBuilder.client_problem(cli)
        if problem is None:
            return shutil.which(cli) or cli
        reasons.append(problem)
    skip_or_fail("the docker e2e variants need a Docker daemon and a client with BuildKit (.ci/run starts one; "
                 f"DOCKER_HOST={os.environ.get('DOCKER_HOST', 'unset')}): " + "; ".join(reasons))
    raise AssertionError("unreachable")


#: Images already loaded into the daemon during this session.
_DOCKER_LOADED: set[str] = set()


def external_images(dockerfile_text: str) -> list[str]:
    """The images a Dockerfile builds FROM or copies --from, not counting its own stages."""
    found: list[str] = []
    names: set[str] = set()
    for stage in dockerfile_stages(dockerfile_text):
        refs = [stage.base] + [word.split("=", 1)[1] for i in stage.all("COPY") for word in i.value.split()
                               if word.startswith("--from=")]
        for ref in refs:
            if ref.lower() not in names and ref.lower() != "scratch" and not ref.isdigit() and ref not in found:
                found.append(ref)
        if stage.name:
            names.add(stage.name.lower())
    return found


def load_into_docker(cli: str, images: list[str]) -> None:
    """The stand-ins ``images`` in the daemon, loaded from buildah's storage where missing or outdated."""
    todo = [image for image in images if image not in _DOCKER_LOADED]
    if not todo:
        return
    start = time.monotonic()
    proc = subprocess.run(["bash", str(E2E_DIR / "standins_docker.sh"), *todo], cwd=REPO, capture_output=True,
                          text=True, env={**os.environ, "DOCKGEN_DOCKER": cli})
    STATS.docker_standins_seconds += time.monotonic() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        pytest.fail(f"standins_docker.sh failed with exit code {proc.returncode}:\n{tail}", pytrace=False)
    _DOCKER_LOADED.update(todo)


@dataclass
class Built:
    report: VerifyReport
    build: BuildResult
    preset: Any
    checks: dict[str, Any]


class AppBuilder:
    """Render a preset into a copy of a fixture app, then build, run and check it with `verify`, with buildah
    (the CA bundle mounted into RUN steps) or docker (BuildKit, host network, stand-ins with the bundle baked
    in, the Dockerfile built without its `# syntax` line: see :meth:`docker_dockerfile`)."""

    def __init__(self, tmp_path: Path, builder: str = "buildah", docker_cli: str | None = None):
        self.tmp_path = tmp_path
        self.name = builder
        self.builder: Builder = (DockerBuilder(docker_cli, network=DOCKER_NETWORK) if builder == "docker"
                                 else BuildahBuilder())

    @property
    def docker(self) -> bool:
        return self.name == "docker"

    def prepare(self, app: str, **preset: Any) -> tuple[Path, Any]:
        directory = copy_app(app, self.tmp_path / f"{app}-{uuid.uuid4().hex[:6]}")
        if preset.get("language", "node") == "node":
            pm = preset.setdefault("package_manager", "npm")
            preset.setdefault("lockfile", (directory / LOCKFILES[pm]).exists())
        model = preset_from_mapping(preset, f"e2e:{app}")
        write_files(render(model).files, directory)
        return directory, model

    def docker_dockerfile(self, directory: Path) -> Path:
        """The Dockerfile docker builds: the user's, minus its `# syntax` line (BuildKit would pull the
        frontend from a registry, which is unreachable here), outside the build context so the context is
        exactly the user's. Asserts that the one line is the only difference."""
        text = (directory / "Dockerfile").read_text()
        built = without_syntax_directive(text)
        lines = text.splitlines(keepends=True)
        if built != text:
            assert lines[0].startswith("# syntax=") and built == "".join(lines[1:]), "the docker build would differ"
        path = self.tmp_path / f"{directory.name}.docker.Dockerfile"
        path.write_text(built)
        return path

    def verify(self, directory: Path, label: str, *, expect: str | None = None, keep: bool = False,
               tag: str | None = None, inspect: Callable[[Running, ImageInfo, dict], None] | None = None,
               build_args: tuple[str, ...] = ()) -> Built:
        builds: list[BuildResult] = []
        checks: dict[str, Any] = {}
        output: list[str] = []

        def while_running(running: Running, image: ImageInfo) -> None:
            checks["uid"] = running.app_uid()
            if inspect:
                inspect(running, image, checks)

        dockerfile = None
        if self.docker:
            assert isinstance(self.builder, DockerBuilder)
            load_into_docker(self.builder.cli, external_images((directory / "Dockerfile").read_text()))
            dockerfile = self.docker_dockerfile(directory)
        STATS.builds += 1
        start = time.monotonic()
        # port: a free one of its own rather than the app's 3000, since other test sessions share the host network
        try:
            report = verify(directory, builder=self.builder, expect=expect, keep=keep, tag=tag,
                            volumes=[] if self.docker else [CA_VOLUME], timeout=60, on_output=output.append,
                            extra_build_args=build_args, dockerfile=dockerfile, port=free_port(),
                            while_running=while_running, build_hook=builds.append)
        except VerifyFailed as exc:
            pytest.fail(f"{self.name} {label}: {exc.message}\n" + "\n".join(exc.tail), pytrace=False)
        STATS.builds_log.append((self.name, label, report.build_seconds, time.monotonic() - start))
        print("\n".join(report.lines()))
        return Built(report=report, build=builds[0], preset=None, checks=checks)

    def image_metadata(self, image: ImageInfo) -> str:
        """The image's config and history as the builder shows them: where a leaked setting would show."""
        if isinstance(self.builder, DockerBuilder):
            cli = self.builder.cli
            return "\n".join(subprocess.run(argv, capture_output=True, text=True, check=True).stdout for argv in (
                [cli, "image", "inspect", image.id], [cli, "history", "--no-trunc", image.id]))
        return subprocess.run(["buildah", "inspect", "--type", "image", image.id], capture_output=True, text=True,
                              check=True).stdout


@pytest.fixture(params=E2E_BUILDERS)
def app_builder(request: Any, standins: None, tmp_path: Path) -> AppBuilder:
    if request.param == "docker":
        return AppBuilder(tmp_path, "docker", request.getfixturevalue("docker_cli"))
    return AppBuilder(tmp_path)


def build_twice(app_builder: AppBuilder, directory: Path, label: str, expect: str, change: Callable[[], None],
                expect_after: str | None = None) -> tuple[Built, Built]:
    """Build ``directory``, apply ``change`` to it, build again (the first image kept meanwhile, so its layers
    are the cache), and return both builds."""
    tag = f"localhost/dockgen-e2e-{label.replace('/', '-')}-{app_builder.name}:{uuid.uuid4().hex[:8]}"
    first = app_builder.verify(directory, f"{label}/cold", expect=expect, keep=True, tag=tag)
    try:
        change()
        second = app_builder.verify(directory, f"{label}/changed", expect=expect_after or expect)
    finally:
        app_builder.builder.remove(tag)
    return first, second


def steps(built: Built, prefix: str, containing: str = "") -> list[Any]:
    """The build steps of ``built`` whose instruction starts with ``prefix`` (and contains ``containing``)."""
    return [s for s in built.build.steps if s.text.startswith(prefix) and containing in s.text]


def image_audit(builder: Builder, running: Running, image: ImageInfo, base_ref: str | None) -> dict[str, Any]:
    """What the image's own layers added on top of its base (None: FROM scratch, everything), by file
    (path -> size)."""
    if isinstance(builder, DockerBuilder):
        return {"added": docker_added_files(builder.cli, image.id, base_ref)}
    assert running.rootfs is not None and isinstance(builder, BuildahBuilder)
    if base_ref is None:
        with tempfile.TemporaryDirectory() as empty:
            return {"added": added_files(running.rootfs, Path(empty))}
    with builder.mounted(base_ref) as base_root:
        added = added_files(running.rootfs, base_root)
    return {"added": added}


def docker_added_files(cli: str, ref: str, base_ref: str | None) -> dict[str, int]:
    """The files in the layers ``ref`` has above ``base_ref`` (None: all of them), read from the daemon's
    overlay2 layer directories (a local daemon, as root): path -> size; a later layer's deletion (whiteout)
    removes a path. Not the container's root: docker adds /etc/hosts, /etc/resolv.conf and /.dockerenv there."""
    def inspect(image: str) -> dict:
        return json.loads(subprocess.run([cli, "image", "inspect", image], capture_output=True, text=True,
                                         check=True).stdout)[0]

    data = inspect(ref)
    layers = data["RootFS"]["Layers"]
    base_layers = inspect(base_ref)["RootFS"]["Layers"] if base_ref else []
    assert layers[: len(base_layers)] == base_layers, f"{ref} is not built on {base_ref}"
    driver = data["GraphDriver"]
    assert driver["Name"] == "overlay2", f"the e2e audit reads overlay2 layers, not {driver['Name']}"
    dirs = [driver["Data"]["UpperDir"], *filter(None, driver["Data"].get("LowerDir", "").split(":"))]
    assert len(dirs) == len(layers), "overlay2 layer directories do not match the image's layers"
    added: dict[str, int] = {}
    for layer in reversed(dirs[: len(layers) - len(base_layers)]):  # oldest first: later layers win
        for top, subdirs, files in os.walk(layer):
            for name in [*subdirs, *files]:
                path = os.path.join(top, name)
                rel = os.path.relpath(path, layer)
                st = os.lstat(path)
                if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:  # overlay whiteout: deleted in this layer
                    added = {p: size for p, size in added.items() if p != rel and not p.startswith(rel + "/")}
                    continue
                added[rel] = 0 if stat.S_ISDIR(st.st_mode) else st.st_size
    return added


def assert_clean(added: dict[str, int], rootfs: Path) -> None:
    """No .npmrc, no dev dependency, no package manager cache among the files the image added."""
    npmrc = [p for p in added if os.path.basename(p) == ".npmrc"]
    assert not npmrc, f".npmrc in the image: {npmrc}"
    dev = [p for p in added if "node_modules/is-number" in p or "node_modules/typescript" in p]
    assert not dev, f"dev dependencies in the image: {dev[:5]}"
    caches = [p for p in CACHE_PATHS if (rootfs / p).exists() and any(a.startswith(p) for a in added)]
    assert not caches, f"package manager caches in the image: {caches}"


def assert_runtime(built: Built) -> None:
    """Common to every build: not root, prompt SIGTERM shutdown."""
    report = built.report
    assert report.uid is not None and report.uid != 0, f"the app runs as uid {report.uid}"
    assert report.stop_seconds < STOP_LIMIT, f"took {report.stop_seconds:.2f} s to stop after SIGTERM"
