"""The bad-input corpus (issue 12): every way a new user or a CI machine can hand dockgen bad input.

Each case runs one command line and asserts: the exit code, exactly one line on stderr (``error: ...``,
or the usage line for a bare ``dockgen``) containing the expected words, no traceback, and the test's
whole directory (which is the working directory and holds every output directory) byte for byte, mode for
mode as it was before. Most cases run in-process (fast); those that need a real process run ``python -m
generator``: stdout on /dev/full, or root without its capabilities (``setpriv``) facing a mode-700 directory it does not own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.presets import MAX_PRESET_BYTES

NOBODY = 65534
APPS = Path(__file__).parent / "e2e" / "apps"


@dataclass
class Case:
    id: str
    args: list[str]
    fragment: str
    code: int = 2
    setup: Callable[[Path], None] | None = None
    how: str = "inproc"  # inproc | process | devfull | closedpipe | nobody
    marks: tuple = field(default_factory=tuple)


# --- setups: each gets the case's directory (also the working directory) ---------------------------

def write(name: str, content: str | bytes) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return setup


def both(*setups: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        for one in setups:
            one(tmp)
    return setup


def alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join([*lines, f"description: *a{levels}", ""])


def npm_project(name: str = "proj") -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        shutil.copytree(APPS / "npm-app", tmp / name)
    return setup


def locked(inner: Callable[[Path], None] | None = None) -> Callable[[Path], None]:
    """``locked/`` (mode 700, owned by nobody) holding a project and a preset: unreachable for a user who is
    not its owner (the case runs as root without the capabilities that override file permissions)."""
    def setup(tmp: Path) -> None:
        (tmp / "locked").mkdir()
        npm_project("locked/proj")(tmp)
        (tmp / "locked" / "p.yaml").write_text("port: 8080\n")
        if inner:
            inner(tmp)
        (tmp / "locked").chmod(0o700)
        os.chown(tmp / "locked", NOBODY, NOBODY)
    return setup


def symlink(name: str, target: str) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        (tmp / "out").mkdir(exist_ok=True)
        (tmp / "out" / name).symlink_to(target)
    return setup


def fifo_dockerfile(tmp: Path) -> None:
    (tmp / "out").mkdir()
    os.mkfifo(tmp / "fifo")
    (tmp / "out" / "Dockerfile").symlink_to(tmp / "fifo")


def dir_named(path: str) -> Callable[[Path], None]:
    return lambda tmp: (tmp / path).mkdir(parents=True)


R = ["render", "node-npm-slim", "--stdout"]  # a valid render; cases add one bad --set

CASES = [
    # the command line itself
    Case("bare-dockgen", [], "usage: dockgen COMMAND"),
    Case("unknown-command", ["rendr"], "Did you mean 'render'"),
    Case("render-without-preset", ["render"], "Missing argument 'PRESET'"),
    Case("unknown-option", ["render", "node-npm-slim", "--bogus"], "No such option '--bogus'"),
    Case("stdout-and-check", ["render", "node-npm-slim", "--stdout", "--check"], "cannot be used together"),
    Case("verify-unknown-builder", ["verify", "--builder", "foo"], "'foo' is not one of"),
    Case("new-without-terminal", ["new", "."], "needs a terminal"),
    # finding and reading the preset
    Case("preset-name-typo", ["render", "node-npm-slm"], "(did you mean 'node-npm-slim'?)"),
    Case("preset-file-missing", ["render", "nope.yaml"], "nope.yaml: no such preset file"),
    Case("preset-is-a-directory", ["render", "adir"], "adir: cannot read the preset file: Is a directory",
         setup=dir_named("adir")),
    Case("preset-dev-zero", ["render", "/dev/zero"], f"larger than {MAX_PRESET_BYTES // 1024} KiB"),
    Case("preset-too-large", ["render", "big.yaml"], "larger than",
         setup=write("big.yaml", "# padding\n" * (MAX_PRESET_BYTES // 10 + 1))),
    Case("preset-not-utf8", ["render", "latin1.yaml"], "not UTF-8 text (byte 0xe9 at offset 16)",
         setup=write("latin1.yaml", b"description: caf\xe9\n")),
    Case("preset-nul-bytes", ["render", "nul.yaml"], "invalid YAML", setup=write("nul.yaml", b"port: \x00\x00\n")),
    Case("alias-bomb-9", ["render", "bomb.yaml"], "aliases are expanded", setup=write("bomb.yaml", alias_bomb(9))),
    Case("alias-bomb-6", ["render", "bomb.yaml"], "aliases are expanded", setup=write("bomb.yaml", alias_bomb(6))),
    Case("nested-too-deeply", ["render", "deep.yaml"], "nested too deeply",
         setup=write("deep.yaml", "description: " + "[" * 5000 + "]" * 5000 + "\n")),
    Case("integer-of-5000-digits", ["render", "big.yaml"], "thousands of digits",
         setup=write("big.yaml", "port: " + "9" * 5000 + "\n")),
    Case("list-as-key", ["render", "k.yaml"], "a key must be text", setup=write("k.yaml", "? [a]\n: b\n")),
    Case("duplicate-key", ["render", "d.yaml"], "duplicate key 'port'", setup=write("d.yaml", "port: 1\nport: 2\n")),
    Case("top-level-list", ["render", "l.yaml"], "must be a mapping", setup=write("l.yaml", "- port: 1\n")),
    Case("top-level-text", ["render", "t.yaml"], "must be a mapping", setup=write("t.yaml", "hello\n")),
    Case("tab-indentation", ["render", "tab.yaml"], "line 2: invalid YAML",
         setup=write("tab.yaml", "port:\n\t3000\n")),
    Case("unclosed-quote", ["render", "q.yaml"], "invalid YAML", setup=write("q.yaml", 'description: "open\n')),
    Case("python-tag", ["render", "py.yaml"], "invalid YAML",
         setup=write("py.yaml", "port: !!python/object/apply:os.system [id]\n")),
    Case("unknown-key-typo", ["render", "u.yaml"], "(did you mean 'port'?)", setup=write("u.yaml", "prot: 1\n")),
    Case("unknown-key-case", ["render", "u.yaml"], "(did you mean 'port'?)", setup=write("u.yaml", "PORT: 1\n")),
    # --set
    Case("set-key-case", [*R, "--set", "PORT=1"], "(did you mean 'port'?)"),
    Case("set-without-equals", [*R, "--set", "port"], "'port' is not KEY=VALUE"),
    Case("set-without-key", [*R, "--set", "=1"], "is not KEY=VALUE"),
    Case("set-unknown-key", [*R, "--set", "colour=red"], "colour: unknown key"),
    # values: ports and versions
    Case("port-too-large", [*R, "--set", "port=99999"], "99999 is out of range; allowed: 1-65535"),
    Case("port-zero", [*R, "--set", "port=0"], "0 is out of range"),
    Case("port-text", [*R, "--set", "port=http"], "expected a whole number"),
    Case("port-negative", [*R, "--set", "port=-1"], "-1 is out of range"),
    Case("port-unicode-digit", [*R, "--set", "port=²"], "expected a whole number"),
    Case("port-boolean", ["render", "p.yaml"], "expected a whole number, got true", setup=write("p.yaml", "port: true\n")),
    Case("port-float", ["render", "p.yaml"], "expected a whole number", setup=write("p.yaml", "port: 80.5\n")),
    Case("node-version-eol", [*R, "--set", "node_version=25"], "Node.js 25 has no maintained image"),
    Case("node-version-text", [*R, "--set", "node_version=lts"], "expected a whole number"),
    Case("base-unknown", [*R, "--set", "base=tiny"], "allowed: full, slim, alpine, distroless"),
    Case("package-manager-unknown", [*R, "--set", "package_manager=bun"], "allowed: npm, yarn, pnpm"),
    Case("yarn-version-eol", [*R, "--set", "package_manager=yarn", "--set", "yarn_version=3"], "end of life"),
    Case("yarn-version-with-npm", [*R, "--set", "yarn_version=4"], "only applies to package_manager yarn"),
    Case("language-unknown", [*R, "--set", "language=cobol"], "language:"),
    # values: URLs, zones, paths, scripts, text
    Case("mirror-plain-http", [*R, "--set", "registry_mirror=http://registry.example"], "plain http"),
    Case("mirror-shell", [*R, "--set", "registry_mirror=https://ex.com/$(id)"], "is not a registry URL"),
    Case("mirror-port-range", [*R, "--set", "registry_mirror=https://ex.com:99999"], "1-65535"),
    Case("mirror-credentials", [*R, "--set", "registry_mirror=https://u:p@ex.com"], "npmrc_secret"),
    Case("timezone-unknown", [*R, "--set", "timezone=Mars/Olympus"], "is not an IANA time zone"),
    Case("timezone-case", [*R, "--set", "timezone=europe/berlin"], "did you mean 'Europe/Berlin'"),
    Case("timezone-localtime", [*R, "--set", "timezone=localtime"], "timezone:"),
    Case("entrypoint-parent", [*R, "--set", "entrypoint=../x.js"], "not a plain relative file"),
    Case("entrypoint-absolute", [*R, "--set", "entrypoint=/app/x.js"], "not a plain relative file"),
    Case("entrypoint-not-js", [*R, "--set", "entrypoint=main.py"], "not a JavaScript file"),
    Case("entrypoint-quote", [*R, "--set", 'entrypoint=a"b.js'], "not a plain relative file"),
    Case("entrypoint-space", [*R, "--set", "entrypoint=a b.js"], "not a plain relative file"),
    Case("entrypoint-backslash", [*R, "--set", "entrypoint=x\\"], "entrypoint: 'x\\' is not"),
    Case("entrypoint-newline", [*R, "--set", "entrypoint=a.js\nRUN id"], "not a plain relative file"),
    Case("build-script-option", [*R, "--set", "build_script=--help"], "build_script: '--help'"),
    Case("build-script-shell", [*R, "--set", "build_script=build; id"], "not a package.json script name"),
    Case("build-script-outside-output", [*R, "--set", "build_script=build"], "outside build_output"),
    Case("build-output-node-modules", [*R, "--set", "build_script=build", "--set", "build_output=node_modules",
                                       "--set", "entrypoint=node_modules/x.js"], "build_output:"),
    Case("build-output-without-script", [*R, "--set", "build_output=out"], "build_script"),
    Case("lockfile-maybe", [*R, "--set", "lockfile=maybe"], "expected true or false"),
    Case("description-newline", [*R, "--set", "description=a\nb"], "one line"),
    Case("description-too-long", [*R, "--set", "description=" + "x" * 300], "at most 200 characters"),
    Case("description-list", ["render", "d.yaml"], "got [a, b]", setup=write("d.yaml", "description: [a, b]\n")),
    Case("description-mapping", ["render", "d.yaml"], "got {a: b}", setup=write("d.yaml", "description: {a: b}\n")),
    # writing files
    Case("output-is-a-file", ["render", "node-npm-slim", "-o", "afile"], "afile: not a directory",
         setup=write("afile", "x")),
    Case("output-dev-null", ["render", "node-npm-slim", "-o", "/dev/null"], "not a directory"),
    Case("output-proc", ["render", "node-npm-slim", "-o", "/proc"], "/proc: cannot create files in this directory"),
    Case("dockerfile-exists", ["render", "node-npm-slim", "-o", "out"], "Dockerfile already exists; use --force",
         setup=write("out/Dockerfile", "FROM scratch\n")),
    Case("both-exist", ["render", "node-npm-slim", "-o", "out"], "Dockerfile and .dockerignore already exist",
         setup=both(write("out/Dockerfile", "FROM scratch\n"), write("out/.dockerignore", "x\n"))),
    Case("dockerfile-is-a-directory", ["render", "node-npm-slim", "-o", "out", "--force"], "Dockerfile: is a directory",
         setup=dir_named("out/Dockerfile")),
    Case("dockerfile-dangling-link", ["render", "node-npm-slim", "-o", "out", "--force"], "which does not exist",
         setup=symlink("Dockerfile", "gone/Dockerfile")),
    Case("dockerfile-link-loop", ["render", "node-npm-slim", "-o", "out", "--force"], "symbolic link loop",
         setup=symlink("Dockerfile", "Dockerfile")),
    Case("dockerfile-link-to-fifo", ["render", "node-npm-slim", "-o", "out", "--force"], "not a regular file",
         setup=fifo_dockerfile),
    Case("dockerfile-link-to-device", ["render", "node-npm-slim", "-o", "out", "--force"], "not a regular file",
         setup=symlink("Dockerfile", "/dev/null")),
    Case("check-not-utf8", ["render", "node-npm-slim", "--check", "-o", "out"], "cannot read it to compare",
         setup=write("out/Dockerfile", b"FROM caf\xe9\n")),
    Case("check-dockerfile-directory", ["render", "node-npm-slim", "--check", "-o", "out"], "Is a directory",
         setup=dir_named("out/Dockerfile")),
    # detect, new, scaffold, verify
    Case("detect-missing-directory", ["detect", "nope"], "nope: not a directory"),
    Case("detect-a-file", ["detect", "afile"], "afile: not a directory", setup=write("afile", "x")),
    Case("detect-invalid-package-json", ["detect", "proj"], "package.json: not valid JSON: Expecting property name",
         setup=write("proj/package.json", "{not json")),
    Case("detect-package-json-directory", ["detect", "proj"], "package.json: is not a file",
         setup=dir_named("proj/package.json")),
    Case("detect-package-json-array", ["detect", "proj"], "expected a JSON object, got [1]",
         setup=write("proj/package.json", "[1]")),
    Case("detect-package-json-not-utf8", ["detect", "proj"], "package.json: not UTF-8 text",
         setup=write("proj/package.json", b'{"name": "caf\xe9"}')),
    Case("detect-package-json-dangling-link", ["detect", "proj"], "package.json: is not a file",
         setup=both(dir_named("proj"), lambda tmp: (tmp / "proj" / "package.json").symlink_to("gone.json"))),
    Case("new-invalid-package-json", ["new", "proj", "--yes"], "package.json: not valid JSON",
         setup=write("proj/package.json", '{"name": }')),
    Case("new-missing-directory", ["new", "nope", "--yes"], "nope: not a directory"),
    Case("new-missing-preset", ["new", "proj", "--yes", "--preset", "nope.yaml"], "no such preset file",
         setup=npm_project()),
    Case("new-yes-existing-files", ["new", "proj", "--yes"], "Dockerfile already exists; use --force",
         setup=both(npm_project(), write("proj/Dockerfile", "FROM scratch\n"))),
    Case("new-save-preset-into-proc", ["new", "proj", "--yes", "--save-preset", "/proc/dockgen.yaml"],
         "/proc: cannot create files in this directory", setup=npm_project()),
    Case("new-save-preset-is-a-directory", ["new", "proj", "--yes", "--force", "--save-preset", "adir"],
         "adir: is a directory", setup=both(npm_project(), dir_named("adir"))),
    Case("scaffold-bad-port", ["scaffold", "--no-input", "--set", "port=0", "-o", "out"], "0 is out of range"),
    Case("scaffold-unknown-question", ["scaffold", "--no-input", "--set", "colour=red", "-o", "out"],
         "not a question of the scaffold template"),
    Case("scaffold-yarn-version-with-npm", ["scaffold", "--no-input", "--set", "yarn_version=4", "-o", "out"],
         "only applies to package_manager yarn"),
    Case("scaffold-bad-preset", ["scaffold", "--no-input", "--preset", "node-npm-slm", "-o", "out"],
         "did you mean 'node-npm-slim'"),
    Case("scaffold-output-is-a-file", ["scaffold", "--no-input", "-o", "afile"], "afile: not a directory",
         setup=write("afile", "x")),
    Case("verify-no-dockerfile", ["verify", "."], "no Dockerfile here"),
    # a real process: stdout that cannot be written, a user who cannot read
    Case("presets-to-full-disk", ["presets"], "cannot write to standard output: No space left", how="devfull"),
    Case("stdout-to-full-disk", ["render", "node-npm-slim", "--stdout"], "No space left on device", how="devfull"),
    Case("detect-to-full-disk", ["detect", "proj"], "No space left on device", setup=npm_project(), how="devfull"),
    Case("presets-to-closed-pipe", ["presets"], "cannot write to standard output: Broken pipe", how="closedpipe"),
    Case("detect-to-closed-pipe", ["detect", "proj"], "Broken pipe", setup=npm_project(), how="closedpipe"),
    Case("help-to-full-disk", ["--help"], "No space left on device", how="devfull"),
    Case("detect-proc-1-root", ["detect", "/proc/1/root"], "/proc/1/root", how="nobody"),
    Case("detect-unreadable", ["detect", "{tmp}/locked/proj"], "Permission denied", setup=locked(), how="nobody"),
    Case("render-into-unreadable", ["render", "node-npm-slim", "-o", "{tmp}/locked/proj"], "Permission denied",
         setup=locked(), how="nobody"),
    Case("render-new-dir-in-unreadable", ["render", "node-npm-slim", "-o", "{tmp}/locked/new/sub"],
         "Permission denied", setup=locked(), how="nobody"),
    Case("render-unreadable-preset", ["render", "{tmp}/locked/p.yaml"], "cannot read the preset file: Permission",
         setup=locked(), how="nobody"),
    Case("check-unreadable", ["render", "node-npm-slim", "--check", "-o", "{tmp}/locked/proj"], "Permission denied",
         setup=locked(), how="nobody"),
    Case("new-in-unreadable", ["new", "{tmp}/locked/proj", "--yes"], "Permission denied", setup=locked(),
         how="nobody"),
]


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under ``root``: type, mode, owner and content hash (or link target)."""
    entries: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            info = path.lstat()
            kind = stat.S_IFMT(info.st_mode)
            if stat.S_ISLNK(info.st_mode):
                detail: object = os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                detail = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                detail = None
            entries[str(path.relative_to(root))] = (kind, stat.S_IMODE(info.st_mode), info.st_uid, detail)
    return entries


def run_case(case: Case, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    args = [arg.replace("{tmp}", str(tmp)) for arg in case.args]
    if case.how == "inproc":
        monkeypatch.chdir(tmp)
        result = CliRunner().invoke(cli, args, prog_name="dockgen")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # pragma: no cover - shows the traceback the case must not produce
        return result.exit_code, result.stdout, result.stderr
    command = [sys.executable, "-m", "generator", *args]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
    cwd: Path | str = tmp
    if case.how == "nobody":
        if os.geteuid() != 0:
            if os.environ.get("CI"):
                pytest.fail("CI runs as root: this case must run as another user")
            pytest.skip("needs root to run as another user (setpriv)")
        # Root without capabilities is an ordinary user for permission checks (DAC override, ptrace) but can
        # still run the Python it was installed with: a user's Python and packages may live where nobody
        # could read them (/root/.pyenv).
        command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", *command]
        cwd = "/"
    if case.how == "closedpipe":  # the reader has gone (`dockgen presets | head -0`)
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            done = subprocess.run(command, cwd=cwd, env=env, stdout=write_end, stderr=subprocess.PIPE, text=True,
                                  timeout=60)
        finally:
            os.close(write_end)
        return done.returncode, "", done.stderr
    with open("/dev/full" if case.how == "devfull" else os.devnull, "w") as sink:
        if case.how == "devfull":
            done = subprocess.run(command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.PIPE, text=True,
                                  timeout=60)
            return done.returncode, "", done.stderr
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=c.marks) for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    if case.setup:
        case.setup(tmp_path)
    before = snapshot(tmp_path)
    code, stdout, stderr = run_case(case, tmp_path, monkeypatch)
    assert "Traceback" not in stdout + stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert lines[0].startswith("usage: " if case.id == "bare-dockgen" else "error: "), lines[0]
    assert case.fragment in lines[0], lines[0]
    assert len(lines[0]) < 400, "one readable line, not a dump"
    assert code == case.code, stderr
    assert snapshot(tmp_path) == before, "a failing command changed the directory"


def test_the_corpus_is_large_and_its_names_unique() -> None:
    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES)


def test_a_package_json_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_bytes(b'\xef\xbb\xbf{"scripts": {"start": "node app/main.js"}}')
    result = CliRunner().invoke(cli, ["detect", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "entrypoint: app/main.js" in result.stdout
    assert "not valid JSON" not in result.stderr
