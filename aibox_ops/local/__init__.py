"""``deploy --local``: the agent in an isolated venv on 127.0.0.1, no Docker and no AWS.

- ``start_local(settings, port=8080, detach=False, progress=None) -> LocalRuntime``
- ``stop_local(settings) -> dict``
- ``read_local(settings) -> dict | None`` (the running agent's pid, port, url)
"""

from .runtime import DEFAULT_PORT, LocalRuntime, read_local, start_local, stop_local

__all__ = ["DEFAULT_PORT", "LocalRuntime", "read_local", "start_local", "stop_local"]
