"""What makes `dockgen render` start fast gives the same answers as the slow way: the time zone check,
and the compiled-template cache."""

from __future__ import annotations

import importlib
import os
import zoneinfo
from pathlib import Path

import pytest

from generator import fields, load_preset, render

render_module = importlib.import_module("generator.render")  # `generator.render` is also the function


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


def render_with_cache(cache_dir: str) -> dict[str, str]:
    render_module.environment.cache_clear()
    os.environ["DOCKGEN_CACHE_DIR"] = cache_dir
    try:
        return render(load_preset("node-yarn-npmmirror-shanghai")).files
    finally:
        del os.environ["DOCKGEN_CACHE_DIR"]
        render_module.environment.cache_clear()


def test_compiled_templates_are_cached_and_give_the_same_output(tmp_path: Path) -> None:
    uncached = render_with_cache("")
    first = render_with_cache(str(tmp_path / "cache"))
    entries = sorted((tmp_path / "cache").iterdir())
    assert len(entries) >= 3  # Dockerfile, .dockerignore and the package manager's macros
    second = render_with_cache(str(tmp_path / "cache"))
    assert uncached == first == second
    assert sorted((tmp_path / "cache").iterdir()) == entries


def test_a_cache_that_cannot_be_written_costs_only_the_compile(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert render_with_cache(str(blocker / "cache")) == render_with_cache("")


def test_the_default_cache_is_in_the_users_cache_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKGEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/x/cache")
    assert render_module.template_cache_dir() == "/x/cache/dockgen/templates"
    monkeypatch.setenv("DOCKGEN_CACHE_DIR", "")
    assert render_module.template_cache_dir() is None
