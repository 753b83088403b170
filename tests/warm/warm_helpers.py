"""Warm test helpers (a module of its own: every test folder has a conftest)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers import make_project  # noqa: E402

WARM_TOOL = ('[tool.aibox-ops]\nagent_name = "my_aibox_agent"\n\n'
             "[tool.aibox-ops.warm]\nenabled = true\ninterval_minutes = {interval}\n"
             "sessions = {sessions}\n")


def warm_project(root: Path, sessions: int = 3, interval: int = 5) -> Path:
    """A project with warm-up enabled (rewrites pyproject.toml when called again)."""
    return make_project(root, WARM_TOOL.format(sessions=sessions, interval=interval))
