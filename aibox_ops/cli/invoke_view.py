"""Render an invocation's chunks live: text on stdout as it arrives; thinking (dimmed),
tool calls (running / finished) and the metadata footer on stderr, so ``> file`` keeps just
the answer. ``--json`` writes JSON Lines instead (see docs/invoke.md)."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.markup import escape

from ..invoke import InvokeSummary
from .output import console

RESULT_CHARS = 160


class ChunkView:
    """Feed chunks in; it prints each as it comes and keeps an InvokeSummary."""

    def __init__(self) -> None:
        self.summary = InvokeSummary()
        self._err = console()
        self._mid_line = False  # stdout has text without a newline yet
        self._thinking = False

    def show(self, chunk: dict[str, Any]) -> None:
        """Print one chunk."""
        self.summary.feed(chunk)
        if isinstance(chunk.get("thinking"), str) and chunk["thinking"]:
            if not self._thinking:
                self._break()
                self._thinking = True
            self._err.print(escape(chunk["thinking"]), style="dim italic", end="")
        if isinstance(chunk.get("text"), str) and chunk["text"]:
            self._end_thinking()
            self._write(chunk["text"])
        if isinstance(chunk.get("tool_use"), dict):
            self._tool(chunk["tool_use"])
        if "response" in chunk or "tool_calls" in chunk:
            self._body(chunk)
        if self.summary.body is chunk and not ("response" in chunk or "tool_calls" in chunk):
            self._write(json.dumps(chunk, indent=2, ensure_ascii=False) + "\n")

    def finish(self, session_id: str | None, target: str) -> None:
        """The footer: model, tokens, time, and how to continue the conversation."""
        if not self.summary.chunks:
            return  # nothing arrived: the error says why
        self._end_thinking()
        self._break()
        meta = self.summary.metadata
        parts = []
        if meta.get("model_id"):
            parts.append(f"model {meta['model_id']} ({meta.get('provider', '?')})")
        usage = meta.get("usage") or {}
        if usage.get("totalTokens"):
            parts.append(f"{usage.get('inputTokens', 0)} in / "
                         f"{usage.get('outputTokens', 0)} out tokens")
        if isinstance(meta.get("duration_ms"), (int, float)):
            parts.append(f"{meta['duration_ms'] / 1000:.1f} s")
        if meta.get("fallback"):
            parts.append(f"fallback: {meta['fallback']}")
        parts.append(target)
        self._err.print(escape(" · ".join(parts)), style="dim")
        if session_id:  # --session-id continues a conversation only where history is kept
            kept = meta.get("history_kept")
            how = (f" (continue with --session-id {escape(session_id)})" if kept else
                   " (the agent keeps no history)" if kept is False else "")
            self._err.print(f"session {escape(session_id)}{how}", style="dim")
        # An agent error is not printed here: the command raises it, and it is reported once.

    def _tool(self, tool: dict[str, Any]) -> None:
        self._end_thinking()
        self._break()
        name = escape(str(tool.get("name") or "?"))
        status = tool.get("status")
        if status == "running":
            params = json.dumps(tool.get("params") or {}, ensure_ascii=False)
            self._err.print(f"[cyan]→ {name}[/] [dim]{escape(_clip(params))} running…[/]")
        elif status == "error":
            self._err.print(f"[red]✗ {name}[/] [dim]{escape(_clip(str(tool.get('result'))))}[/]")
        else:
            self._err.print(f"[green]✓ {name}[/] "
                            f"[dim]{escape(_clip(str(tool.get('result') or '')))}[/]")

    def _body(self, body: dict[str, Any]) -> None:
        for call in body.get("tool_calls") or []:
            if isinstance(call, dict):
                self._tool(call)
        if isinstance(body.get("response"), str) and body["response"]:
            self._write(body["response"])

    def _write(self, text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()
        self._mid_line = not text.endswith("\n")

    def _break(self) -> None:
        if self._mid_line:
            self._write("\n")

    def _end_thinking(self) -> None:
        if self._thinking:
            self._err.print()
            self._thinking = False


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= RESULT_CHARS else text[: RESULT_CHARS - 1] + "…"
