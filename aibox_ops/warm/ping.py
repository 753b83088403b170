"""Health pings to the runtime (InvokeAgentRuntime) or the local runtime, concurrently.

Cold or warm is read from the agent's own answer: the ``health`` action reports its process
uptime, and a process younger than the request's round trip was started for that request
(a cold start). Answers without an uptime are judged by nothing: "unknown".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from .target import DEFAULT_QUALIFIER, health_payload

# Pings of a pool run at once, up to this many in flight (the largest pool warm allows).
MAX_IN_FLIGHT = 50

Sender = Callable[[dict[str, Any], str], list[dict[str, Any]]]


@dataclass(frozen=True)
class PingResult:
    """One health ping: how long it took and whether the session looked cold."""

    session_id: str
    latency_ms: float
    verdict: str  # cold | warm | unknown | failed
    uptime_s: float | None = None
    error: str | None = None
    exit_code: int | None = None  # of the error aibox-ops raised for it, when it was one

    @property
    def ok(self) -> bool:
        """Whether the agent answered healthy."""
        return self.verdict != "failed"

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {**asdict(self), "ok": self.ok}


def runtime_sender(session: Any, runtime_arn: str, qualifier: str = DEFAULT_QUALIFIER) -> Sender:
    """Send through InvokeAgentRuntime (``aibox_ops.invoke.invoke_runtime``, SigV4).

    Building a botocore client costs tens of milliseconds of CPU, which would serialise a
    pool of 50 pings: the session (an AwsSession) makes one client per region, under its
    lock, with a connection pool as large as the pings in flight, and every ping reuses it
    (botocore clients are thread-safe).
    """
    from ..invoke import invoke_runtime

    def send(payload: dict[str, Any], session_id: str) -> list[dict[str, Any]]:
        return list(invoke_runtime(session, runtime_arn, payload, session_id=session_id,
                                   qualifier=qualifier, pool_size=MAX_IN_FLIGHT))

    return send


def local_sender(url: str) -> Sender:
    """Send to a local runtime (``deploy --local`` or uvicorn) at ``url``."""
    from ..invoke import invoke_local

    def send(payload: dict[str, Any], session_id: str) -> list[dict[str, Any]]:
        return list(invoke_local(url, payload, session_id=session_id))

    return send


def ping(send: Sender, session_ids: Iterable[str], count: int = 1,
         action: str = "health", max_in_flight: int = MAX_IN_FLIGHT,
         clock: Callable[[], float] = time.perf_counter) -> list[PingResult]:
    """Ping every session ``count`` times: sessions at once (bounded), each session's pings
    one after another (so the first may be cold and the rest show the warm latency).

    Failures are results (verdict "failed"), never raised: a pool keeps being pinged.
    Results come back grouped by session, in the order of ``session_ids``.
    """
    ids = list(session_ids)
    payload = health_payload(action)

    def one_session(session_id: str) -> list[PingResult]:
        return [ping_once(send, session_id, payload, clock) for _ in range(count)]

    if len(ids) <= 1 or max_in_flight <= 1:
        return [r for sid in ids for r in one_session(sid)]
    with ThreadPoolExecutor(max_workers=max(1, min(max_in_flight, len(ids)))) as pool:
        return [r for results in pool.map(one_session, ids) for r in results]


def ping_once(send: Sender, session_id: str, payload: dict[str, Any] | None = None,
              clock: Callable[[], float] = time.perf_counter) -> PingResult:
    """One timed ping; any failure becomes a "failed" result naming the error."""
    start = clock()
    try:
        chunks = send(payload or health_payload(), session_id)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops a pool
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        code = getattr(exc, "exit_code", None)
        return PingResult(session_id, _ms(clock() - start), "failed", error=message,
                          exit_code=int(code) if code is not None else None)
    elapsed = clock() - start
    return classify(session_id, elapsed, chunks)


def classify(session_id: str, elapsed_s: float, chunks: list[dict[str, Any]]) -> PingResult:
    """Turn the agent's answer into a result (pure)."""
    answer = next((c for c in chunks if isinstance(c, dict) and "status" in c), None)
    if answer is None:
        error = next((str(c["error"]) for c in chunks if isinstance(c, dict) and "error" in c),
                     "no health status in the reply")
        return PingResult(session_id, _ms(elapsed_s), "failed", error=error)
    if str(answer.get("status")).lower() not in ("healthy", "healthybusy"):
        return PingResult(session_id, _ms(elapsed_s), "failed",
                          error=f"agent reports status {answer.get('status')!r}")
    uptime = answer.get("uptime_seconds")
    if not isinstance(uptime, int | float):
        return PingResult(session_id, _ms(elapsed_s), "unknown")
    verdict = "cold" if uptime < elapsed_s else "warm"
    return PingResult(session_id, _ms(elapsed_s), verdict, float(uptime))


def failure_error(results: list[PingResult]) -> Any:
    """The error to exit with when pings failed (None when all answered): AwsError when
    every failure was an AWS one (permissions, throttling), else AgentError."""
    from ..errors import AgentError, AwsError, ExitCode

    failed = [r for r in results if not r.ok]
    if not failed:
        return None
    first = failed[0].error
    message = f"{len(failed)} of {len(results)} ping(s) failed; first: {first}"
    if all(r.exit_code == ExitCode.AWS for r in failed):
        return AwsError(message, hint="Check the caller's bedrock-agentcore:InvokeAgentRuntime "
                        "permission and the runtime's status (`aibox-ops status`).")
    return AgentError(message, hint="Is the runtime up? `aibox-ops warm status`, and the "
                      "agent's logs (`aibox-ops logs`), say more.")


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)
