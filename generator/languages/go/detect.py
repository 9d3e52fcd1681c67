"""Project detection for Go: go.mod's `go`/`toolchain` lines and `replace` directives, the main package,
vendor/, cgo and the port.

A pure function of the directory's files (no network, no `go` command). Every recorded value has passed
:func:`generator.model.parse_field`. A go.mod that needs a newer Go than any golang image dockgen knows is
refused (:class:`UserError`): the build runs with ``GOTOOLCHAIN=local`` and would only fail late.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...detection import MAX_SCAN_BYTES, Detection, read_text, record
from ...errors import UserError
from .model import GO_VERSIONS, GoPreset

#: Files that make a directory a Go project.
MARKERS = ("go.mod",)

#: Modules that need cgo (their pure-Go alternatives in parentheses in the warning).
CGO_MODULES = {
    "github.com/mattn/go-sqlite3": "modernc.org/sqlite is pure Go",
    "github.com/confluentinc/confluent-kafka-go": "github.com/segmentio/kafka-go is pure Go",
    "gopkg.in/confluentinc/confluent-kafka-go.v1": "github.com/segmentio/kafka-go is pure Go",
    "github.com/go-gl/glfw": "",
    "github.com/tecbot/gorocksdb": "",
}

_GO_LINE = re.compile(r"^go\s+(\d+)\.(\d+)(?:\.(\d+))?(?:rc\d+)?\s*(?://.*)?$", re.MULTILINE)
_TOOLCHAIN_LINE = re.compile(r"^toolchain\s+go(\d+)\.(\d+)\S*\s*(?://.*)?$", re.MULTILINE)
_REPLACE_BLOCK = re.compile(r"^replace\s*\(\s*$(.*?)^\)", re.MULTILINE | re.DOTALL)
_REPLACE_LINE = re.compile(r"^replace\s+(?!\()(.+)$", re.MULTILINE)
_REPLACE_TARGET = re.compile(r"^(\S+)(?:\s+\S+)?\s*=>\s*(\S+)(?:\s+(\S+))?\s*(?://.*)?$")
_PACKAGE_MAIN = re.compile(r"^package\s+main\b", re.MULTILINE)
_IMPORT_C = re.compile(r'^import\s+"C"|^\s+"C"\s*$', re.MULTILINE)
_LISTEN_PORT = re.compile(r'(?:ListenAndServe(?:TLS)?\(|Addr:\s*|Listen\("tcp",\s*)"[^":]*:(\d{2,5})"')
_PORT_DEFAULT = re.compile(r'Getenv\("PORT"\).{0,120}?"(\d{2,5})"', re.DOTALL)


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


def _go_files(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.glob("*.go") if p.is_file() and not p.name.endswith("_test.go"))
    except OSError:
        return []


def _is_main(directory: Path) -> bool:
    return any(_PACKAGE_MAIN.search(read_text(p) or "") for p in _go_files(directory))


def _detect_go_version(gomod: str, source: str, result: Detection) -> None:
    newest = _minor(GO_VERSIONS[-1])
    match = _GO_LINE.search(gomod)
    needed = (int(match.group(1)), int(match.group(2))) if match else None
    if needed and needed > newest:
        raise UserError(f"go {match.group(0).split()[1]} needs Go {needed[0]}.{needed[1]} or newer, and the newest "
                        f"golang image dockgen knows is {GO_VERSIONS[-1]} (the build runs with GOTOOLCHAIN=local, "
                        f"so it would fail late); allowed: a go line up to {GO_VERSIONS[-1]}", source=source, key="go")
    toolchain = _TOOLCHAIN_LINE.search(gomod)
    if toolchain:
        wanted = f"{toolchain.group(1)}.{toolchain.group(2)}"
        if wanted in GO_VERSIONS and (needed is None or _minor(wanted) >= needed):
            record(result, "go", "go_version", wanted, f"go.mod toolchain go{wanted}")
            return
        result.notes.append(f"go.mod toolchain line {toolchain.group(0).split()[1]!r} is not a maintained golang "
                            "image; ignored (the build uses GOTOOLCHAIN=local)")
    if needed:
        record(result, "go", "go_version", GO_VERSIONS[-1], f"go.mod go {match.group(0).split()[1]}: the newest image")
    else:
        result.warnings.append(f"go.mod has no go line; using Go {GO_VERSIONS[-1]}")


def _replace_targets(gomod: str) -> list[tuple[str, str]]:
    lines = [m.group(1) for m in _REPLACE_LINE.finditer(gomod)]
    for block in _REPLACE_BLOCK.finditer(gomod):
        lines += [line.strip() for line in block.group(1).splitlines() if line.strip() and not line.strip().startswith("//")]
    targets = []
    for line in lines:
        match = _REPLACE_TARGET.match(line.strip())
        if match and match.group(2).startswith(("./", "../", "/")) and not match.group(3):
            targets.append((match.group(1), match.group(2)))
    return targets


def _detect_local_modules(root: Path, gomod: str, vendored: bool, result: Detection) -> None:
    inside, outside = [], []
    for module, target in _replace_targets(gomod):
        resolved = (root / target).resolve()
        try:
            relative = resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            outside.append(f"{module} => {target}")
            continue
        if not (resolved / "go.mod").is_file():
            result.warnings.append(f"go.mod replaces {module} with {target}, which has no go.mod; the build will fail")
        inside.append(relative)
    if outside and not vendored:
        result.warnings.append(f"go.mod replaces {', '.join(outside)}: outside the project, so outside the image's "
                               "build context; vendor the modules (go mod vendor) or move them into the project")
    if inside and not vendored and record(result, "go", "local_modules", inside, "go.mod replace directives"):
        result.notes[-1] = f"local_modules: {', '.join(result.values['local_modules'])} (from go.mod replace directives)"


def _detect_package(root: Path, result: Detection) -> list[Path]:
    """Record the main package; return the directories of the main packages found."""
    if _is_main(root):
        record(result, "go", "package", ".", "package main in the project root")
        return [root]
    commands = root / "cmd"
    found = sorted(d for d in commands.iterdir() if d.is_dir() and _is_main(d)) if commands.is_dir() else []
    if len(found) == 1:
        record(result, "go", "package", f"./cmd/{found[0].name}", "the one main package under cmd/")
    elif found:
        names = ", ".join(f"./cmd/{d.name}" for d in found)
        record(result, "go", "package", f"./cmd/{found[0].name}", "the first of several main packages")
        result.warnings.append(f"several main packages: {names}; building ./cmd/{found[0].name}: set package to "
                               "another one if needed (one image per binary)")
    else:
        result.warnings.append("no main package in the project root or under cmd/*/; using package '.': set "
                               "package to the directory of your main package")
    return found


def _detect_cgo(root: Path, gomod: str, result: Detection) -> None:
    why = [f"{module} ({alternative})" if alternative else module
           for module, alternative in CGO_MODULES.items() if re.search(rf"^\s*(require\s+)?{re.escape(module)}\s", gomod,
                                                                      re.MULTILINE)]
    scanned = 0
    for path in sorted(root.rglob("*.go")):
        if scanned > 2000 or "vendor" in path.relative_to(root).parts[:1] or "testdata" in path.parts:
            continue
        scanned += 1
        try:
            if path.stat().st_size > MAX_SCAN_BYTES:
                continue
        except OSError:
            continue
        if _IMPORT_C.search(read_text(path) or ""):
            why.append(f'import "C" in {path.relative_to(root).as_posix()}')
            break
    if why:
        record(result, "go", "cgo", True, "; ".join(why))
        result.warnings.append(f"cgo: needed by {'; '.join(why)}: the binary links against glibc and runs on "
                               "gcr.io/distroless/base-debian13; scratch and alpine are ruled out")


def _detect_port(mains: list[Path], result: Detection) -> None:
    for directory in mains:
        for path in _go_files(directory):
            text = read_text(path) or ""
            match = _PORT_DEFAULT.search(text) or _LISTEN_PORT.search(text)
            if match:
                record(result, "go", "port", match.group(1), f"{path.name}")
                return


def project_warnings(project_dir: Path, preset: GoPreset) -> list[str]:
    """Warnings about rendering ``preset`` for the project in ``project_dir`` (used by ``dockgen render``)."""
    gomod = read_text(Path(project_dir) / "go.mod")
    if gomod is None:
        return []
    found = []
    match = _GO_LINE.search(gomod)
    if match and (int(match.group(1)), int(match.group(2))) > _minor(preset.go_version):
        found.append(f"go.mod: go {match.group(0).split()[1]} needs a newer Go than go_version {preset.go_version}; "
                     "the build runs with GOTOOLCHAIN=local and will fail")
    if not preset.vendor:
        missing = [target for _, target in _replace_targets(gomod)
                   if not target.startswith(("../", "/"))
                   and target.removeprefix("./").rstrip("/") not in (preset.local_modules or ())]
        if missing:
            found.append(f"go.mod replaces modules with {', '.join(missing)}, which local_modules does not list; "
                         "`go mod download` will not find them")
    return found


def detect(project_dir: Path | str, base: str | None = None) -> Detection:
    """Infer Go preset keys from the project in ``project_dir`` (``base`` is accepted for the common interface)."""
    root = Path(project_dir)
    result = Detection()
    if not root.is_dir():
        result.warnings.append(f"{root}: not a directory; nothing detected")
        return result
    result.values["language"] = "go"
    gomod = read_text(root / "go.mod")
    if gomod is None:
        result.warnings.append(f"no go.mod in {root}: is this a Go module? Using defaults")
        return result
    _detect_go_version(gomod, str(root / "go.mod"), result)
    vendored = (root / "vendor" / "modules.txt").is_file()
    if vendored:
        record(result, "go", "vendor", True, "vendor/modules.txt")
    elif re.search(r"^require\b", gomod, re.MULTILINE) and not (root / "go.sum").is_file():
        result.warnings.append("go.mod requires modules but there is no go.sum: run `go mod tidy` and commit go.sum "
                               "(the image build verifies every download against it)")
    _detect_local_modules(root, gomod, vendored, result)
    mains = _detect_package(root, result)
    _detect_cgo(root, gomod, result)
    _detect_port(mains, result)
    return result
