"""A strands tool whose calls run in the tool sandbox (``genai.tools.sandbox``)."""

from __future__ import annotations

from typing import Any

from strands.types.events import ToolResultEvent
from strands.types.tools import AgentTool, ToolSpec, ToolUse

from genai.tools import sandbox


class IsolatedTool(AgentTool):
    """Same name and spec as the real tool; each call goes to a worker process."""

    def __init__(self, name: str, spec: ToolSpec, box: sandbox.ToolSandbox) -> None:
        super().__init__()
        self._name = name
        self._spec = spec
        self._box = box

    @property
    def tool_name(self) -> str:
        return self._name

    @property
    def tool_spec(self) -> ToolSpec:
        return self._spec

    @property
    def tool_type(self) -> str:
        return "python"

    async def stream(self, tool_use: ToolUse, invocation_state: dict[str, Any],
                     **kwargs: Any) -> Any:
        """Yield the single ToolResult of the call (an error result on any limit)."""
        plain = {"toolUseId": tool_use.get("toolUseId", ""), "name": self._name,
                 "input": tool_use.get("input") or {}}
        result = await self._box.run(self._name, plain)
        yield ToolResultEvent(result)


def isolated_tool(name: str) -> IsolatedTool:
    """The sandboxed tool ``name`` (blocking: may wait for a worker's first start)."""
    box = sandbox.shared()
    return IsolatedTool(name, box.spec(name), box)


def __getattr__(name: str) -> IsolatedTool:
    """``genai.tools.isolated.calculator`` etc.: how the catalogue loads sandboxed tools."""
    if name in sandbox.SANDBOXED:
        return isolated_tool(name)
    raise AttributeError(name)
