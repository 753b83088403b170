"""Where the local runtime keeps things: a per-user venv cache and a per-project state dir."""

from __future__ import annotations

import os
from pathlib import Path

from ..config import Settings

STATE_DIR = ".aibox-ops/local"  # in the project; .gitignore'd
STATE_FILE = "agent.json"  # pid, port, URL of the running local agent
AGENT_LOG = "agent.log"
PIP_LOG = "pip.log"


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/aibox-ops``, else ``~/.cache/aibox-ops``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "aibox-ops"


def venvs_dir() -> Path:
    """Folder holding one virtual environment per requirements hash."""
    return cache_root() / "venvs"


def state_dir(settings: Settings) -> Path:
    """The project's local-runtime folder (state file and logs)."""
    return settings.path(STATE_DIR)


def state_file(settings: Settings) -> Path:
    """The running agent's state file (JSON: pid, port, url, ...)."""
    return state_dir(settings) / STATE_FILE


def agent_log(settings: Settings) -> Path:
    """The local agent's stdout/stderr."""
    return state_dir(settings) / AGENT_LOG


def pip_log(settings: Settings) -> Path:
    """pip's output from the last environment build."""
    return state_dir(settings) / PIP_LOG
