"""A small Dockerfile reader: instructions with their line numbers, and ENV values."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

_CONTINUATION = re.compile(r"\\\s*$")


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: keyword (upper case), its arguments, its first line."""

    keyword: str
    args: str
    line: int

    @property
    def flags(self) -> dict[str, str]:
        """``--chown=...`` style flags of COPY/ADD/RUN."""
        out = {}
        for token in self.args.split():
            if not token.startswith("--"):
                break
            name, _, value = token[2:].partition("=")
            out[name] = value
        return out

    @property
    def operands(self) -> list[str]:
        """Arguments after the flags (JSON array form of COPY/CMD understood)."""
        text = self.args.strip()
        if text.startswith("["):
            import json

            try:
                return [str(v) for v in json.loads(text)]
            except ValueError:
                pass
        words = _split(text)
        while words and words[0].startswith("--"):
            words.pop(0)
        return words


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions in order; comments dropped, continuation lines joined."""
    out: list[Instruction] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are skipped by Docker
        if not buffer:
            start = number
        if _CONTINUATION.search(raw):
            buffer.append(_CONTINUATION.sub("", raw))
            continue
        buffer.append(raw)
        joined = " ".join(part.strip() for part in buffer if part.strip())
        buffer = []
        keyword, _, args = joined.partition(" ")
        out.append(Instruction(keyword.upper(), args.strip(), start))
    if buffer:
        joined = " ".join(part.strip() for part in buffer if part.strip())
        keyword, _, args = joined.partition(" ")
        out.append(Instruction(keyword.upper(), args.strip(), start))
    return out


def env_values(instructions: list[Instruction]) -> dict[str, tuple[str, int]]:
    """Every ENV the image ends up with: name -> (value, line); later ENV lines win."""
    env: dict[str, tuple[str, int]] = {}
    for ins in instructions:
        if ins.keyword != "ENV":
            continue
        words = _split(ins.args)
        if words and "=" not in words[0]:
            env[words[0]] = (" ".join(words[1:]), ins.line)  # legacy `ENV NAME value`
            continue
        for word in words:
            name, sep, value = word.partition("=")
            if sep:
                env[name] = (value, ins.line)
    return env


def final_user(instructions: list[Instruction]) -> tuple[str, int] | None:
    """The last USER (name or uid, line), or None when the image runs as root by default."""
    users = [(ins.operands[0] if ins.operands else "", ins.line)
             for ins in instructions if ins.keyword == "USER"]
    return users[-1] if users else None


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return text.split()
