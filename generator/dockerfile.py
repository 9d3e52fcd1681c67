"""A small Dockerfile reader: instructions and stages, enough to check what was generated.

Used by the tests (to assert on meaning, not only text) and by `dockgen verify` (to find the
runtime stage's base image and port). It understands comments, line continuations and
`FROM image AS name`; it does not expand ARGs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str
    line: int

    def json_args(self) -> list[str] | None:
        """The exec-form arguments (`["a", "b"]`), or None for shell form."""
        try:
            args = json.loads(self.value)
        except ValueError:
            return None
        if isinstance(args, list) and all(isinstance(a, str) for a in args):
            return args
        return None


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword.upper()]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None


def parse(text: str) -> list[Instruction]:
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped by Docker too
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1].strip())
            continue
        pending.append(line)
        joined = " ".join(part for part in pending if part)
        keyword, _, value = joined.partition(" ")
        instructions.append(Instruction(keyword.upper(), value.strip(), start))
        pending = []
    if pending:
        raise ValueError(f"line {start}: instruction continues past the end of the file")
    return instructions


def stages(text: str) -> list[Stage]:
    result: list[Stage] = []
    for instruction in parse(text):
        if instruction.keyword == "FROM":
            words = [w for w in instruction.value.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            result.append(Stage(base=words[0], name=name))
        elif instruction.keyword == "ARG" and not result:
            continue
        elif result:
            result[-1].instructions.append(instruction)
        else:
            raise ValueError(f"line {instruction.line}: {instruction.keyword} before the first FROM")
    return result


_DIRECTIVE = re.compile(r"#[ \t]*([A-Za-z]+)[ \t]*=.*")


def without_syntax_directive(text: str) -> str:
    """``text`` without its ``# syntax=`` parser directive, every other byte unchanged.

    BuildKit pulls the frontend image that directive names from a registry; without it, the daemon's
    built-in frontend builds the file (it knows cache and secret mounts). Parser directives count only in
    the comment lines at the very top, so only a ``syntax`` directive there is removed.
    """
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        match = _DIRECTIVE.fullmatch(line.rstrip("\r\n"))
        if not match:
            break
        if match.group(1).lower() == "syntax":
            return "".join(lines[:index] + lines[index + 1:])
    return text
