"""Process logging: stderr always, ``$LOG_DIR/app.log`` when LOG_TO_FILE is on.

Every handler involved redacts API-key-like text (``genai.redact``), and the framework's
"Invocation completed successfully" line, which it logs for any HTTP 200 including bodies
with ``status: error``, is replaced by the agent's own outcome line.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from genai.config import in_container
from genai.redact import install_log_redaction

# ``ids``: " [request <id> session <id>]" while a request is served, else empty.
_FORMAT = "%(asctime)s %(levelname)s %(name)s%(ids)s: %(message)s"


class RequestIds(logging.Filter):
    """Add ``record.ids``: the AgentCore request and session id of the request being
    served (the framework's own context variables, as its JSON log lines carry them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.ids = request_ids()
        return True


def request_ids() -> str:
    """`` [request R session S]`` for the current request (parts unknown are left out)."""
    try:
        from bedrock_agentcore.runtime.context import BedrockAgentCoreContext

        request_id = BedrockAgentCoreContext.get_request_id()
        session_id = BedrockAgentCoreContext.get_session_id()
    except Exception:  # outside a request, or another framework version
        return ""
    parts = [f"request {request_id}" if request_id else "",
             f"session {session_id}" if session_id else ""]
    text = " ".join(p for p in parts if p)
    return f" [{text}]" if text else ""


def log_to_file_enabled() -> bool:
    """LOG_TO_FILE, defaulting to off in a container and on elsewhere."""
    raw = os.environ.get("LOG_TO_FILE")
    if raw is None:
        return not in_container()
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def default_log_path() -> Path:
    """``$LOG_DIR/app.log``. LOG_DIR defaults to ``logs`` next to the entry point in a
    container (the guide's ``/app/logs``) and, elsewhere, to a per-user state folder
    (``$XDG_STATE_HOME`` or ``~/.local/state``, then ``myaibox-agent/logs``) so a local run
    leaves no files in the source tree.
    """
    base = os.environ.get("LOG_DIR")
    if not base and in_container():
        base = str(Path(__file__).resolve().parent.parent / "logs")
    if not base:
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        base = str(Path(state) / "myaibox-agent" / "logs")
    return Path(base) / "app.log"


class _DropFrameworkSuccess(logging.Filter):
    """Drop bedrock_agentcore's "Invocation completed successfully": it is logged for every
    HTTP 200, also for ``status: error`` bodies; agentcore_app logs the real outcome."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Invocation completed successfully")


def _guard_other_loggers() -> None:
    framework = logging.getLogger("bedrock_agentcore.app")
    if not any(isinstance(f, _DropFrameworkSuccess) for f in framework.filters):
        framework.addFilter(_DropFrameworkSuccess())
    others = [h for name in ("bedrock_agentcore.app", "uvicorn", "uvicorn.error", "uvicorn.access")
              for h in logging.getLogger(name).handlers]
    others += logging.getLogger().handlers
    if logging.lastResort is not None:
        others.append(logging.lastResort)
    install_log_redaction(*others)


def configure_logging(level: str | None = None) -> logging.Handler:
    """Attach one handler to the ``genai`` and ``agentcore_app`` loggers; return it.

    A log file that cannot be opened (the guide's PermissionError in a root-owned /app)
    falls back to stderr with a single warning instead of crashing the server.
    """
    handler: logging.Handler | None = None
    warning = None
    if log_to_file_enabled():
        path = default_log_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(path, encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            warning = f"Cannot write log file {path} ({exc.strerror or exc}); logging to stderr"
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RequestIds())
    install_log_redaction(handler)
    _guard_other_loggers()
    lvl = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    for name in ("genai", "agentcore_app"):
        logger = logging.getLogger(name)
        logger.setLevel(lvl)
        for old in [h for h in logger.handlers if getattr(h, "_aibox", False)]:
            logger.removeHandler(old)
            old.close()
        handler._aibox = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False
    if warning:
        logging.getLogger("genai").warning(warning)
    return handler
