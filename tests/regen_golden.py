"""Regenerate the golden records: one directory per built-in preset under tests/golden/.

    python tests/regen_golden.py

Review the diff (git diff tests/golden) before committing: it is the change users will see.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import builtin_presets, load_preset, render  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"


def expected() -> dict[str, dict[str, str]]:
    return {name: render(load_preset(name)).files for name in builtin_presets()}


def main() -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for name, files in expected().items():
        for path, text in files.items():
            target = GOLDEN / name / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}/ for {len(builtin_presets())} presets")


if __name__ == "__main__":
    main()
