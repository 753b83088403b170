"""Warm-up pings that keep real AgentCore sessions warm: the pool, schedules, pings, measures.

Public API (doctor's cold-start check and deploy's warm phase use these):
``plan_schedules(session, settings, state) -> Plan``, ``apply_schedules(session, plan)``,
``remove_schedules(session, settings)``, ``read_schedules(session, settings)``,
``ping(send, session_ids, count)`` with ``runtime_sender``/``local_sender``,
``load_pool(settings)``/``plan_pool``/``apply_pool`` and ``pick_session(ids, key)``.
Nothing here imports boto3 at module import time.
"""

from __future__ import annotations

from .apply import apply_schedules, remove_schedules
from .ping import PingResult, local_sender, ping, runtime_sender
from .plan import plan_schedules
from .pool import POOL_PATH, apply_pool, load_pool, pick_session, plan_pool
from .read import WarmSchedules, read_schedules
from .runtime import RuntimeRef, read_runtime

__all__ = [
    "POOL_PATH", "PingResult", "RuntimeRef", "WarmSchedules", "apply_pool", "apply_schedules",
    "load_pool", "local_sender", "pick_session", "ping", "plan_pool", "plan_schedules",
    "read_runtime", "read_schedules", "remove_schedules", "runtime_sender",
]
