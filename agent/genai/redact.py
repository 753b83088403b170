"""Remove API-key-like fragments from text the agent returns or logs.

Providers echo keys back in errors ("Incorrect API key provided: sk-****3a9c"), URLs carry
them (``?key=AIza...``), and tracebacks repeat both. Even a masked key identifies it, so every
form is replaced by ``[redacted]``. The configured keys themselves are replaced wherever they
appear (``register_secret``).
"""

from __future__ import annotations

import logging
import re
import threading

REDACTED = "[redacted]"
_PATTERNS = (
    # OpenAI/Anthropic/most gateways: sk-..., sk-proj-..., sk-ant-..., masked sk-****3a9c.
    re.compile(r"\bsk-(?=[A-Za-z0-9_\-*]*[0-9*])[A-Za-z0-9_\-*]{4,}"),
    # Google API keys (AIza + 35 chars), masked or not.
    re.compile(r"\bAIza[0-9A-Za-z_\-*]{6,}"),
    # AWS access key ids.
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    # Authorization headers.
    re.compile(r"(?i)\b(?:bearer|basic)\s+[A-Za-z0-9._~+/=\-*]{8,}"),
)
# Secret-named values: ``name=value`` (URLs, forms, env), ``"name": "value"`` (JSON, dict
# reprs) and ``X-Api-Key: value`` headers. A bare "key: ..." in prose is left alone.
_NAMES = r"(?:x-)?api[_-]?key|key|token|access[_-]?token|secret|password|authorization"
_VALUE = r"""(?!\[redacted\])[^\s"'&,;)}\]]{6,}"""
_NAMED = (
    re.compile(rf"(?i)\b({_NAMES})(\s*=\s*)({_VALUE})"),
    re.compile(rf"""(?i)(["'](?:{_NAMES})["']\s*:\s*["'])({_VALUE})"""),
    re.compile(rf"(?i)\b((?:x-)?(?:goog-)?api-key|authorization)(\s*:\s*)({_VALUE})"),
)
_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Redact this exact value (a configured API key) from everything from now on."""
    if len(value) >= 8:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with key-like fragments and registered secrets replaced by ``[redacted]``."""
    if not text:
        return text
    for secret in tuple(_secrets):
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    for pattern in _NAMED:
        text = pattern.sub(lambda m: "".join(m.groups()[:-1]) + REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter: the formatted message and traceback text of every record, redacted."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            if not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            # Formatters that read exc_info themselves (the framework's JSON one) see clones.
            clone = _redacted_clone(record.exc_info[1])
            record.exc_info = (type(clone), clone, record.exc_info[2])
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _redacted_clone(exc: BaseException, depth: int = 0) -> BaseException:
    """An exception of the same class name, message redacted, same traceback and chain."""
    if getattr(exc, "_aibox_redacted", False):
        return exc
    cls = type(type(exc).__name__, (Exception,), {"__module__": type(exc).__module__,
                                                  "_aibox_redacted": True})
    clone = cls(redact(str(exc)))
    clone.__traceback__ = exc.__traceback__
    clone.__suppress_context__ = exc.__suppress_context__
    if depth < 5:
        if exc.__cause__ is not None:
            clone.__cause__ = _redacted_clone(exc.__cause__, depth + 1)
        if exc.__context__ is not None:
            clone.__context__ = _redacted_clone(exc.__context__, depth + 1)
    return clone


def install_log_redaction(*handlers: logging.Handler) -> None:
    """Add one RedactingFilter to each handler (idempotent)."""
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
