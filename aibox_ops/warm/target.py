"""The Scheduler universal target that calls InvokeAgentRuntime, derived from botocore's model.

EventBridge Scheduler's universal targets are ``arn:<partition>:scheduler:::aws-sdk:<service>:
<apiAction>``, whose JSON ``Input`` names the operation's request members. Those names are
read here from the bedrock-agentcore service model (by where each member travels on the
wire), so a renamed member breaks a test instead of silently breaking every ping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

SERVICE = "bedrock-agentcore"
OPERATION = "InvokeAgentRuntime"
SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
DEFAULT_QUALIFIER = "DEFAULT"


@dataclass(frozen=True)
class InvokeShape:
    """InvokeAgentRuntime's member names, as the service model spells them."""

    target_service: str  # the universal-target service part, e.g. "bedrockagentcore"
    target_action: str  # e.g. "invokeAgentRuntime"
    runtime_arn: str  # the URI member
    qualifier: str  # the query-string member
    session_id: str  # the member sent as the session header
    payload: str  # the body (blob) member


@lru_cache(maxsize=1)
def invoke_shape() -> InvokeShape:
    """Member names of InvokeAgentRuntime read from botocore's service model."""
    from ..aws.validate import service_model

    model = service_model(SERVICE)
    shape = model.operation_model(OPERATION).input_shape

    def member(location: str, wire_name: str | None = None) -> str:
        for name, sub in shape.members.items():
            ser = sub.serialization
            if ser.get("location") == location and (
                    wire_name is None or ser.get("name", name).lower() == wire_name.lower()):
                return name
        raise LookupError(f"{SERVICE} {OPERATION} has no {location} member {wire_name or ''}")

    body = [n for n, s in shape.members.items()
            if "location" not in s.serialization and s.type_name == "blob"]
    if len(body) != 1:
        raise LookupError(f"{SERVICE} {OPERATION}: expected one blob body member, got {body}")
    service_id = model.service_id.replace(" ", "").lower()
    action = OPERATION[0].lower() + OPERATION[1:]
    uri = [n for n, s in shape.members.items() if s.serialization.get("location") == "uri"]
    return InvokeShape(service_id, action, uri[0], member("querystring", "qualifier"),
                       member("header", SESSION_HEADER), body[0])


def target_arn(partition: str = "aws") -> str:
    """``arn:aws:scheduler:::aws-sdk:bedrockagentcore:invokeAgentRuntime``."""
    shape = invoke_shape()
    return f"arn:{partition}:scheduler:::aws-sdk:{shape.target_service}:{shape.target_action}"


def invoke_params(runtime_arn: str, session_id: str, payload: dict[str, Any],
                  qualifier: str = DEFAULT_QUALIFIER) -> dict[str, Any]:
    """The InvokeAgentRuntime request (botocore member names) for one warm ping."""
    shape = invoke_shape()
    return {shape.runtime_arn: runtime_arn, shape.qualifier: qualifier,
            shape.session_id: session_id,
            shape.payload: json.dumps(payload, separators=(",", ":"))}


def target_input(runtime_arn: str, session_id: str, payload: dict[str, Any],
                 qualifier: str = DEFAULT_QUALIFIER) -> str:
    """The schedule target's ``Input``: the request above as canonical JSON text.

    Scheduler sends it unseen every interval and drops failures silently, so it is checked
    against the bedrock-agentcore model here, where a problem can still be reported.
    """
    from ..aws.validate import check_request

    params = invoke_params(runtime_arn, session_id, payload, qualifier)
    check_request("bedrock-agentcore", "InvokeAgentRuntime", params)
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def health_payload(action: str = "health") -> dict[str, str]:
    """The ping body the agent answers without a model call."""
    return {"action": action}
