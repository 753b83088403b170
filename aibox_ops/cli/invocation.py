"""How the user ran aibox-ops, so every hint names a command that works as typed.

The README's quick start runs it as ``uv run aibox-ops``, which never puts ``aibox-ops`` on
the shell's PATH: a hint saying ``aibox-ops fix-iam`` would then fail. ``as_invoked(text)``
rewrites each ``aibox-ops <command>`` in a hint to the prefix the user typed
(``uv run aibox-ops``, ``uvx aibox-ops``, ``python -m aibox_ops``, a venv's path), and leaves
the text alone when ``aibox-ops`` itself is on PATH. JSON output keeps the canonical name.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

NAME = "aibox-ops"
# Every command of the CLI (tests/test_invocation.py checks it against the app).
COMMANDS = ("render", "sync-requirements", "config", "init", "deploy", "status", "logs",
            "rollback", "endpoint", "destroy", "fix-iam", "warm", "doctor", "invoke", "provision",
            "secrets")
_MENTION = re.compile(r"(?<![\w./\[-])aibox-ops(?= (?:" + "|".join(map(re.escape, COMMANDS))
                      + r")\b| --)")


def invoked_as(argv0: str | None = None, environ: Mapping[str, str] | None = None,
               which: Callable[[str], str | None] = shutil.which,
               cwd: Path | None = None) -> str:
    """The command prefix that runs aibox-ops the way it was run this time."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    env = os.environ if environ is None else environ
    path = Path(argv0)
    uv_run = "uv run " if env.get("UV_RUN_RECURSION_DEPTH") else ""
    if path.name == "__main__.py" and path.parent.name == "aibox_ops":
        return f"{uv_run}python -m aibox_ops"
    if path.name != NAME:  # embedded (tests, another program): the canonical name
        return NAME
    if "archive-v0" in path.parts:  # uvx / `uv tool run`: an environment in uv's cache
        source = _installed_from()
        return f"uvx --from {source} {NAME}" if source else f"uvx {NAME}"
    if uv_run:  # `uv run` puts the venv on the child's PATH, not on the shell's
        return f"uv run {NAME}"
    found = which(NAME)
    if found and _same(found, argv0, which):
        return NAME
    try:  # a venv's script run by its path
        return str(path.resolve().relative_to((cwd or Path.cwd()).resolve()))
    except (ValueError, OSError):
        return str(path)


def as_invoked(text: str, prefix: str | None = None) -> str:
    """``text`` with each ``aibox-ops <command>`` written the way the user runs it."""
    prefix = invoked_as() if prefix is None else prefix
    return text if prefix == NAME or not text else _MENTION.sub(prefix, text)


def _installed_from() -> str | None:
    """Where this aibox-ops was installed from when not from an index (PEP 610's
    ``direct_url.json``: a local folder or a git URL), for ``uvx --from``."""
    import json
    from importlib import metadata

    try:
        info = json.loads(metadata.distribution(NAME).read_text("direct_url.json") or "null")
    except (metadata.PackageNotFoundError, ValueError):
        return None
    if not isinstance(info, dict) or not isinstance(info.get("url"), str):
        return None
    url = info["url"]
    if url.startswith("file://"):
        return url[len("file://"):]
    vcs = info.get("vcs_info") or {}
    return f"{vcs.get('vcs', 'git')}+{url}" if vcs else url


def _same(found: str, argv0: str, which: Callable[[str], str | None]) -> bool:
    if os.sep not in argv0:  # typed as a bare name: found on PATH by the shell
        return which(argv0) == found or argv0 == NAME
    try:
        return os.path.samefile(found, argv0)
    except OSError:
        return False
