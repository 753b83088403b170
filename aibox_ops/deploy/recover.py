"""What AWS created is never known only to a scratch file.

The toolkit records a new runtime in the staged toolkit config (scratch, under
``.aibox-ops/build/``) the moment it exists; deploy then copies it into ``deploys.json``
(``created``) and the project's ``.bedrock_agentcore.yaml``. When those writes fail (disk
full, Ctrl-C at the wrong moment), the next deploy reads the runtime back from the staged
config, once proven ours, and updates it instead of creating another (issue 18).
"""

from __future__ import annotations

from dataclasses import replace

from ..aws import AwsSession
from ..config import Settings
from ..deploy_state import YAML_PATH, DeployState, load_deploy_state
from ..errors import AwsError, FileError
from .history import History, save_history
from .yaml_state import read_toolkit_state, toolkit_config_path, write_project_state


def persist_toolkit_state(settings: Settings, history: History, new_runtime: bool,
                          warnings: list[str]) -> FileError | None:
    """Copy what the toolkit recorded into the project: the runtime id into deploys.json
    first (when ``new_runtime``), then the YAML; each write is tried even if the other
    fails. Returns the first failure (also added to ``warnings``), with a hint."""
    values = {k: v for k, v in read_toolkit_state(settings).items() if v}
    problems: list[FileError] = []
    if new_runtime and values.get("agent_id"):
        history.created["runtime"] = values["agent_id"]
        try:
            save_history(settings, history)
        except FileError as error:
            problems.append(error)
    if values:
        try:
            warnings += write_project_state(settings, values)
        except FileError as error:
            problems.append(error)
    for problem in problems:
        problem.hint = (f"AWS holds what the launch created; it is kept in "
                        f"{toolkit_config_path(settings)} and the next deploy records it "
                        "(free space or fix the file, then deploy again).")
        warnings.append(problem.message)
    return problems[0] if problems else None


def recovered_state(session: AwsSession, settings: Settings, state: DeployState,
                    history: History, dry_run: bool, warnings: list[str]) -> DeployState:
    """``state``, or, when the project records no runtime but the staged toolkit config
    names one that exists and is this agent's, that runtime (written back unless
    ``dry_run``)."""
    from .guard import check_own_runtime
    from .runtime_api import read_runtime

    staged = {k: v for k, v in read_toolkit_state(settings).items() if v}
    agent_id = staged.get("agent_id")
    if state.agent_id or not agent_id:
        return state
    runtime = read_runtime(session, agent_id)
    if runtime is None:
        return state  # destroyed since: nothing to recover
    try:
        check_own_runtime(runtime, settings, history)
    except AwsError:
        return state  # not this agent's: the scratch file is ignored
    warnings.append(f"runtime {agent_id} was recorded only in {toolkit_config_path(settings)} "
                    "(the last deploy could not write the project's files): recovered")
    if dry_run or not settings.path(YAML_PATH).is_file():
        return replace(state, **staged)
    history.created.setdefault("runtime", agent_id)
    save_history(settings, history)
    warnings += write_project_state(settings, staged)
    return load_deploy_state(settings)
