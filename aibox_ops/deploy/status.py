"""``aibox-ops status``: the runtime, its endpoints (DEFAULT and the named ones, each with the
version it serves), its versions in AWS, the last deploys and endpoint moves, and warm-up
schedules."""

from __future__ import annotations

from typing import Any

from ..aws import AwsSession
from ..config import Settings
from ..deploy_state import load_deploy_state
from .endpoints import read_endpoint_rows
from .history import load_history
from .hooks import optional
from .runtime_api import list_versions, read_endpoint, read_runtime

RECENT = 5


def read_status(session: AwsSession, settings: Settings) -> dict[str, Any]:
    """Everything status shows, as data (the ``--json`` document without ``ok``)."""
    state = load_deploy_state(settings)
    history = load_history(settings)
    warnings: list[str] = []
    runtime: dict[str, Any] | None = None
    endpoint: dict[str, Any] | None = None
    versions: list[dict[str, Any]] = []
    endpoints: list[dict[str, Any]] = []
    if state.agent_id:
        info = read_runtime(session, state.agent_id)
        if info is None:
            warnings.append(f"runtime {state.agent_id} is recorded but no longer exists "
                            "(deleted outside aibox-ops); `aibox-ops deploy` creates a new one")
            runtime = {"agent_id": state.agent_id, "status": "MISSING"}
        else:
            runtime = info.to_dict()
            raw = read_endpoint(session, state.agent_id)
            endpoint = None if raw is None else {
                "status": raw.get("status"), "live_version": raw.get("liveVersion"),
                "target_version": raw.get("targetVersion"),
                "arn": raw.get("agentRuntimeEndpointArn")}
            versions = _versions(session, state.agent_id, history)
            endpoints = read_endpoint_rows(session, state.agent_id, history)
            for version in versions:  # which endpoints serve each version
                version["served_by"] = [e["name"] for e in endpoints
                                        if e["live_version"] == str(version["version"])]
            if info.environment != settings.container_env:
                warnings.append("the runtime's environment differs from the settings; "
                                "`aibox-ops deploy` sends the configured one")
    return {"agent_name": settings.agent_name, "region": settings.region,
            "stage": settings.stage, "deployed": runtime is not None
            and runtime.get("status") != "MISSING", "runtime": runtime, "endpoint": endpoint,
            "endpoints": endpoints, "versions": versions, "state": state.to_dict(),
            "created": dict(history.created),
            "deploys": [r.to_dict() for r in history.deploys[-RECENT:]][::-1],
            "endpoint_moves": [r.to_dict() for r in history.endpoints[-RECENT:]][::-1],
            "schedules": _schedules(session, settings, warnings), "warnings": warnings}


def _versions(session: AwsSession, agent_id: str, history: Any) -> list[dict[str, Any]]:
    """The runtime's versions in AWS, newest first; ``in_history``: deployed by aibox-ops
    (a version it never deployed, e.g. the starter toolkit's, is a rollback target too)."""
    ours = {r.runtime_version for r in history.deploys if r.runtime_version}
    return [{"version": v.get("agentRuntimeVersion"), "status": v.get("status"),
             "updated": str(v.get("lastUpdatedAt") or ""),
             "in_history": v.get("agentRuntimeVersion") in ours}
            for v in list_versions(session, agent_id)]


def _schedules(session: AwsSession, settings: Settings, warnings: list[str]) -> Any:
    warm = optional("aibox_ops.warm")
    if warm is None or not hasattr(warm, "read_schedules"):
        warnings.append("warm-up schedules: not in this build (issue 12)")
        return None
    return warm.read_schedules(session, settings).to_dict()
