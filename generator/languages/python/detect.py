"""Python project detection: package manager, Python line, start command, whether the project is a package.

Pure: reads requirements*.txt, pyproject.toml, the lockfiles, .python-version, Procfile and the app's
entry modules; every value says where it came from, and a value that had to be guessed says so in a warning.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

from ...detection import Detection, read_text, record
from ...errors import show
from .model import DEFAULT_PYTHON_VERSION, FIELDS, LOCKFILE_NAMES, PYTHON_VERSIONS, PythonPreset

MARKERS = ("pyproject.toml", "requirements.txt", "poetry.lock", "uv.lock", "setup.py")
LANGUAGE = "python"
PORT = FIELDS["port"].default

_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_CLAUSE = re.compile(r"^\s*(~=|==|!=|<=|>=|<|>)\s*([0-9]+)\.([0-9]+|\*)")
_ASSIGNED = r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]*)?=\s*(?:[A-Za-z_][A-Za-z0-9_.]*\.)?{cls}\("
#: Where a framework's app object usually lives, in the order looked at.
_APP_FILES = ("main.py", "app.py", "app/main.py", "src/main.py", "api.py", "server.py", "wsgi.py", "asgi.py")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _read_toml(path: Path, result: Detection) -> dict[str, Any] | None:
    text = read_text(path)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        result.warnings.append(f"{path.name}: not valid TOML ({exc}); ignored")
        return None


def _requirement_names(lines: list[str]) -> set[str]:
    names = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = _REQUIREMENT_NAME.match(line)
        if match:
            names.add(_normalize(match.group(1)))
    return names


def _dependencies(root: Path, pyproject: dict[str, Any]) -> set[str]:
    """The names of the project's production dependencies, from whichever manifest it has."""
    names = set(_requirement_names(list(pyproject.get("project", {}).get("dependencies", []) or [])))
    poetry = pyproject.get("tool", {}).get("poetry", {})
    names |= {_normalize(n) for n in (poetry.get("dependencies") or {}) if n.lower() != "python"}
    text = read_text(root / "requirements.txt")
    if text:
        names |= _requirement_names(text.splitlines())
    return names


def _detect_package_manager(root: Path, pyproject: dict[str, Any], result: Detection) -> str:
    tool = pyproject.get("tool", {})
    found = [pm for pm in ("uv", "poetry") if (root / LOCKFILE_NAMES[pm]).is_file()]
    if len(found) == 2:
        result.warnings.append("both uv.lock and poetry.lock are present: using uv; set package_manager if the "
                               "project installs with Poetry")
    if found:
        record(result, LANGUAGE, "package_manager", found[0], LOCKFILE_NAMES[found[0]])
        return found[0]
    for pm, table in (("poetry", "poetry"), ("uv", "uv")):
        if table in tool:
            record(result, LANGUAGE, "package_manager", pm, f"[tool.{table}] in pyproject.toml")
            result.warnings.append(f"{LOCKFILE_NAMES[pm]} is missing: the image installs exactly the lockfile; "
                                   f"create it with `{pm} lock` and commit it")
            return pm
    if (root / "requirements.txt").is_file():
        record(result, LANGUAGE, "package_manager", "pip", "requirements.txt")
        return "pip"
    how = "[project] in pyproject.toml, no lockfile" if "project" in pyproject else "no manifest found"
    record(result, LANGUAGE, "package_manager", "pip", f"a guess: {how}")
    result.warnings.append(f"package_manager: pip is a guess ({how}); pip installs requirements.txt, which is "
                           "missing: write pinned requirements (`uv pip compile` / `pip-compile`) or lock with uv")
    return "pip"


def _detect_requirements(root: Path, result: Detection) -> None:
    text = read_text(root / "requirements.txt")
    if text and "--hash=" in text:
        record(result, LANGUAGE, "require_hashes", True, "--hash pins in requirements.txt")
    elif text is not None:
        unpinned = [line.strip() for line in text.splitlines()
                    if _REQUIREMENT_NAME.match(line) and "==" not in line and "@" not in line]
        if unpinned:
            result.warnings.append(f"requirements.txt: {', '.join(unpinned[:3])} not pinned with ==: the image "
                                   "build is not reproducible (pin every package, ideally with --hash)")


_INDEX_LINE = re.compile(r"^\s*(?:-i|--index-url|--extra-index-url)[\s=]+(\S+)", re.MULTILINE)
_PUBLIC_INDEXES = ("https://pypi.org/simple", "https://pypi.python.org/simple")


def index_lines(text: str) -> list[str]:
    """The index URLs a requirements file names itself (pip takes them over the command line's)."""
    return _INDEX_LINE.findall(text)


def _detect_index(root: Path, pm: str, pyproject: dict[str, Any], result: Detection) -> None:
    """The project's package index: a mirror or private index the image build must use too."""
    tool = pyproject.get("tool", {})
    found: list[tuple[str, str]] = []
    if pm == "pip":
        found = [(url, "requirements.txt") for url in index_lines(read_text(root / "requirements.txt") or "")]
    elif pm == "uv":
        indexes = tool.get("uv", {}).get("index") or []
        found = [(i.get("url", ""), "[[tool.uv.index]] default = true") for i in indexes
                 if isinstance(i, dict) and i.get("default")]
    elif pm == "poetry":
        sources = tool.get("poetry", {}).get("source") or []
        found = [(s.get("url", ""), f"[[tool.poetry.source]] {s.get('name')} (primary)") for s in sources
                 if isinstance(s, dict) and s.get("priority") == "primary"]
    for url, how in found:
        if "@" in url.split("//", 1)[-1].split("/", 1)[0]:
            record(result, LANGUAGE, "index_secret", True, f"index credentials in {how.split(' ')[0]}")
            result.warnings.append(
                f"{how.split(' ')[0]}: an index URL carries credentials, which would reach the build's layers; put "
                "them in ~/.netrc and pass it as the build secret (index_secret: true; "
                "docker build --secret id=netrc,src=$HOME/.netrc), with the URL without them as registry_mirror")
            continue
        if url.rstrip("/") in _PUBLIC_INDEXES:
            continue
        if record(result, LANGUAGE, "registry_mirror", url, how) and pm == "pip":
            result.warnings.append(
                "requirements.txt names its index: pip takes that line over the registry_mirror the Dockerfile "
                "passes; drop the line so registry_mirror alone decides where packages come from")
        break


def _allowed_versions(spec: str) -> list[str]:
    """The Python lines of PYTHON_VERSIONS that a requires-python specifier admits (compared as X.Y)."""
    admitted = []
    for version in PYTHON_VERSIONS:
        minor = int(version.split(".")[1])
        ok = True
        for clause in spec.split(","):
            match = _CLAUSE.match(clause)
            if not match:
                continue
            op, major, other = match.group(1), int(match.group(2)), match.group(3)
            if major != 3 or other == "*":
                continue
            other_minor, own = int(other), minor
            ok &= {"~=": own >= other_minor, ">=": own >= other_minor, ">": own > other_minor,
                   "<=": own <= other_minor, "<": own < other_minor, "==": own == other_minor,
                   "!=": own != other_minor}[op]
        if ok:
            admitted.append(version)
    return admitted


def _detect_python(root: Path, pyproject: dict[str, Any], result: Detection, base: str) -> None:
    pinned = read_text(root / ".python-version")
    if pinned and pinned.strip():
        first = pinned.strip().splitlines()[0].strip()
        match = re.match(r"^(?:cpython-)?(3\.[0-9]+)", first)
        if match and record(result, LANGUAGE, "python_version", match.group(1), f".python-version ({first})"):
            return
        result.warnings.append(f".python-version says {show(first)}, which is no maintained CPython line; "
                               f"using {DEFAULT_PYTHON_VERSION}")
    spec = pyproject.get("project", {}).get("requires-python")
    if spec is None:
        python = pyproject.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
        spec = python if isinstance(python, str) else None
    if isinstance(spec, str):
        spec_text = spec.replace("^", ">=")
        admitted = _allowed_versions(spec_text)
        if base == "distroless":
            admitted = [v for v in admitted if v == DEFAULT_PYTHON_VERSION] or admitted
        if DEFAULT_PYTHON_VERSION in admitted:
            record(result, LANGUAGE, "python_version", DEFAULT_PYTHON_VERSION, f"requires-python {spec}")
        elif admitted:
            stable = [v for v in admitted if v != PYTHON_VERSIONS[-1]] or admitted
            record(result, LANGUAGE, "python_version", stable[-1], f"requires-python {spec}")
        else:
            result.warnings.append(f"requires-python {show(spec)} admits none of {', '.join(PYTHON_VERSIONS)}; "
                                   f"using {DEFAULT_PYTHON_VERSION}")
        return
    result.notes.append(f"python_version: {DEFAULT_PYTHON_VERSION} (default: no .python-version or requires-python)")


def _is_package(root: Path, pm: str, pyproject: dict[str, Any], result: Detection) -> None:
    tool = pyproject.get("tool", {})
    if pm == "poetry":
        poetry = tool.get("poetry", {})
        if poetry.get("package-mode", True) is False:
            return
        if "build-system" in pyproject or poetry.get("packages"):
            record(result, LANGUAGE, "install_project", True, "a Poetry project in package mode")
        return
    if pm == "uv" and tool.get("uv", {}).get("package") is False:
        return
    if "build-system" in pyproject:
        record(result, LANGUAGE, "install_project", True, "[build-system] in pyproject.toml")
    elif pm == "pip" and (root / "setup.py").is_file():
        record(result, LANGUAGE, "install_project", True, "setup.py")


def _app_object(root: Path, cls: str) -> tuple[str, str] | None:
    """``(module, variable)`` of the first ``variable = cls(...)`` in the usual app files."""
    pattern = re.compile(_ASSIGNED.format(cls=re.escape(cls)), re.MULTILINE)
    candidates = [*_APP_FILES, *(str(p.relative_to(root)) for p in sorted(root.glob("*/main.py")))]
    for name in candidates:
        text = read_text(root / name)
        match = pattern.search(text or "")
        if match:
            module = name[:-3].replace("/", ".")
            if module.startswith("src."):
                module = module[4:]
            return module, match.group(1)
    return None


def _procfile_command(root: Path, result: Detection) -> bool:
    text = read_text(root / "Procfile")
    if not text:
        return False
    for line in text.splitlines():
        if line.startswith("web:"):
            command = line[4:].strip()
            port_words = ("$PORT", "${PORT}")
            if any(w in command for w in port_words):
                for word in port_words:
                    command = command.replace(word, str(PORT))
                result.notes.append(f"command: $PORT in the Procfile replaced by {PORT} (the image's PORT)")
            try:
                words = shlex.split(command)
            except ValueError:
                words = []
            return record(result, LANGUAGE, "command", words, "Procfile web:")
    return False


def _detect_command(root: Path, pyproject: dict[str, Any], deps: set[str], result: Detection) -> None:
    if _procfile_command(root, result):
        return
    bind = f"0.0.0.0:{PORT}"
    wsgi = sorted(root.glob("*/wsgi.py"))
    if "django" in deps and (root / "manage.py").is_file() and wsgi:
        module = f"{wsgi[0].parent.name}.wsgi"
        record(result, LANGUAGE, "command", ["gunicorn", "--bind", bind, module], f"Django's WSGI module {module}")
        if "gunicorn" not in deps:
            result.warnings.append("command: gunicorn serves Django here, but it is not a dependency: add it")
        return
    for dependency, cls, server, command, providers in (
        ("fastapi", "FastAPI", "uvicorn", lambda target: ["uvicorn", target, "--host", "0.0.0.0", "--port", str(PORT)],
         ("uvicorn", "fastapi-cli")),
        ("flask", "Flask", "gunicorn", lambda target: ["gunicorn", "--bind", bind, target], ("gunicorn",)),
    ):
        found = _app_object(root, cls) if dependency in deps else None
        if found:
            target = f"{found[0]}:{found[1]}"
            record(result, LANGUAGE, "command", command(target), f"{cls} app {target}")
            if not deps & set(providers):
                result.warnings.append(f"command: {server} serves the {cls} app, but it is not a dependency: add it")
            return
    scripts = pyproject.get("project", {}).get("scripts") or pyproject.get("tool", {}).get("poetry", {}).get("scripts")
    if result.values.get("install_project") and isinstance(scripts, dict) and len(scripts) == 1:
        name = next(iter(scripts))
        record(result, LANGUAGE, "command", [name], f"the project's console script {name}")
        return
    for name in ("main.py", "app.py", "server.py"):
        if (root / name).is_file():
            record(result, LANGUAGE, "command", ["python", name], name)
            if name != "main.py":
                result.warnings.append(f"command: python {name} is a guess from the file name; check it")
            return
    packages = sorted(p.parent.name for p in [*root.glob("*/__main__.py"), *root.glob("src/*/__main__.py")])
    if packages:
        record(result, LANGUAGE, "command", ["python", "-m", packages[0]], f"{packages[0]}/__main__.py")
        return
    result.warnings.append("command: no Procfile, framework app or main.py found; using `python main.py` (a guess): "
                           "set command")


def project_warnings(project_dir: Path, preset: PythonPreset) -> list[str]:
    """Warnings about rendering ``preset`` for the project in ``project_dir`` (used by ``dockgen render``)."""
    root = Path(project_dir)
    needed = preset.requirements_file if preset.package_manager == "pip" else LOCKFILE_NAMES[preset.package_manager]
    found = []
    if needed and not (root / needed).is_file():
        found.append(f"{needed} is not in {root}: the image build copies it and will fail without it")
    requirements = read_text(root / needed) if preset.package_manager == "pip" and needed else None
    if preset.registry_mirror and requirements and index_lines(requirements):
        found.append(f"{needed} names its own index, which pip takes over registry_mirror: the mirror is bypassed; "
                     "drop the --index-url/--extra-index-url lines")
    if preset.install_project and not ((root / "pyproject.toml").is_file() or (root / "setup.py").is_file()):
        found.append(f"install_project: true, but {root} has no pyproject.toml or setup.py to build the package from")
    return found


def detect(project_dir: Path | str, base: str | None = None) -> Detection:
    """Infer Python preset keys from the project in ``project_dir``."""
    root = Path(project_dir)
    base = base if base in FIELDS["base"].choices else FIELDS["base"].default
    result = Detection()
    if not root.is_dir():
        result.warnings.append(f"{root}: not a directory; nothing detected")
        return result
    result.values["language"] = LANGUAGE
    pyproject = _read_toml(root / "pyproject.toml", result) or {}
    pm = _detect_package_manager(root, pyproject, result)
    result.lockfiles = {name: (root / (LOCKFILE_NAMES[name])).is_file() for name in LOCKFILE_NAMES}
    if pm == "pip":
        _detect_requirements(root, result)
    _detect_index(root, pm, pyproject, result)
    _detect_python(root, pyproject, result, base)
    _is_package(root, pm, pyproject, result)
    _detect_command(root, pyproject, _dependencies(root, pyproject), result)
    return result
