"""Convert client-side history (role/content pairs) into strands messages."""

from __future__ import annotations

from typing import Any


def build_conversation(
    turns: list[dict[str, str]], prompt: str
) -> tuple[list[dict[str, Any]], str]:
    """Strands messages for prior turns, and the prompt to send after them.

    Merges same-role neighbours and drops a leading assistant turn; a trailing user turn
    is folded into the prompt.

    Converse rejects two consecutive messages of one role and a leading assistant turn;
    clients do send both (e.g. after a failed request), so we repair instead of failing.
    """
    messages: list[dict[str, Any]] = []
    for turn in turns:
        text = turn["content"]
        if not text:
            continue
        if not messages and turn["role"] == "assistant":
            continue
        if messages and messages[-1]["role"] == turn["role"]:
            messages[-1]["content"][0]["text"] += "\n\n" + text
        else:
            messages.append({"role": turn["role"], "content": [{"text": text}]})
    if messages and messages[-1]["role"] == "user":
        prompt = messages.pop()["content"][0]["text"] + "\n\n" + prompt
    return messages, prompt
