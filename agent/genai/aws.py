"""The one place that creates boto3 sessions and clients (lazily, cached)."""

from __future__ import annotations

import threading
from typing import Any

from genai.config import default_region

_lock = threading.Lock()
_sessions: dict[str, Any] = {}
_clients: dict[tuple[str, str], Any] = {}


def _new_session(region: str) -> Any:
    import boto3

    return boto3.Session(region_name=region)


def session(region: str | None = None) -> Any:
    """A cached ``boto3.Session`` for ``region`` (None: ``config.default_region()``)."""
    region = region or default_region()
    with _lock:
        if region not in _sessions:
            _sessions[region] = _new_session(region)
        return _sessions[region]


def client_config(read_timeout: float = 30.0) -> Any:
    """Botocore config with bounded connect/read time and standard retries."""
    from botocore.config import Config

    return Config(
        connect_timeout=5,
        read_timeout=read_timeout,
        retries={"mode": "standard"},
        user_agent_extra="myaibox-agent",
    )


def client(service: str, region: str | None = None, read_timeout: float = 30.0) -> Any:
    """A cached boto3 client; clients are thread-safe, so one per service and region.

    ``region`` None means ``config.default_region()`` (AWS_REGION first), always passed on.
    """
    region = region or default_region()
    key = (service, region)
    cached = _clients.get(key)
    if cached is not None:
        return cached
    made = session(region).client(
        service, region_name=region, config=client_config(read_timeout)
    )
    with _lock:
        return _clients.setdefault(key, made)


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError, else the exception class name."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or type(exc).__name__)
    return type(exc).__name__


def reset() -> None:
    """Forget cached sessions and clients (tests switch endpoints between cases)."""
    with _lock:
        _sessions.clear()
        _clients.clear()
