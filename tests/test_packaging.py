"""A non-editable install works from any directory: templates and presets ship inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                   check=True)
    (path,) = out.glob("dockgen_cli-*.whl")
    return path


def test_wheel_carries_templates_and_presets(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "generator/templates/node/Dockerfile.jinja" in names
    assert "generator/templates/node/dockerignore.jinja" in names
    assert "generator/presets/node-npm-slim.yaml" in names
    assert "generator/tzlinks.txt" in names
    assert "generator/preset.schema.json" in names
    assert any(n.startswith("generator/templates/node/pm/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "dockgen = generator.entry:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_renders_a_builtin_preset_anywhere(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # System site-packages provide the dependencies (no network); the wheel itself goes into the venv.
    venv.EnvBuilder(with_pip=True, system_site_packages=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True)
    work = tmp_path / "empty"
    work.mkdir()
    where = subprocess.run([str(python), "-c", "import generator.paths as p; print(p.templates_dir())"],
                           cwd=work, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(env_dir)), f"templates came from {where}, not the installed wheel"
    proc = subprocess.run([str(env_dir / "bin" / "dockgen"), "render", "node-npm-slim"], cwd=work,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in work.iterdir()) == [".dockerignore", "Dockerfile"]
    golden = ROOT / "tests" / "golden" / "node-npm-slim"
    assert (work / "Dockerfile").read_text() == (golden / "Dockerfile").read_text()
    listing = subprocess.run([str(env_dir / "bin" / "dockgen"), "presets"], cwd=work, capture_output=True,
                             text=True, check=True).stdout
    assert "node-yarn-npmmirror-shanghai" in listing
