"""Tool names (as the deployment guide lists them) and their lazy loaders."""

from __future__ import annotations

import importlib
import os
from typing import Any

LEGACY_TOOLS: tuple[str, ...] = (
    "get_weather",
    "search_internet",
    "search_wikipedia",
    "get_text_from_url",
    "generate_image",
)
STRANDS_TOOLS: tuple[str, ...] = ("current_time", "calculator", "http_request", "sleep", "speak")
ALL_TOOLS: frozenset[str] = frozenset(LEGACY_TOOLS + STRANDS_TOOLS)

# name -> (module, attribute); the module is imported on first use only.
_LOCATIONS: dict[str, tuple[str, str]] = {
    "get_weather": ("genai.tools.weather", "get_weather"),
    "search_internet": ("genai.tools.search", "search_internet"),
    "search_wikipedia": ("genai.tools.search", "search_wikipedia"),
    "get_text_from_url": ("genai.tools.web", "get_text_from_url"),
    "generate_image": ("genai.tools.media", "generate_image"),
    "current_time": ("strands_tools.current_time", "current_time"),
    # CPU/memory-unbounded: runs in a worker process under limits (genai.tools.sandbox).
    "calculator": ("genai.tools.isolated", "calculator"),
    "http_request": ("genai.tools.web", "http_request"),
    "sleep": ("genai.tools.pause", "sleep"),
    "speak": ("genai.tools.media", "speak"),
}


def select_tools(
    enabled: bool, legacy_tools: list[str], strands_tools_enabled: bool
) -> list[str]:
    """The tool names a request gets, in catalogue order, without duplicates."""
    if not enabled:
        return []
    chosen = set(legacy_tools)
    if strands_tools_enabled:
        chosen.update(STRANDS_TOOLS)
    return [name for name in LEGACY_TOOLS + STRANDS_TOOLS if name in chosen]


def load_tool(name: str) -> Any:
    """Import and return the strands tool object registered under ``name``."""
    # No tool may ever wait for a console consent prompt inside the server.
    os.environ.setdefault("BYPASS_TOOL_CONSENT", "true")
    module_name, attribute = _LOCATIONS[name]
    return getattr(importlib.import_module(module_name), attribute)
