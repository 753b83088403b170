"""The runtime configuration part of Create/UpdateAgentRuntime, from the settings alone.

Deploy passes these pieces on every launch and update (the starter toolkit drops some of
them on some paths, and sends an empty environment on a redeploy without variables), and
rollback sends them with an older image. (Interim version written on the deploy branch
against the issue-6 signature; main's version replaces it on merge.)
"""

from __future__ import annotations

from typing import Any

from .config import Settings


def runtime_config_params(settings: Settings) -> dict[str, Any]:
    """authorizer/network/lifecycle/environment/protocol members of the runtime request."""
    params: dict[str, Any] = {
        "networkConfiguration": {"networkMode": settings.network_mode},
        "protocolConfiguration": {"serverProtocol": "HTTP"},
        "lifecycleConfiguration": {
            "idleRuntimeSessionTimeout": settings.lifecycle.idle_timeout,
            "maxLifetime": settings.lifecycle.max_lifetime,
        },
        "environmentVariables": dict(settings.container_env),
    }
    auth = settings.authorizer
    if auth.type == "oauth":
        jwt: dict[str, Any] = {"discoveryUrl": auth.discovery_url}
        if auth.audiences:
            jwt["allowedAudience"] = list(auth.audiences)
        if auth.allowed_clients:
            jwt["allowedClients"] = list(auth.allowed_clients)
        params["authorizerConfiguration"] = {"customJWTAuthorizer": jwt}
    return params
