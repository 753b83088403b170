"""Runtime identity in one place: find a runtime by id or by name, read it, convert between
its ARN and its id (the partition from the session or the region, never a hard-coded
``arn:aws:``), list its versions; list, read, create, move, delete and wait for its named
endpoints."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from ..errors import AwsError
from .reads import find_first, paginate, read_or_none
from .session import aws_errors

CONTROL = "bedrock-agentcore-control"
RUNTIME_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):bedrock-agentcore:(?P<region>[a-z0-9-]+)"
                         r":(?P<account>\d{12}):runtime/(?P<id>[A-Za-z0-9_-]+)$")


def runtime_id_from_arn(arn: str | None) -> str | None:
    """The id of a runtime ARN (``arn:PARTITION:bedrock-agentcore:R:A:runtime/ID``); None
    when ``arn`` is not one."""
    match = RUNTIME_ARN.match(arn or "")
    return match["id"] if match else None


def runtime_arn(runtime_id: str, region: str, account: str, partition: str | None = None) -> str:
    """The ARN InvokeAgentRuntime takes for ``runtime_id``; the partition is the region's
    (``aws.regions.partition_of``) unless given (``AwsSession.partition()``)."""
    from .regions import partition_of

    part = partition or partition_of(region)
    return f"arn:{part}:bedrock-agentcore:{region}:{account}:runtime/{runtime_id}"


def session_runtime_arn(session: Any, runtime_id: str) -> str:
    """``runtime_arn`` in the session's region, account and partition."""
    return runtime_arn(runtime_id, session.region, session.account_id(), session.partition())


def read_runtime(session: Any, runtime_id: str, version: str | None = None,
                 action: str | None = None) -> dict[str, Any] | None:
    """GetAgentRuntime's reply (the latest version, or ``version``); None when there is no
    such runtime or version."""
    params = {"agentRuntimeId": runtime_id}
    if version is not None:
        params["agentRuntimeVersion"] = version
    what = action or (f"read runtime {runtime_id}" + (f" version {version}" if version else ""))

    def read() -> dict[str, Any]:
        with aws_errors(what):
            return session.client(CONTROL).get_agent_runtime(**params)

    return read_or_none(read)


def find_runtime_by_name(session: Any, name: str, max_pages: int | None = None,
                         action: str = "list agent runtimes (ListAgentRuntimes)",
                         ) -> dict[str, Any] | None:
    """The ListAgentRuntimes summary of the runtime called ``name`` (None when there is
    none); pages of 100 are read until it is found (at most ``max_pages`` when given)."""
    with aws_errors(action):
        return find_first(session.client(CONTROL), "ListAgentRuntimes", "agentRuntimes",
                          lambda r: r.get("agentRuntimeName") == name, max_pages=max_pages,
                          PaginationConfig={"PageSize": 100})


def find_runtime_id(session: Any, *, runtime_id: str | None = None, arn: str | None = None,
                    name: str | None = None, max_pages: int | None = None) -> str | None:
    """The runtime's id: ``runtime_id`` as given, else the id in ``arn``, else looked up by
    ``name`` (ListAgentRuntimes); None when none of them leads to one."""
    found = runtime_id or runtime_id_from_arn(arn)
    if found or not name:
        return found
    summary = find_runtime_by_name(session, name, max_pages=max_pages)
    return summary.get("agentRuntimeId") if summary else None


def list_versions(session: Any, runtime_id: str) -> list[dict[str, Any]]:
    """The runtime's versions (ListAgentRuntimeVersions summaries: version, status,
    lastUpdatedAt), every page, newest first."""
    with aws_errors(f"list the versions of runtime {runtime_id}"):
        out = list(paginate(session.client(CONTROL), "ListAgentRuntimeVersions",
                            "agentRuntimes", agentRuntimeId=runtime_id))
    return sorted(out, key=lambda v: _version_key(v.get("agentRuntimeVersion")), reverse=True)


def _version_key(version: str | None) -> tuple[int, str]:
    text = str(version or "")
    return (int(text), "") if text.isdigit() else (-1, text)


# Runtime endpoints. A named endpoint serves one version of the runtime (its liveVersion;
# targetVersion while it moves); DEFAULT follows the latest version by itself.
ENDPOINT_FAILED = ("CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED")


def list_endpoints(session: Any, runtime_id: str) -> list[dict[str, Any]]:
    """The runtime's endpoints (ListAgentRuntimeEndpoints summaries: name, status,
    liveVersion, targetVersion, ARN), every page through botocore's paginator."""
    with aws_errors(f"list the endpoints of runtime {runtime_id}"):
        return list(paginate(session.client(CONTROL), "ListAgentRuntimeEndpoints",
                             "runtimeEndpoints", agentRuntimeId=runtime_id))


def read_endpoint(session: Any, runtime_id: str, name: str) -> dict[str, Any] | None:
    """GetAgentRuntimeEndpoint's reply (status, liveVersion, targetVersion, failureReason),
    or None when the runtime has no endpoint called ``name``."""
    def read() -> dict[str, Any]:
        with aws_errors(f"read the {name} endpoint of runtime {runtime_id}"):
            return session.client(CONTROL).get_agent_runtime_endpoint(
                agentRuntimeId=runtime_id, endpointName=name)

    return read_or_none(read)


def create_endpoint(session: Any, runtime_id: str, name: str, version: str,
                    description: str | None = None) -> dict[str, Any]:
    """CreateAgentRuntimeEndpoint: a named endpoint serving ``version`` (no new version)."""
    params: dict[str, Any] = {"agentRuntimeId": runtime_id, "name": name,
                              "agentRuntimeVersion": str(version)}
    if description:
        params["description"] = description
    with aws_errors(f"create endpoint {name} of runtime {runtime_id}"):
        return session.client(CONTROL).create_agent_runtime_endpoint(**params)


def update_endpoint(session: Any, runtime_id: str, name: str, version: str) -> dict[str, Any]:
    """UpdateAgentRuntimeEndpoint: move endpoint ``name`` to ``version``; the runtime gets
    no new version (unlike UpdateAgentRuntime)."""
    with aws_errors(f"move endpoint {name} of runtime {runtime_id} to version {version}"):
        return session.client(CONTROL).update_agent_runtime_endpoint(
            agentRuntimeId=runtime_id, endpointName=name, agentRuntimeVersion=str(version))


def delete_endpoint(session: Any, runtime_id: str, name: str) -> bool:
    """DeleteAgentRuntimeEndpoint; False when there was no such endpoint."""
    def delete() -> dict[str, Any]:
        with aws_errors(f"delete endpoint {name} of runtime {runtime_id}"):
            return session.client(CONTROL).delete_agent_runtime_endpoint(
                agentRuntimeId=runtime_id, endpointName=name)

    return read_or_none(delete) is not None


def wait_endpoint_ready(session: Any, runtime_id: str, name: str, version: str,
                        timeout: float, poll: float = 2.0,
                        sleep: Callable[[float], None] = time.sleep,
                        clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Poll GetAgentRuntimeEndpoint until endpoint ``name`` is READY serving ``version``
    (liveVersion); its last reply. botocore has no waiter for runtime endpoints
    (``waiter_names`` of bedrock-agentcore-control lists Memory and policy waiters only),
    hence the polling. AwsError on CREATE_FAILED/UPDATE_FAILED (with AWS's
    failureReason), when the endpoint disappears, or after ``timeout`` seconds."""
    deadline = clock() + timeout
    version = str(version)
    while True:
        reply = read_endpoint(session, runtime_id, name)
        if reply is None:
            raise AwsError(f"endpoint {name} of runtime {runtime_id} disappeared while "
                           "waiting for it", code="ResourceNotFoundException")
        status = reply.get("status") or "UNKNOWN"
        if status in ENDPOINT_FAILED:
            raise AwsError(f"endpoint {name} of runtime {runtime_id} is {status}: "
                           f"{reply.get('failureReason') or 'no reason given'}",
                           hint="`aibox-ops endpoint list` shows what each endpoint serves.",
                           code="Failed")
        if status == "READY" and str(reply.get("liveVersion")) == version:
            return reply
        if clock() >= deadline:
            raise AwsError(
                f"timed out after {timeout:g} s waiting for endpoint {name} of runtime "
                f"{runtime_id} to serve version {version} (status {status}, live version "
                f"{reply.get('liveVersion')}, target version {reply.get('targetVersion')})",
                hint="AgentCore may still finish: check `aibox-ops endpoint list`, or run it "
                     "again with a longer --timeout.", code="Timeout")
        sleep(poll)


RUNTIME_FAILED = ("CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "FAILED")


def wait_runtime_ready(session: Any, runtime_id: str, timeout: float, poll: float = 2.0, *,
                       sleep: Callable[[float], None] = time.sleep,
                       clock: Callable[[], float] = time.monotonic,
                       note: Callable[[str], None] = lambda _text: None,
                       ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Poll until the runtime and its DEFAULT endpoint are READY: (GetAgentRuntime reply,
    GetAgentRuntimeEndpoint reply). botocore has no waiter for runtimes either. Each change
    of status goes to ``note`` with the elapsed time. AwsError on a failure status (with
    AWS's failureReason), when the runtime disappears, or after ``timeout`` seconds (unlike
    the starter toolkit, which reported success)."""
    started = clock()
    deadline = started + timeout
    said = ""
    while True:
        runtime = read_runtime(session, runtime_id)
        if runtime is None:
            raise AwsError(f"runtime {runtime_id} disappeared while waiting for it",
                           code="ResourceNotFoundException")
        runtime_status = runtime.get("status") or "UNKNOWN"
        if runtime_status in RUNTIME_FAILED:
            reason = runtime.get("failureReason") or "no reason given"
            raise AwsError(f"runtime {runtime_id} is {runtime_status}: {reason}", code="Failed")
        endpoint = read_endpoint(session, runtime_id, "DEFAULT") \
            if runtime_status == "READY" else None
        endpoint_status = (endpoint or {}).get("status", "ABSENT" if endpoint is None
                                               else "UNKNOWN")
        if endpoint_status in RUNTIME_FAILED:
            reason = (endpoint or {}).get("failureReason")
            raise AwsError(f"the DEFAULT endpoint of {runtime_id} is {endpoint_status}: "
                           f"{reason or 'no reason given'}", code="Failed")
        if runtime_status == "READY" and endpoint_status == "READY":
            return runtime, endpoint or {}
        text = f"runtime {runtime_status}, DEFAULT endpoint {endpoint_status}"
        if text != said:
            note(f"{text} ({clock() - started:.0f} s)")
            said = text
        if clock() >= deadline:
            raise AwsError(
                f"timed out after {timeout:g} s waiting for runtime {runtime_id} "
                f"(runtime {runtime_status}, DEFAULT endpoint {endpoint_status})",
                hint="AgentCore may still finish: check `aibox-ops status`, or deploy again "
                     "with a longer --timeout.", code="Timeout")
        sleep(poll)
