"""Prove a runtime is this agent's before deploy, rollback or destroy writes to it.

``.bedrock_agentcore.yaml`` is a local file anyone can edit (or copy from another project):
the runtime id it names is only a claim. Before any write, the runtime must carry the
configured ``agent_name`` and, when aibox-ops created the runtime, be the one the history
recorded as created (issue 18).
"""

from __future__ import annotations

from ..aws import AwsSession
from ..config import Settings
from ..deploy_state import DeployState
from ..errors import AwsError
from .history import History
from .runtime_api import RuntimeInfo, read_runtime


def read_own_runtime(session: AwsSession, settings: Settings, state: DeployState,
                     history: History) -> RuntimeInfo | None:
    """The runtime the deploy state names (None: none named, or it no longer exists), after
    ``check_own_runtime``; AwsError (exit 5) when it is someone else's."""
    if not state.agent_id:
        return None
    runtime = read_runtime(session, state.agent_id)
    if runtime is not None:
        check_own_runtime(runtime, settings, history)
    return runtime


def check_own_runtime(runtime: RuntimeInfo, settings: Settings, history: History) -> None:
    """AwsError unless the runtime is named ``agent_name`` and matches ``created``."""
    name = runtime.raw.get("agentRuntimeName")
    hint = ("Restore the runtime id of this agent in .bedrock_agentcore.yaml (`aibox-ops "
            "status` shows the history), or remove it to deploy a new runtime.")
    if name != settings.agent_name:
        raise AwsError(
            f".bedrock_agentcore.yaml names runtime {runtime.agent_id}, which is {name!r}, not "
            f"this agent ({settings.agent_name}): refusing to deploy to, roll back or delete "
            "another runtime", hint=hint, code="WrongRuntime")
    created = history.created.get("runtime")
    if created and created != runtime.agent_id:
        raise AwsError(
            f".bedrock_agentcore.yaml names runtime {runtime.agent_id}, but aibox-ops created "
            f"runtime {created} for {settings.agent_name} ({history.key}): refusing to act on "
            "a runtime it did not record", hint=hint, code="WrongRuntime")
