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


# ---- strict checking: what BuildKit and buildah 1.28 would both accept, and dockgen's own rules -------

KEYWORDS = frozenset({"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
                      "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"})
_FLAGS = {"RUN": ("--mount", "--network", "--security"), "COPY": ("--from", "--chown", "--chmod"),
          "ADD": ("--chown", "--chmod", "--checksum")}
_MOUNT_TYPES = ("bind", "cache", "secret", "tmpfs", "ssh")


def _words(value: str) -> list[str]:
    """``value`` split as the Dockerfile lexer splits it (quotes, backslash escapes); ValueError if broken."""
    import shlex

    lexer = shlex.shlex(value, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer)


def _flags(instruction: Instruction) -> tuple[dict[str, list[str]], str]:
    flags: dict[str, list[str]] = {}
    rest = instruction.value
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        name, _, value = flag.partition("=")
        flags.setdefault(name, []).append(value)
        rest = rest.lstrip()
    return flags, rest


def _check_instruction(instruction: Instruction, names: set[str]) -> list[str]:
    where = f"line {instruction.line}: {instruction.keyword}"
    keyword, value = instruction.keyword, instruction.value
    problems = []
    if keyword not in KEYWORDS:
        return [f"line {instruction.line}: unknown instruction {keyword}"]
    if not value:
        return [f"{where} has no arguments"]
    if any(ord(ch) < 32 for ch in value):
        problems.append(f"{where} has a control character")
    if "<<" in value and keyword in ("RUN", "COPY", "ADD"):
        problems.append(f"{where} uses a heredoc (buildah 1.28 cannot build it)")
    flags, rest = _flags(instruction)
    for flag, values in flags.items():
        if flag not in _FLAGS.get(keyword, ()):
            problems.append(f"{where} has flag {flag}, which it does not take here (buildah or BuildKit)")
        for option in values if flag == "--mount" else ():
            fields = dict(part.partition("=")[::2] for part in option.split(","))
            if fields.get("type", "bind") not in _MOUNT_TYPES:
                problems.append(f"{where} mounts an unknown type {fields.get('type')}")
            target = fields.get("target") or fields.get("dst") or fields.get("destination")
            if fields.get("type") != "secret" and not (target or "").startswith("/"):
                problems.append(f"{where} has a relative or missing mount target (buildah 1.28 refuses it)")
        for source in values if flag == "--from" else ():
            if source not in names and ":" not in source and "/" not in source:
                problems.append(f"{where} copies from {source}, which is no earlier stage")
    if keyword in ("CMD", "ENTRYPOINT") and instruction.json_args() is None:
        problems.append(f"{where} is in shell form; allowed: exec form, a JSON array")
    if keyword in ("LABEL", "ENV"):
        try:
            pairs = _words(rest)
        except ValueError as exc:
            return [*problems, f"{where}: {exc}"]
        if not pairs or any("=" not in pair or not pair.partition("=")[0] for pair in pairs):
            problems.append(f"{where} is not a list of key=value pairs")
    if keyword == "EXPOSE" and not all(p.split("/")[0].isdigit() and 1 <= int(p.split("/")[0]) <= 65535
                                       for p in rest.split()):
        problems.append(f"{where} exposes something that is not a port")
    if keyword == "WORKDIR" and not rest.startswith("/"):
        problems.append(f"{where} is relative")
    if keyword == "USER" and not all(part.isdigit() for part in rest.split(":")):
        problems.append(f"{where} is not numeric (Kubernetes runAsNonRoot cannot check a name)")
    if keyword in ("COPY", "ADD") and len(rest.split()) < 2:
        problems.append(f"{where} needs a source and a destination")
    return problems


def problems(text: str) -> list[str]:
    """Everything wrong with a generated Dockerfile, strictly: an empty list when it is fine.

    Checks each instruction (known keyword, flags the instruction takes under both builders, absolute
    mount targets, no heredocs, stage references, exec-form CMD/ENTRYPOINT, key=value pairs that the
    Dockerfile lexer can split, ports, absolute WORKDIR, numeric USER) and the stages (unique lower-case
    names; the last stage runs a non-root user with a CMD or ENTRYPOINT).
    """
    try:
        instructions = parse(text)
        result = stages(text)
    except ValueError as exc:
        return [str(exc)]
    found: list[str] = []
    names: set[str] = set()
    for instruction in instructions:
        if instruction.keyword == "FROM":
            words = instruction.value.split()
            if len(words) not in (1, 3) or (len(words) == 3 and words[1].upper() != "AS"):
                found.append(f"line {instruction.line}: FROM is not `image [AS name]`")
            elif len(words) == 3:
                name = words[2]
                if name in names or name != name.lower():
                    found.append(f"line {instruction.line}: stage name {name} is repeated or not lower-case")
                names.add(name)
            continue
        found += _check_instruction(instruction, names)
    if not result:
        return [*found, "no FROM"]
    final = result[-1]
    user = final.last("USER")
    if user is None or user.value.split(":")[0] in ("0", "root"):
        found.append("the final stage runs as root")
    if final.last("CMD") is None and final.last("ENTRYPOINT") is None:
        found.append("the final stage has no CMD or ENTRYPOINT")
    return found


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
