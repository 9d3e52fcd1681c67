"""What the generated Dockerfile and .dockerignore mean, checked across the preset matrix."""

from __future__ import annotations

import fnmatch
import re

import pytest

from generator import render
from generator.dockerfile import Stage, stages
from generator.languages.node.render import COREPACK_VERSION, YARN_CLASSIC_VERSION

from generator import preset_from_mapping

from .conftest import MIRROR, make_preset, matrix

EXPECTED_RUNTIME = {
    "full": "node:{v}",
    "slim": "node:{v}-trixie-slim",
    "alpine": "node:{v}-alpine",
    "distroless": "gcr.io/distroless/nodejs{v}-debian13:nonroot",
}
EXPECTED_BUILD = {
    "full": "node:{v}",
    "slim": "node:{v}-trixie",
    "alpine": "node:{v}-alpine",
    "distroless": "node:{v}-trixie",
}
PROD_INSTALL = {
    "npm": r"npm ci --omit=dev\b",
    "yarn1": r"yarn install --frozen-lockfile --production\b",
    "yarn4": r"YARN_ENABLE_IMMUTABLE_INSTALLS=true yarn workspaces focus --all --production",
    "pnpm": r"pnpm install --frozen-lockfile --prod\b",
}
FULL_INSTALL = {
    "npm": r"npm ci --no-audit",
    "yarn1": r"yarn install --frozen-lockfile --non-interactive",
    "yarn4": r"yarn install --immutable",
    "pnpm": r"pnpm install --frozen-lockfile --store-dir",
}
LOCKFILES = {"npm": "package-lock.json", "yarn1": "yarn.lock", "yarn4": "yarn.lock", "pnpm": "pnpm-lock.yaml"}


def by_name(all_stages: list[Stage]) -> dict[str, Stage]:
    return {s.name: s for s in all_stages if s.name}


@pytest.mark.parametrize(("pm", "base", "options"), matrix())
def test_dockerfile_meaning(pm: str, base: str, options: dict) -> None:
    preset = make_preset(pm, base, **options)
    text = render(preset).files["Dockerfile"]
    v = preset.node_version
    assert text.startswith("# syntax=docker/dockerfile:1\n")
    all_stages = stages(text)
    named = by_name(all_stages)
    runtime = all_stages[-1]

    # Stages and bases: dependencies are built on the runtime's libc / Debian release.
    assert runtime.name == "runtime"
    assert runtime.base == EXPECTED_RUNTIME[base].format(v=v)
    assert named["base"].base == named["init"].base == EXPECTED_BUILD[base].format(v=v)
    assert named["deps"].base == "base"
    assert ("build" in named) == bool(preset.build_script)

    # Dependency layer: manifests copied alone, then installed; the app's code never before it.
    deps = named["deps"]
    assert [i.keyword for i in deps.instructions] == ["COPY", "RUN"]
    copied = deps.instructions[0].value.split()
    assert "package.json" in copied and "." not in copied[:-1]
    assert (LOCKFILES[pm] in copied) == preset.lockfile
    install = deps.instructions[1].value
    assert install.startswith("--mount=type=cache,target=/"), "the package manager cache must be a cache mount"
    if preset.lockfile:
        assert re.search(PROD_INSTALL[pm], install), install
    # The runtime copies deps' node_modules, so the install must leave one even when there is nothing to install:
    # npm then makes none (yarn 1 and 4 and pnpm 8-10 always write their state files into it).
    if pm == "npm":
        assert install.endswith("&& mkdir -p node_modules"), install

    # Dev dependencies only where a build script needs them.
    if preset.build_script:
        build = named["build"]
        keywords = [i.keyword for i in build.instructions]
        assert keywords == ["COPY", "RUN", "COPY", "RUN"]
        if preset.lockfile:
            assert re.search(FULL_INSTALL[pm], build.instructions[1].value)
        assert build.instructions[2].value == ". ."
        assert build.instructions[3].value.endswith(f"run {preset.build_script}")

    # Runtime: node_modules only from the production stage, app code last.
    copies = [i.value for i in runtime.all("COPY")]
    assert "--from=deps /app/node_modules ./node_modules" in copies
    assert not any("--from=build /app/node_modules" in c for c in copies)
    if preset.build_script:
        assert f"--from=build /app/{preset.build_output} ./{preset.build_output}" in copies
        assert ". ." not in copies
    else:
        assert copies[-1] == ". ."

    # Environment, user, port.
    env = " ".join(i.value for i in runtime.all("ENV"))
    assert "NODE_ENV=production" in env
    assert f"PORT={preset.port}" in env
    user = runtime.last("USER")
    assert user is not None and user.value.split(":")[0] not in ("0", "root")
    assert user.value == ("65532:65532" if base == "distroless" else "1000:1000")
    assert runtime.last("EXPOSE").value == str(preset.port)

    # PID 1 is tini, the command is exec form and runs node directly.
    entrypoint = runtime.last("ENTRYPOINT").json_args()
    cmd = runtime.last("CMD").json_args()
    assert entrypoint is not None and cmd is not None, "ENTRYPOINT and CMD must be exec (JSON) form"
    assert entrypoint[:2] == ["/usr/local/bin/tini", "--"]
    assert any(c.endswith("tini") and "--from=init" in c for c in copies)
    if base == "distroless":
        assert entrypoint[2:] == ["/nodejs/bin/node"]
        assert cmd == [preset.entrypoint]
    else:
        assert entrypoint[2:] == []
        assert cmd == ["node", preset.entrypoint]
    assert not {"npm", "yarn", "pnpm", "start", "sh", "/bin/sh"} & set(entrypoint + cmd)

    # Timezone takes effect: TZ is set, and the zone file is there where the base has no zoneinfo.
    if preset.timezone:
        assert f"TZ={preset.timezone}" in env
        zone_copy = f"--from=init /usr/share/zoneinfo/{preset.timezone} /usr/share/zoneinfo/{preset.timezone}"
        assert (zone_copy in copies) == (base != "distroless")
    else:
        assert "TZ=" not in env

    # Registry credentials: a secret mount on every install (deps and build), nowhere else.
    secret = "--mount=type=secret,id=yarnrc,target=/root/.yarnrc.yml" if pm == "yarn4" else \
        "--mount=type=secret,id=npmrc,target=/root/.npmrc"
    installs = [i.value for s in all_stages if s.name in ("deps", "build") for i in s.all("RUN")
                if "--mount=type=cache" in i.value]
    assert installs and all((secret in value) == preset.npmrc_secret for value in installs)
    assert sum(secret in i.value for s in all_stages for i in s.instructions) == (len(installs) if preset.npmrc_secret
                                                                                   else 0)
    assert ".npmrc" not in " ".join(c for c in copies)

    # Node.js >= 25 images ship no corepack and no yarn: the template brings them.
    setup = " ".join(i.value for i in named["base"].all("RUN"))
    if pm in ("yarn4", "pnpm"):
        assert "corepack enable" in setup
        assert (f"corepack@{COREPACK_VERSION}" in setup) == (v >= 25)
    if pm == "yarn1":
        assert (f"yarn@{YARN_CLASSIC_VERSION}" in setup) == (v >= 25)


@pytest.mark.parametrize(("pm", "base", "options"), matrix())
def test_registry_mirror_stays_in_the_install_commands(pm: str, base: str, options: dict) -> None:
    preset = make_preset(pm, base, **options)
    all_stages = stages(render(preset).files["Dockerfile"])
    for stage in all_stages:
        for instruction in stage.instructions:
            if MIRROR in instruction.value:
                assert preset.registry_mirror == MIRROR
                assert instruction.keyword == "RUN", "the mirror must not be persisted by ENV, ARG or a file"
                assert stage.name in ("base", "deps", "build")
    # Every command that talks to the npm registry uses the mirror (the pinned corepack/yarn too).
    registry_runs = [i.value for s in all_stages if s.name in ("base", "deps", "build") for i in s.all("RUN")
                     if "--mount=type=cache" in i.value or "npm install --global" in i.value]
    assert registry_runs
    assert all(MIRROR in run for run in registry_runs) == bool(preset.registry_mirror)
    runtime_text = " ".join(i.value for i in all_stages[-1].instructions)
    assert MIRROR not in runtime_text
    assert not any(i.keyword == "ARG" for s in all_stages for i in s.instructions)


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """Docker's .dockerignore matching (Go filepath.Match plus `**`): `*` and `?` stop at `/`."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def ignored(patterns: list[str], path: str) -> bool:
    """Whether Docker leaves ``path`` out of the build context: a pattern matches it or a parent directory
    (no `!` exceptions are generated)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(_dockerignore_regex(p.strip("/")).fullmatch(prefix) for p in patterns for prefix in prefixes)


def test_the_dockerignore_matcher_is_dockers() -> None:
    assert ignored(["*.log"], "server.log") and not ignored(["*.log"], "logs/x/server.log")
    assert ignored(["**/node_modules"], "a/b/node_modules/x.js") and ignored(["**/node_modules"], "node_modules")
    assert not ignored(["node_modules"], "packages/a/node_modules")
    assert ignored([".git"], ".git/HEAD") and not ignored([".git"], ".github")


@pytest.mark.parametrize(("pm", "base", "options"), matrix())
def test_dockerignore_meaning(pm: str, base: str, options: dict) -> None:
    preset = make_preset(pm, base, **options)
    text = render(preset).files[".dockerignore"]
    patterns = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns)
    for path in ("node_modules", "node_modules/x/index.js", "packages/a/node_modules", ".git", ".git/HEAD", ".env",
                 ".env.local", "npm-debug.log", "logs", "server.log", "Dockerfile", ".dockerignore", ".npmrc"):
        assert ignored(patterns, path), f"{path} must be excluded"
    for path in ("package.json", LOCKFILES[pm], "index.js", "src/app.js", "tsconfig.json"):
        assert not ignored(patterns, path), f"{path} is needed by the build"
    caches = {"npm": [".npm"], "yarn1": [".yarn-cache"], "yarn4": [".yarn/cache", ".pnp.cjs", ".yarn/install-state.gz"],
              "pnpm": [".pnpm-store"]}[pm]
    for path in caches:
        assert ignored(patterns, path), f"{pm} cache {path} must be excluded"
    if pm == "yarn4":
        assert not ignored(patterns, ".yarnrc.yml")
        assert not ignored(patterns, ".yarn/releases/yarn-4.5.0.cjs")
    assert ignored(patterns, "dist") == bool(preset.build_script)


def test_render_is_deterministic_and_pure() -> None:
    preset = make_preset("pnpm", "distroless", timezone=True, build=True)
    assert render(preset).files == render(preset).files
    assert set(render(preset).files) == {"Dockerfile", ".dockerignore"}


def test_warnings() -> None:
    assert any("musl" in w for w in render(make_preset("npm", "alpine")).warnings)
    assert render(make_preset("npm", "slim")).warnings == []
    assert any("not reproducible" in w for w in render(make_preset("npm", "slim", lockfile=False)).warnings)


@pytest.mark.parametrize("base", ["full", "slim", "alpine", "distroless"])
@pytest.mark.parametrize(("alias", "zone"), [("US/Eastern", "America/New_York"), ("UTC", "Etc/UTC"),
                                             ("Asia/Calcutta", "Asia/Kolkata")])
def test_a_time_zone_alias_gets_its_zones_file(base: str, alias: str, zone: str) -> None:
    """Debian 13 ships legacy aliases only in tzdata-legacy: copy the canonical zone to the alias's path."""
    preset = preset_from_mapping({"base": base, "timezone": alias}, "t")
    all_stages = stages(render(preset).files["Dockerfile"])
    runtime, init = all_stages[-1], by_name(all_stages)["init"]
    copies = [i.value for i in runtime.all("COPY")]
    assert f"--from=init /usr/share/zoneinfo/{zone} /usr/share/zoneinfo/{alias}" in copies
    assert "tzdata" in init.last("RUN").value
    assert f"TZ={alias}" in runtime.last("ENV").value


@pytest.mark.parametrize("lockfile", [True, False])
def test_yarn_classic_lockfile_urls_point_at_the_mirror(lockfile: bool) -> None:
    """yarn 1 fetches the tarball URLs written in yarn.lock and ignores --registry for them (seen with
    yarn 1.22.22 --verbose): the deps stage rewrites its copy of the lockfile to the mirror."""
    preset = make_preset("yarn1", "slim", mirror=True, lockfile=lockfile, build=True)
    named = by_name(stages(render(preset).files["Dockerfile"]))
    for stage in ("deps", "build"):
        install = named[stage].last("RUN").value if stage == "deps" else named[stage].all("RUN")[0].value
        rewrite = (f"sed -i -e 's#https://registry.yarnpkg.com/#{MIRROR}/#g' "
                   f"-e 's#https://registry.npmjs.org/#{MIRROR}/#g' yarn.lock && yarn install")
        assert (rewrite in install) == lockfile, install
        assert install.endswith("&& rm -f node_modules/.yarn-integrity") == lockfile
    assert "sed" not in render(make_preset("yarn1", "slim")).files["Dockerfile"]
