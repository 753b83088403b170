"""Key paths into nested mappings (parsed YAML/JSON): one reader and one writer for every
module that walks ``.bedrock_agentcore.yaml`` or the render record."""

from __future__ import annotations

from typing import Any


def get_path(doc: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` (None when any step is missing or not a mapping)."""
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def set_path(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set ``path`` to ``value``, creating (or replacing non-mapping) steps on the way."""
    for key in path[:-1]:
        if not isinstance(doc.get(key), dict):
            doc[key] = {}
        doc = doc[key]
    doc[path[-1]] = value
