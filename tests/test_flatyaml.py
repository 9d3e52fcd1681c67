"""The fast flat-YAML reader agrees with PyYAML on every document it accepts, and accepts real presets."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from generator import flatyaml
from generator.presets import builtin_presets, parse_yaml

ROOT = Path(__file__).resolve().parent.parent

VALUES = [
    "", "x", "slim", "index.js", "dist/index.js", "Asia/Shanghai", "Etc/GMT+8", "https://registry.npmmirror.com",
    "https://r.example:8443/npm/", "0", "7", "3000", "010", "0x1f", "0o17", "1_000", "1:30", "+1", "-1", "1.5",
    "1e3", ".inf", ".nan", "2024-01-01", "2001-12-14t21:59:43.10-05:00", "~", "null", "Null", "NULL", "nul",
    "true", "True", "TRUE", "tRue", "false", "yes", "Yes", "no", "NO", "on", "Off", "y", "n", "Y", "=", "<<",
    "a b", "npm app on node:24 slim", "a: b", "a:", "a:b", "a #b", "a#b", "a # comment", "# only a comment",
    "'quoted'", "''", "'it''s'", "'a' # c", "'a'x", '"double"', '""', '"a\\tb"', '"a # b"', '"unterminated',
    "'unterminated", "[a, b]", "{a: 1}", "&anchor x", "*alias", "!tag x", "|", ">", "- a", "? a", "@x", "`x",
    "./cmd/server", "/abs/path", "./", "/", ".5", ".inf", ".x", "../x", "./a: b", "/a #c",
    "%x", "a, b", "f(x)", "a=b", "x~", "musl; no addons", "it's", "say \"hi\"", "a!b", "a?", "a&b", "a*b", "run `npm run build` $x^2", "é", "a\tb", "trailing  ", "12345678901234567890", "a\x01",
]
KEYS = ["port", "base", "yes", "null", "a_b", "_x", "9x", "k-1"]


def corpus() -> list[str]:
    docs = [f"{key}: {value}\n" for key, value in itertools.product(KEYS, VALUES)]
    docs += [f"key:{value}\n" for value in VALUES] + [f"key: {value}" for value in VALUES]
    docs += [
        "", "\n", "# just a comment\n", "---\nport: 1\n", "port: 1\n...\n", "port: 1\nport: 2\n", "port: 1\r\n",
        "  port: 1\n", "port: 1\n  # indented comment\nbase: slim\n", "description: a\n  b\n", "port : 1\n",
        "a: 1\nb:\nc: # c\n", "list:\n- a\n", "map:\n  k: v\n", "\ufeffport: 1\n", "port:\t1\n", "port: 1 \n",
    ]
    for path in [*builtin_presets().values(), *sorted(ROOT.glob("tests/**/*.yaml"))]:
        docs.append(path.read_text(encoding="utf-8"))
    return docs


def pyyaml(text: str) -> object:
    try:
        return ("ok", yaml.safe_load(text))
    except yaml.YAMLError:
        return ("error", None)


def typed(value: object) -> object:
    """Compare 1 and True (equal in Python) as different values."""
    if isinstance(value, dict):
        return {typed(k): typed(v) for k, v in value.items()}
    return (type(value).__name__, value)


@pytest.mark.parametrize("text", corpus())
def test_whatever_it_accepts_pyyaml_reads_the_same(text: str) -> None:
    fast = flatyaml.load(text)
    if fast is flatyaml.NOT_FLAT:
        return
    kind, expected = pyyaml(text)
    assert kind == "ok", f"flatyaml accepted a document PyYAML refuses: {text!r}"
    assert typed(fast) == typed(expected), text


@pytest.mark.parametrize("text", [*VALUES, " slim ", "  'a' ", "a\nb", "# only", "x: y", "[1]"])
def test_a_lone_scalar_reads_as_pyyaml_reads_it(text: str) -> None:
    fast = flatyaml.scalar(text)
    if fast is flatyaml.NOT_FLAT:
        return
    kind, expected = pyyaml(text)
    assert kind == "ok" and typed({"v": fast}) == typed({"v": expected}), text


def test_the_corpus_exercises_both_paths() -> None:
    results = [flatyaml.load(text) is flatyaml.NOT_FLAT for text in corpus()]
    assert results.count(True) > 100 and results.count(False) > 100


def test_every_builtin_preset_takes_the_fast_path() -> None:
    for name, path in builtin_presets().items():
        assert flatyaml.load(path.read_text(encoding="utf-8")) is not flatyaml.NOT_FLAT, name


def test_parse_yaml_falls_back_to_pyyaml_with_its_error() -> None:
    assert parse_yaml("port: [1, 2]\n", "x.yaml") == {"port": [1, 2]}
    from generator.errors import UserError

    with pytest.raises(UserError, match="duplicate key 'port'"):
        parse_yaml("port: 1\nport: 2\n", "x.yaml")
