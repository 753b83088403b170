"""Paths and the permissions manifest, shared by conftest and tests."""

from __future__ import annotations

import json
from pathlib import Path

AGENT_DIR = Path(__file__).resolve().parents[2] / "agent"
MANIFEST = AGENT_DIR / "permissions.json"


def manifest_operations() -> set[tuple[str, str]]:
    """(botocore service name, operation) pairs the permissions manifest declares."""
    data = json.loads(MANIFEST.read_text())
    return {(st["service"], op) for st in data["statements"] for op in st["operations"]}
