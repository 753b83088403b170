"""Named runtime endpoints: ``aibox-ops endpoint list|set|delete`` and ``rollback --endpoint``.

Every CreateAgentRuntime/UpdateAgentRuntime makes an immutable runtime version. DEFAULT
follows the latest version by itself; a named endpoint serves the version it was given and
moves only through UpdateAgentRuntimeEndpoint, which builds nothing and makes no new
version. So rolling a named endpoint back is one call, then a wait until it is READY on
that version, then a health invocation through it (``qualifier=NAME``); each move is
recorded in the history's ``endpoints`` list, and an endpoint aibox-ops created is listed
in ``created["endpoints"]`` (``endpoint delete`` removes only those; ``destroy`` lists every
named endpoint, since AWS deletes them with the runtime).

``plan_*`` read AWS and write nothing; ``apply_*`` write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..aws import AwsSession, agentcore
from ..config import Settings
from ..deploy_state import load_deploy_state
from ..errors import AwsError, InputError, RefusedError
from ..plan import Change, Plan
from .history import EndpointRecord, History, load_history, save_history
from .phases import PhaseReport, Skip
from .runtime_api import RuntimeInfo, list_versions

DEFAULT = "DEFAULT"
CREATED_KEY = "endpoints"  # History.created["endpoints"]: names aibox-ops created


@dataclass(frozen=True)
class EndpointMove:
    """A planned write to one named endpoint: create it on, or move it to, ``to_version``
    (``to_version`` None: delete it)."""

    runtime_id: str
    name: str
    action: str  # create | set | rollback | delete | unchanged
    from_version: str | None
    to_version: str | None

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form (the ``--json`` extras)."""
        return {"endpoint": self.name, "runtime_id": self.runtime_id, "action": self.action,
                "from_version": self.from_version, "to_version": self.to_version}


@dataclass
class EndpointResult:
    """What applying a move did: the endpoint's last reply and the health check."""

    move: EndpointMove
    endpoint: dict[str, Any] = field(default_factory=dict)
    health: str = ""


def endpoint_row(raw: dict[str, Any], created: list[str]) -> dict[str, Any]:
    """One endpoint as status and ``endpoint list`` show it (pure)."""
    name = raw.get("name") or raw.get("endpointName") or ""
    return {"name": name, "status": raw.get("status"),
            "live_version": _text(raw.get("liveVersion")),
            "target_version": _text(raw.get("targetVersion")),
            "arn": raw.get("agentRuntimeEndpointArn"), "description": raw.get("description"),
            "follows_latest": name == DEFAULT, "created_by_aibox_ops": name in created}


def read_endpoint_rows(session: AwsSession, runtime_id: str, history: History,
                       ) -> list[dict[str, Any]]:
    """Every endpoint of the runtime (DEFAULT first, then by name) as ``endpoint_row``s."""
    created = created_endpoints(history)
    rows = [endpoint_row(raw, created) for raw in agentcore.list_endpoints(session, runtime_id)]
    return sorted(rows, key=lambda r: (r["name"] != DEFAULT, r["name"]))


def read_endpoints(session: AwsSession, settings: Settings) -> dict[str, Any]:
    """The deployed runtime's endpoints and versions (``endpoint list``)."""
    runtime, history = _own_runtime(session, settings)
    return {"agent_name": settings.agent_name, "region": settings.region,
            "runtime_id": runtime.agent_id, "latest_version": runtime.version,
            "versions": _numbers(session, runtime),
            "endpoints": read_endpoint_rows(session, runtime.agent_id, history)}


def created_endpoints(history: History) -> list[str]:
    """The endpoint names the history records as created by aibox-ops."""
    names = history.created.get(CREATED_KEY)
    return [str(n) for n in names] if isinstance(names, list) else []


def plan_endpoint_set(session: AwsSession, settings: Settings, name: str,
                      version: str | None = None) -> tuple[Plan, EndpointMove]:
    """Create endpoint ``name`` on ``version`` (default: the latest), or move it there
    when it exists. Reads AWS, writes nothing."""
    _refuse_default(name, "endpoint set",
                    "`aibox-ops deploy` moves it (a new version); name another endpoint")
    runtime, _ = _own_runtime(session, settings)
    numbers = _numbers(session, runtime)
    to_version = _check_version(version, numbers, name) if version else (
        numbers[0] if numbers else str(runtime.version))
    current = agentcore.read_endpoint(session, runtime.agent_id, name)
    if current is None:
        move = EndpointMove(runtime.agent_id, name, "create", None, to_version)
        reason = f"new endpoint {name} serving version {to_version} (no new runtime version)"
    else:
        serving = _serving(current)
        same = serving == to_version and current.get("status") == "READY"
        move = EndpointMove(runtime.agent_id, name, "unchanged" if same else "set", serving,
                            to_version)
        reason = (f"already serves version {to_version}" if same else
                  f"version {serving} -> {to_version} (no build, no new runtime version)")
    return _plan("endpoint set", move, reason), move


def plan_endpoint_rollback(session: AwsSession, settings: Settings, name: str,
                           version: str | None = None) -> tuple[Plan, EndpointMove]:
    """Move endpoint ``name`` back to ``version`` (default: the newest runtime version
    older than the one it serves now). Reads AWS, writes nothing."""
    _refuse_default(name, "rollback --endpoint",
                    "`aibox-ops rollback [VERSION]` without --endpoint rolls DEFAULT back "
                    "(a new version from the old one's configuration)")
    runtime, _ = _own_runtime(session, settings)
    current = agentcore.read_endpoint(session, runtime.agent_id, name)
    if current is None:
        raise InputError([f"runtime {runtime.agent_id} has no endpoint {name!r}"],
                         hint=f"`aibox-ops endpoint list` shows its endpoints; "
                              f"`aibox-ops endpoint set {name}` creates it.")
    numbers = _numbers(session, runtime)
    serving = _serving(current)
    if version:
        to_version = _check_version(version, numbers, name)
    else:
        older = [n for n in numbers if _int(n) < _int(serving)]
        if not older:
            raise InputError([f"endpoint {name} serves version {serving}: the runtime has "
                              f"no earlier version (versions: {', '.join(numbers) or 'none'})"])
        to_version = older[0]
    same = to_version == serving and current.get("status") == "READY"
    move = EndpointMove(runtime.agent_id, name, "unchanged" if same else "rollback", serving,
                        to_version)
    reason = (f"already serves version {to_version}" if same else
              f"version {serving} -> {to_version} (UpdateAgentRuntimeEndpoint: no build, "
              "no new runtime version)")
    return _plan("rollback", move, reason), move


def plan_endpoint_delete(session: AwsSession, settings: Settings, name: str,
                         ) -> tuple[Plan, EndpointMove]:
    """Delete endpoint ``name``, only when aibox-ops created it (RefusedError, exit 7,
    otherwise). Reads AWS, writes nothing."""
    _refuse_default(name, "endpoint delete", "AWS keeps DEFAULT as long as the runtime")
    runtime, history = _own_runtime(session, settings)
    current = agentcore.read_endpoint(session, runtime.agent_id, name)
    if current is None:
        move = EndpointMove(runtime.agent_id, name, "unchanged", None, None)
        return _plan("endpoint delete", move, "already gone"), move
    if name not in created_endpoints(history):
        raise RefusedError(f"endpoint {name} of runtime {runtime.agent_id} was not created by "
                           "aibox-ops: never deleted by it", targets=[name],
                           hint="Delete it where it was made (console, CLI), or with "
                                "`aws bedrock-agentcore-control delete-agent-runtime-endpoint`.")
    move = EndpointMove(runtime.agent_id, name, "delete", _serving(current), None)
    return _plan("endpoint delete", move, f"created by aibox-ops (serves version "
                 f"{move.from_version})"), move


def apply_endpoint_move(session: AwsSession, settings: Settings, move: EndpointMove,
                        timeout: float = 900.0, poll: float = 2.0) -> EndpointResult:
    """Create or move the endpoint, wait until it is READY on the version, record the move
    (and a creation), then health-check through the endpoint (AwsError when unhealthy)."""
    from .lock import project_lock

    if move.action == "unchanged":
        return EndpointResult(move, {}, "skipped: unchanged")
    with project_lock(settings, "rollback" if move.action == "rollback" else "endpoint"):
        version = str(move.to_version)
        if move.action == "create":
            agentcore.create_endpoint(session, move.runtime_id, move.name, version,
                                      description="created by aibox-ops")
        else:
            agentcore.update_endpoint(session, move.runtime_id, move.name, version)
        ready = agentcore.wait_endpoint_ready(session, move.runtime_id, move.name, version,
                                              timeout, poll)
        _record(settings, move)
    return EndpointResult(move, ready, _health(session, settings, move))


def apply_endpoint_delete(session: AwsSession, settings: Settings, move: EndpointMove,
                          ) -> list[str]:
    """Delete the endpoint the plan names (aibox-ops created it), forget and record it."""
    from .lock import project_lock

    if move.action != "delete":
        return []
    with project_lock(settings, "endpoint"):
        agentcore.delete_endpoint(session, move.runtime_id, move.name)
        _record(settings, move)
    return [move.name]


def _record(settings: Settings, move: EndpointMove) -> None:
    history = load_history(settings)
    names = created_endpoints(history)
    if move.action == "create" and move.name not in names:
        history.created[CREATED_KEY] = [*names, move.name]
    elif move.action == "delete":
        kept = [n for n in names if n != move.name]
        if kept:
            history.created[CREATED_KEY] = kept
        else:
            history.created.pop(CREATED_KEY, None)
    history.endpoints.append(EndpointRecord(
        time=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), action=move.action,
        endpoint=move.name, from_version=move.from_version, to_version=move.to_version,
        runtime_id=move.runtime_id, stage=settings.stage))
    save_history(settings, history)


def _health(session: AwsSession, settings: Settings, move: EndpointMove) -> str:
    from . import hooks

    phase = PhaseReport("health", "Health invocation")
    arn = agentcore.session_runtime_arn(session, move.runtime_id)
    try:
        return hooks.health_check(session, settings, arn, phase, qualifier=move.name)
    except Skip as skip:
        return f"skipped: {skip}"


def _own_runtime(session: AwsSession, settings: Settings) -> tuple[RuntimeInfo, History]:
    from .guard import read_own_runtime

    history = load_history(settings)
    runtime = read_own_runtime(session, settings, load_deploy_state(settings), history)
    if runtime is None:
        raise AwsError(f"no runtime of {settings.agent_name} in {settings.region}",
                       hint="Deploy first (`aibox-ops deploy`).", code="NotDeployed")
    return runtime, history


def _numbers(session: AwsSession, runtime: RuntimeInfo) -> list[str]:
    """The runtime's version numbers, newest first (ListAgentRuntimeVersions)."""
    return [str(v.get("agentRuntimeVersion")) for v in list_versions(session, runtime.agent_id)
            if v.get("agentRuntimeVersion") is not None]


def _check_version(version: str, numbers: list[str], name: str) -> str:
    if str(version) in numbers:
        return str(version)
    raise InputError([f"version {version!r} (for endpoint {name}) is not a version of the "
                      f"runtime (versions: {', '.join(numbers) or 'none'})"],
                     hint="`aibox-ops status` lists the runtime's versions.")


def _refuse_default(name: str, command: str, why: str) -> None:
    if name == DEFAULT:
        raise InputError([f"{command}: DEFAULT follows the latest runtime version by itself "
                          f"and cannot be pointed at one; {why}"])


def _serving(raw: dict[str, Any]) -> str | None:
    """The version the endpoint serves now (its target while it moves)."""
    return _text(raw.get("liveVersion")) or _text(raw.get("targetVersion"))


def _plan(command: str, move: EndpointMove, reason: str) -> Plan:
    status = {"create": "create", "delete": "delete", "unchanged": "unchanged"}.get(
        move.action, "update")
    return Plan(command, [Change(move.name, status, reason, kind="endpoint",
                                 detail=move.to_dict())])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(version: str | None) -> int:
    return int(version) if version and version.isdigit() else 0
