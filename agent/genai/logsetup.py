"""Process logging: stderr always, ``logs/app.log`` when LOG_TO_FILE is on."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from genai.config import in_container

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_to_file_enabled() -> bool:
    """LOG_TO_FILE, defaulting to off in a container and on elsewhere."""
    raw = os.environ.get("LOG_TO_FILE")
    if raw is None:
        return not in_container()
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def default_log_path() -> Path:
    """``$LOG_DIR/app.log``, LOG_DIR defaulting to ``logs`` next to the entry point."""
    base = os.environ.get("LOG_DIR") or str(Path(__file__).resolve().parent.parent / "logs")
    return Path(base) / "app.log"


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
            handler = logging.FileHandler(path, encoding="utf-8")
        except OSError as exc:
            warning = f"Cannot write log file {path} ({exc.strerror or exc}); logging to stderr"
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
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
