"""Client-only media from tools (images, audio), kept out of the model's context.

A tool stores a markdown data-URL line under its toolUseId; the chunk mapper appends it
to that tool's ``result`` for the client, while the model only sees a short text.
"""

from __future__ import annotations

import base64
import threading
from typing import Any

STATE_KEY = "aibox_attachments"


class Attachments:
    """Per-invocation store: toolUseId -> markdown lines."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, list[str]] = {}

    def add(self, tool_use_id: str, line: str) -> None:
        """Attach one line to a tool call's client-facing result."""
        with self._lock:
            self._items.setdefault(tool_use_id, []).append(line)

    def pop(self, tool_use_id: str) -> list[str]:
        """Take the lines attached to a tool call (empty if none)."""
        with self._lock:
            return self._items.pop(tool_use_id, [])


def data_url_markdown(kind: str, mime: str, data: bytes, label: str) -> str:
    """A markdown image or link carrying ``data`` inline."""
    url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return f"![{label}]({url})" if kind == "image" else f"[{label}]({url})"


def attach(tool_context: Any, line: str) -> bool:
    """Attach ``line`` for the calling tool; False when no store is present."""
    store = (getattr(tool_context, "invocation_state", None) or {}).get(STATE_KEY)
    if not isinstance(store, Attachments):
        return False
    store.add(str(tool_context.tool_use.get("toolUseId", "")), line)
    return True
