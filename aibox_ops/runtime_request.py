"""The runtime configuration aibox-ops sends to AgentCore, built once from the settings.

``runtime_config_params`` gives the members of CreateAgentRuntime / UpdateAgentRuntime
that come from ``[tool.aibox-ops]`` (deploy adds name, artifact and role). Configuration
loading validates them against botocore's model (``check_runtime_config``), so a setting
AWS would refuse is a configuration error before anything is rendered or deployed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config.model import Settings

SERVICE = "bedrock-agentcore-control"
OPERATION = "CreateAgentRuntime"
SERVER_PROTOCOL = "HTTP"  # the agent serves /invocations and /ping over HTTP on 8080

# Request member path (prefix) -> the settings key a user changes to fix it.
SETTING_FOR_MEMBER: tuple[tuple[str, str], ...] = (
    ("authorizerConfiguration.customJWTAuthorizer.discoveryUrl", "authorizer.discovery_url"),
    ("authorizerConfiguration.customJWTAuthorizer.allowedAudience", "authorizer.audiences"),
    ("authorizerConfiguration.customJWTAuthorizer.allowedClients",
     "authorizer.allowed_clients"),
    ("authorizerConfiguration", "authorizer"),
    ("networkConfiguration", "network_mode"),
    ("lifecycleConfiguration.idleRuntimeSessionTimeout", "lifecycle.idle_timeout"),
    ("lifecycleConfiguration.maxLifetime", "lifecycle.max_lifetime"),
    ("environmentVariables", "environment"),
    ("protocolConfiguration", "protocol (fixed by aibox-ops)"),
    ("agentRuntimeName", "agent_name"),
)


def runtime_config_params(settings: Settings) -> dict[str, Any]:
    """The settings-derived members of a CreateAgentRuntime/UpdateAgentRuntime request."""
    params: dict[str, Any] = {
        "networkConfiguration": {"networkMode": settings.network_mode},
        "protocolConfiguration": {"serverProtocol": SERVER_PROTOCOL},
        "lifecycleConfiguration": {
            "idleRuntimeSessionTimeout": settings.lifecycle.idle_timeout,
            "maxLifetime": settings.lifecycle.max_lifetime,
        },
        "environmentVariables": dict(settings.container_env),
    }
    authorizer = authorizer_configuration(settings)
    if authorizer is not None:
        params["authorizerConfiguration"] = authorizer
    return params


def managed_members(settings: Settings) -> tuple[str, ...]:
    """Members an update drops when ``runtime_config_params`` leaves them out (the settings
    removed them), rather than carrying them forward: the authorizer, unless it is the
    toolkit's AWS-issued JWT (``jwt``), which the settings do not describe and an update
    must keep as the runtime has it."""
    return () if settings.authorizer.type == "jwt" else ("authorizerConfiguration",)


def authorizer_configuration(settings: Settings) -> dict[str, Any] | None:
    """``customJWTAuthorizer`` for an oauth authorizer; None otherwise (``none`` needs no
    authorizer, and ``jwt`` is the toolkit's AWS-issued JWT, configured apart from it).

    Empty lists are left out: AWS refuses ``allowedAudience: []`` (minimum length 1)."""
    a = settings.authorizer
    if a.type != "oauth":
        return None
    jwt: dict[str, Any] = {"discoveryUrl": a.discovery_url or ""}
    if a.audiences:
        jwt["allowedAudience"] = list(a.audiences)
    if a.allowed_clients:
        jwt["allowedClients"] = list(a.allowed_clients)
    return {"customJWTAuthorizer": jwt}


def check_runtime_config(settings: Settings) -> list[tuple[str, str]]:
    """Problems AWS would find in the runtime configuration, as (settings key, problem).

    Uses the fast, botocore-free depth of the validator: this runs on every config load."""
    from .aws.validate import validate_request

    params = {"agentRuntimeName": settings.agent_name, **runtime_config_params(settings)}
    problems = validate_request(SERVICE, OPERATION, params, partial=True, thorough=False)
    return [(setting_for(problem), problem) for problem in problems]


def setting_for(problem: str) -> str:
    """The settings key behind a problem's request member path."""
    member = problem.split(":", 1)[0]
    for prefix, key in SETTING_FOR_MEMBER:
        if member.startswith(prefix):
            if key == "environment" and member.startswith("environmentVariables."):
                return f"environment.{member.split('.', 1)[1]}"
            return key
    return member
