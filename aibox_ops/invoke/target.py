"""Where ``aibox-ops invoke`` sends a payload, and the payload itself (pure, no I/O beyond
reading the project's state files)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..config import Settings
from ..errors import AgentError, InputError


@dataclass(frozen=True)
class InvokeTarget:
    """A local agent URL or a deployed runtime ARN."""

    kind: str  # "local" | "aws"
    address: str  # URL or runtime ARN

    def describe(self) -> str:
        """Human label for the footer."""
        return f"local {self.address}" if self.kind == "local" else f"runtime {self.address}"


def build_payload(prompt: str | None, payload_json: str | None, stream: bool | None,
                  model: str | None) -> dict[str, Any]:
    """The request body from a prompt or ``--payload`` JSON, with --stream/--model applied.

    A prompt streams unless ``stream`` is False; a --payload keeps its own ``stream`` unless
    --stream/--no-stream is given. A PROMPT that parses as a JSON object (the guide's
    ``agentcore invoke '{"prompt": "Hello"}'`` form) is the payload, as with --payload."""
    if (prompt is None) == (payload_json is None):
        raise InputError(["give a PROMPT or --payload JSON (exactly one)"])
    if prompt is not None and _json_object(prompt) is not None:
        prompt, payload_json = None, prompt
    if payload_json is not None:
        try:
            payload = json.loads(payload_json)
        except ValueError as exc:
            raise InputError([f"--payload: not valid JSON ({exc})"]) from None
        if not isinstance(payload, dict):
            raise InputError([f"--payload: expected a JSON object, got "
                              f"{type(payload).__name__}"])
    else:
        if not prompt or not prompt.strip():
            raise InputError(["PROMPT: is empty"])
        payload = {"prompt": prompt, "stream": True}
    if stream is not None:
        payload["stream"] = stream
    if model:
        payload["model_id"] = model
    return payload


def _json_object(text: str) -> dict[str, Any] | None:
    """``text`` as a JSON object, or None when it is anything else (plain prompt text)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def local_target(settings: Settings) -> InvokeTarget:
    """The project's running local agent (the state file ``deploy --local`` writes).

    AgentError (exit 8) when none is running: never a guess at a port, where another
    program (or another project's agent) may be listening."""
    from ..local import read_local

    state = read_local(settings)
    if not state or not state.get("url"):
        raise AgentError(
            f"no local agent is running for the project in {settings.project_dir}",
            hint="Start one with `aibox-ops deploy --local` (in another terminal, or with "
                 "--detach), or pass --url URL to talk to an agent served elsewhere.")
    return InvokeTarget("local", str(state["url"]))


def runtime_target(settings: Settings) -> InvokeTarget:
    """The deployed runtime's ARN from the deploy state (AgentError when none)."""
    from ..deploy_state import load_deploy_state

    state = load_deploy_state(settings)
    arn = state.agent_arn
    if not arn and state.agent_id and state.account:
        from ..aws.agentcore import runtime_arn

        arn = runtime_arn(state.agent_id, state.region, state.account)
    if not arn:
        raise AgentError(
            f"no deployed runtime is recorded for agent {settings.agent_name!r} in "
            f"{settings.region}",
            hint="Deploy it with `aibox-ops deploy`, or talk to the local agent: "
                 "`aibox-ops deploy --local` then `aibox-ops invoke --local \"Hello\"`.")
    return InvokeTarget("aws", arn)


def needs_bearer(settings: Settings) -> bool:
    """Whether the runtime's inbound authorizer takes bearer tokens instead of SigV4."""
    return settings.authorizer.type in ("jwt", "oauth")
