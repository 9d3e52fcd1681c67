"""Golden records: the exact text of every built-in preset's output.

A change here is a change users see. Regenerate with `python tests/regen_golden.py` and review.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import builtin_presets, load_preset, render
from generator.model import preset_from_mapping
from generator.presets import read_preset_data

GOLDEN = Path(__file__).parent / "golden"


def test_every_builtin_preset_has_a_golden_record() -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(builtin_presets())


@pytest.mark.parametrize("name", sorted(builtin_presets()))
def test_output_matches_golden(name: str) -> None:
    files = render(load_preset(name)).files
    for path, text in files.items():
        golden = (GOLDEN / name / path).read_text(encoding="utf-8")
        assert text == golden, f"{name}/{path} changed: run python tests/regen_golden.py and review the diff"
    assert sorted(p.name for p in (GOLDEN / name).iterdir()) == sorted(files)


def test_builtin_presets_cover_every_base_and_package_manager() -> None:
    presets = [load_preset(name) for name in builtin_presets()]
    for language, managers in (("node", {"npm", "yarn classic", "yarn berry", "pnpm"}),
                               ("python", {"pip", "Poetry", "uv"})):
        own = [p for p in presets if p.language == language]
        assert {p.base for p in own} == {"full", "slim", "alpine", "distroless"}, language
        assert {p.package_manager_label for p in own} == managers, language
    # Every built-in preset says what it is (`dockgen presets`), valid for the model, though it labels no image.
    assert all(read_preset_data(name)[0].get("description") for name in builtin_presets())
    assert all(preset_from_mapping(read_preset_data(name)[0], name).description for name in builtin_presets())
    seed = load_preset("node-yarn-npmmirror-shanghai")
    assert (seed.package_manager, seed.registry_mirror, seed.timezone) == (
        "yarn", "https://registry.npmmirror.com", "Asia/Shanghai")
