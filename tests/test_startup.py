"""What makes `dockgen render` start fast gives the same answers as the slow way: the time zone check,
the cache of rendered files and the compiled-template cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest

from generator import builtin_presets, fields, load_preset, render, rendercache
from generator.languages import get_language

ROOT = Path(__file__).resolve().parent.parent


def test_a_time_zone_is_found_directly_exactly_when_zoneinfo_lists_it() -> None:
    listed = zoneinfo.available_timezones()
    assert listed, "this machine has a tz database"
    assert all(fields._is_zone_file(name) for name in listed)
    root = Path(fields._tz_roots()[0])
    others = {"posixrules", "right/UTC", "posix/UTC", "zone.tab", "tzdata.zi", "iso3166.tab", "Asia", "Nowhere/City",
              *(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "right" not in p.parts)}
    for name in others - listed:
        assert not fields._is_zone_file(name), name


def test_the_tz_roots_are_zoneinfos(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fields._tz_roots() == zoneinfo.TZPATH


def test_cached_renders_equal_fresh_ones_for_every_golden_preset(tmp_path: Path) -> None:
    presets = sorted((ROOT / "tests" / "golden").iterdir())
    assert presets
    for directory in presets:
        preset = load_preset(directory.name) if (ROOT / "presets" / f"{directory.name}.yaml").exists() else None
        if preset is None:
            continue
        fresh = render(preset).files
        first = render(preset, cache_dir=tmp_path).files  # renders with Jinja and stores
        again = render(preset, cache_dir=tmp_path).files  # comes from the cache
        assert fresh == first == again, directory.name
    assert len(list((tmp_path / "renders").iterdir())) >= len(builtin_presets())
    assert list((tmp_path / "templates").iterdir())  # Jinja's compiled templates


def test_a_cached_render_does_not_import_jinja(tmp_path: Path) -> None:
    env = {**os.environ, "DOCKGEN_CACHE_DIR": str(tmp_path)}
    probe = ("import sys\nfrom generator.batch import render_presets\n"
             "render_presets(['node-pnpm-slim'], to_stdout=True)\nprint('jinja2' in sys.modules, file=sys.stderr)\n")
    first = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert first.stderr.strip() == "True" and second.stderr.strip() == "False"
    assert first.stdout == second.stdout == render(load_preset("node-pnpm-slim")).files["Dockerfile"]


def test_any_change_to_a_source_gives_another_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "node", templates / "node")
    preset = load_preset("node-npm-slim")
    context = get_language("node").context(preset)
    outputs = get_language("node").outputs
    cache = rendercache.OutputCache(tmp_path / "cache", "node", templates)
    cache.store(context, outputs, {"Dockerfile": "A", ".dockerignore": "B"})
    assert cache.load(context, outputs) == {"Dockerfile": "A", ".dockerignore": "B"}
    other = get_language("node").context(load_preset("node-npm-slim", ["port=8080"]))
    assert cache.load(other, outputs) is None  # another preset: another key
    (templates / "node" / "Dockerfile.jinja").write_text("changed\n")
    rendercache.fingerprint.cache_clear()
    assert cache.load(context, outputs) is None  # a template changed: the entry is not used


def test_a_broken_entry_or_unusable_directory_only_costs_time(tmp_path: Path) -> None:
    preset = load_preset("node-yarn-slim")
    render(preset, cache_dir=tmp_path)
    for entry in (tmp_path / "renders").iterdir():
        entry.write_bytes(b"garbage")
    assert render(preset, cache_dir=tmp_path).files == render(preset).files
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert render(preset, cache_dir=blocker / "cache").files == render(preset).files


def test_the_cache_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKGEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/x/cache")
    assert rendercache.cache_root() == Path("/x/cache/dockgen")
    monkeypatch.setenv("DOCKGEN_CACHE_DIR", "")
    assert rendercache.cache_root() is None
    monkeypatch.setenv("DOCKGEN_CACHE_DIR", "/y")
    assert rendercache.cache_root() == Path("/y")
