"""Turn exceptions into short, client-safe error messages (no tracebacks)."""

from __future__ import annotations

MAX_ERROR_CHARS = 500


def describe_error(exc: BaseException) -> str:
    """One line naming the problem; AWS errors keep their code."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        err = response["Error"]
        text = f"Model provider error ({err.get('Code', 'Unknown')}): {err.get('Message', '')}"
    else:
        detail = str(exc).strip()
        if not detail and isinstance(exc, TimeoutError):
            detail = "the request timed out"
        text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"
