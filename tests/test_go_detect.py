"""Go detection: go.mod's go/toolchain lines, the main package, vendor/, local replace targets, cgo, port."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import UserError, preset_from_mapping
from generator.cli import cli
from generator.detect import detect, detection_yaml, language_of, project_warnings

APPS = Path(__file__).parent / "e2e" / "apps"
MAIN = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":9090", nil) }\n'


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def gomod(go: str = "1.26", extra: str = "") -> str:
    return f"module example.com/app\n\ngo {go}\n{extra}"


def test_a_go_mod_makes_a_go_project(tmp_path: Path) -> None:
    root = project(tmp_path, {"go.mod": gomod(), "main.go": MAIN})
    assert language_of(root) == "go"
    found = detect(root)
    assert found.values == {"language": "go", "go_version": "1.27", "package": ".", "port": 9090}
    assert found.warnings == []
    # the YAML `dockgen detect` prints is a valid preset
    assert preset_from_mapping(found.values, "t").port == 9090
    assert "go_version: '1.27'" in detection_yaml(found, root)


@pytest.mark.parametrize(("go", "toolchain", "expected"), [
    ("1.22", "", "1.27"),            # an older go line builds with the newest image
    ("1.26.3", "", "1.27"),
    ("1.25", "toolchain go1.26.4\n", "1.26"),   # the toolchain line picks a maintained image
    ("1.27.1", "toolchain go1.26.4\n", "1.27"),  # ... unless the go line needs more
    ("1.26", "toolchain go1.29.0\n", "1.27"),    # an unknown toolchain is only a note (GOTOOLCHAIN=local)
])
def test_go_version_from_go_and_toolchain_lines(tmp_path: Path, go: str, toolchain: str, expected: str) -> None:
    found = detect(project(tmp_path, {"go.mod": gomod(go, toolchain), "main.go": MAIN}))
    assert found.values["go_version"] == expected


def test_a_go_mod_needing_more_than_any_image_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path, {"go.mod": gomod("1.28.0"), "main.go": MAIN})
    with pytest.raises(UserError, match=r"go: go 1.28.0 needs Go 1.28 or newer, and the newest golang image "
                                        r"dockgen knows is 1.27 \(the build runs with GOTOOLCHAIN=local"):
        detect(root)
    result = CliRunner().invoke(cli, ["detect", str(root)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(f"error: {root / 'go.mod'}: go: go 1.28.0 needs")


def test_main_package_root_single_cmd_or_several(tmp_path: Path) -> None:
    one = project(tmp_path / "one", {"go.mod": gomod(), "cmd/api/main.go": MAIN, "internal/x/x.go": "package x\n"})
    assert detect(one).values["package"] == "./cmd/api"
    several = project(tmp_path / "several", {"go.mod": gomod(), "cmd/b/main.go": MAIN, "cmd/a/main.go": MAIN})
    found = detect(several)
    assert found.values["package"] == "./cmd/a"
    assert any(w.startswith("several main packages: ./cmd/a, ./cmd/b; building ./cmd/a") for w in found.warnings)
    none = project(tmp_path / "none", {"go.mod": gomod(), "lib.go": "package lib\n"})
    found = detect(none)
    assert "package" not in found.values
    assert any(w.startswith("no main package in the project root or under cmd/*/") for w in found.warnings)


def test_local_replace_targets_and_outside_ones(tmp_path: Path) -> None:
    mod = gomod(extra="\nrequire example.com/a v0.0.0\n\nreplace example.com/a => ./libs/a\n"
                      "replace (\n\texample.com/b v1.0.0 => ../b\n\texample.com/c => example.com/c2 v1.2.0\n)\n")
    root = project(tmp_path / "p", {"go.mod": mod, "go.sum": "", "main.go": MAIN, "libs/a/go.mod": "module a\n"})
    found = detect(root)
    assert found.values["local_modules"] == ("libs/a",)
    assert any("example.com/b => ../b: outside the project" in w for w in found.warnings)
    # rendering with the replace target left out of local_modules is warned about
    preset = preset_from_mapping({"language": "go"}, "t")
    assert any("replaces modules with ./libs/a, which local_modules does not list" in w
               for w in project_warnings(root, preset))


def test_vendor_dir_means_vendor_and_no_local_modules(tmp_path: Path) -> None:
    root = project(tmp_path, {"go.mod": gomod(extra="\nreplace example.com/a => ./a\n"), "main.go": MAIN,
                              "vendor/modules.txt": "# example.com/a v0.0.0 => ./a\n", "a/go.mod": "module a\n"})
    found = detect(root)
    assert found.values["vendor"] is True and "local_modules" not in found.values
    assert preset_from_mapping(found.values, "t").vendor


def test_missing_go_sum_is_warned_about(tmp_path: Path) -> None:
    found = detect(project(tmp_path, {"go.mod": gomod(extra="\nrequire example.com/a v1.0.0\n"), "main.go": MAIN}))
    assert any(w.startswith("go.mod requires modules but there is no go.sum") for w in found.warnings)


@pytest.mark.parametrize(("files", "evidence"), [
    ({"db.go": 'package main\n\n// #include <stdio.h>\nimport "C"\n'}, 'import "C" in db.go'),
    ({"go.sum": ""}, "github.com/mattn/go-sqlite3 (modernc.org/sqlite is pure Go)"),
])
def test_cgo_is_detected(tmp_path: Path, files: dict[str, str], evidence: str) -> None:
    mod = gomod(extra="\nrequire github.com/mattn/go-sqlite3 v1.14.22\n" if "go.sum" in files else "")
    found = detect(project(tmp_path, {"go.mod": mod, "main.go": MAIN, **files}))
    assert found.values["cgo"] is True
    assert any(w.startswith(f"cgo: needed by {evidence}") for w in found.warnings)


def test_port_default_from_getenv(tmp_path: Path) -> None:
    main = ('package main\n\nimport ("net/http"; "os")\n\nfunc main() {\n\tport := os.Getenv("PORT")\n'
            '\tif port == "" {\n\t\tport = "7070"\n\t}\n\thttp.ListenAndServe(":"+port, nil)\n}\n')
    assert detect(project(tmp_path, {"go.mod": gomod(), "main.go": main})).values["port"] == 7070


def test_project_warning_when_go_version_is_older_than_go_mod(tmp_path: Path) -> None:
    root = project(tmp_path, {"go.mod": gomod("1.27"), "main.go": MAIN})
    preset = preset_from_mapping({"language": "go", "go_version": "1.26"}, "t")
    assert any(w.startswith("go.mod: go 1.27 needs a newer Go than go_version 1.26") for w in project_warnings(root, preset))


@pytest.mark.parametrize(("app", "expected"), [
    ("go-stdlib-app", {}),
    ("go-mod-app", {}),
    ("go-vendor-app", {"vendor": True}),
    ("go-replace-app", {"package": "./cmd/server", "local_modules": ("shout",)}),
])
def test_the_e2e_fixture_apps(app: str, expected: dict) -> None:
    found = detect(APPS / app)
    assert {k: v for k, v in found.values.items() if k in expected} == expected
    assert found.values.get("cgo") is None and found.warnings == []
