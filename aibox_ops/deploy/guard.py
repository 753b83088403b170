"""What deploy, rollback and destroy check before they act on a local file's word.

``.bedrock_agentcore.yaml`` is a local file anyone can edit (or copy from another project):
the runtime id it names is only a claim. Before any write, the runtime must carry the
configured ``agent_name`` and, when aibox-ops created the runtime, be the one the history
recorded as created. And what goes into the image must be regular files: a FIFO would
block the staging read for ever, ``/dev/zero`` never end (issue 18).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..aws import AwsSession
from ..config import Settings
from ..deploy_state import DeployState
from ..errors import AwsError, FileError
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


def check_image_files(settings: Settings) -> None:
    """FileError (exit 4) naming the first entry of what goes into the image that is not a
    regular file or folder (a FIFO, socket or device, or a link to one), before anything
    reads it."""
    from ..render.context import image_paths

    root = settings.project_dir
    for rel in image_paths(settings):
        top = root / rel
        entries = [top] if not top.is_dir() else [
            Path(folder) / name for folder, _, names in os.walk(top) for name in names]
        for path in entries:
            try:
                mode = path.stat().st_mode
            except OSError:
                continue  # missing or a broken link: staging names it
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if (
                    stat.S_ISCHR(mode) or stat.S_ISBLK(mode)) else "not a regular file"
                raise FileError(f"{path.relative_to(root).as_posix()}: is {kind}, not a "
                                "regular file; it cannot go into the image",
                                hint="Remove it or move it out of the agent's folder.")
