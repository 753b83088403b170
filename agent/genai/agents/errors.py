"""Turn exceptions into short, client-safe error messages (no tracebacks, no object reprs)."""

from __future__ import annotations

import re

from genai.redact import redact

MAX_ERROR_CHARS = 500
# "<strands.tools.mcp.mcp_client.MCPClient object at 0x7f05...>", "<function f at 0x...>".
_OBJECT_REPR = re.compile(r"<([^<>]*?) at 0x[0-9a-fA-F]+>")


def _bare_name(match: re.Match[str]) -> str:
    words = match.group(1).removesuffix(" object").split()
    return words[-1].rsplit(".", 1)[-1] if words else "object"


def sanitize(text: str) -> str:
    """Client-safe text: object reprs (with memory addresses) become the bare class/function
    name, and API-key-like fragments are redacted (``genai.redact``)."""
    return redact(_OBJECT_REPR.sub(_bare_name, text) if " at 0x" in text else text)


def innermost_message(exc: BaseException) -> BaseException:
    """The innermost exception with a message in ``exc``'s cause chain.

    Follows ``__cause__`` and the first member of exception groups (anyio task groups wrap
    the real error); wrappers add little, the innermost explained error says what failed.
    """
    chosen = exc
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if str(current).strip() and not isinstance(current, BaseExceptionGroup):
            chosen = current
        if isinstance(current, BaseExceptionGroup) and current.exceptions:
            current = current.exceptions[0]
        else:
            current = current.__cause__
    return chosen


def describe_error(exc: BaseException, provider_label: str = "Model provider") -> str:
    """One line naming the problem; AWS errors keep their code (``<label> error (Code)``)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        err = response["Error"]
        code, message = err.get("Code", "Unknown"), err.get("Message", "")
        text = f"{provider_label} error ({code}): {message}"
    else:
        detail = str(exc).strip()
        if not detail and isinstance(exc, TimeoutError):
            detail = "the request timed out"
        text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return clip(sanitize(text))


def clip(text: str) -> str:
    """Cut an error text to MAX_ERROR_CHARS."""
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"
