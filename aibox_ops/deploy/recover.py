"""What AWS created is never known only to memory.

The moment a launch's runtime exists, its id goes into ``deploys.json`` (``created``) and
then the project's ``.bedrock_agentcore.yaml``; each write is tried even if the other fails.
When the YAML write fails (disk full, Ctrl-C at the wrong moment), the next deploy reads the
runtime back from the history, once proven ours, and updates it instead of creating
another (issue 18).
"""

from __future__ import annotations

from dataclasses import replace

from ..aws import AwsSession
from ..config import Settings
from ..deploy_state import YAML_PATH, DeployState, load_deploy_state
from ..errors import AwsError, FileError
from .history import HISTORY_PATH, History, save_history
from .yaml_state import write_project_state


def persist_launch_state(settings: Settings, history: History, values: dict[str, str | None],
                         new_runtime: bool, warnings: list[str]) -> FileError | None:
    """Record the launch's deploy state: the runtime id into deploys.json first (when
    ``new_runtime``), then the YAML. Returns the first failure (also added to
    ``warnings``), with a hint."""
    values = {k: v for k, v in values.items() if v}
    problems: list[FileError] = []
    if new_runtime and values.get("agent_id"):
        history.created["runtime"] = values["agent_id"]
        try:
            save_history(settings, history)
        except FileError as error:
            problems.append(error)
    try:
        warnings += write_project_state(settings, values)
    except FileError as error:
        problems.append(error)
    for problem in problems:
        problem.hint = (f"AWS holds what the launch created (runtime {values.get('agent_id')}); "
                        "free space or fix the file, then deploy again: the next deploy "
                        "records it.")
        warnings.append(problem.message)
    return problems[0] if problems else None


def recovered_state(session: AwsSession, settings: Settings, state: DeployState,
                    history: History, dry_run: bool, warnings: list[str]) -> DeployState:
    """``state``, or, when the YAML records no runtime but the history names one that
    exists and is this agent's, that runtime (written back unless ``dry_run``)."""
    from .guard import check_own_runtime
    from .runtime_api import read_runtime

    agent_id = history.created.get("runtime")
    if state.agent_id or not agent_id:
        return state
    runtime = read_runtime(session, agent_id)
    if runtime is None:
        return state  # destroyed since: nothing to recover
    try:
        check_own_runtime(runtime, settings, history)
    except AwsError:
        return state  # not this agent's: the record is ignored
    warnings.append(f"runtime {agent_id} was recorded only in {HISTORY_PATH} (the last "
                    "deploy could not write .bedrock_agentcore.yaml): recovered")
    values = {"agent_id": agent_id, "agent_arn": runtime.arn}
    if dry_run or not settings.path(YAML_PATH).is_file():
        return replace(state, **values)
    warnings += write_project_state(settings, values)
    return load_deploy_state(settings)
