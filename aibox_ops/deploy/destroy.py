"""``aibox-ops destroy``: remove what deploy created, and nothing else.

Removed: the runtime, the warm-up schedules, and what the history records as created by
aibox-ops (CodeBuild project and role, uploaded source, ECR repository or its images, the
execution role). An IAM role or ECR repository the user supplied is never deleted (with a
supplied repository only the images aibox-ops pushed go, unless ``--keep-images``).
Every request is checked against botocore's model; the plan comes first (``--dry-run``).
"""

from __future__ import annotations

from typing import Any

from ..aws import AwsSession
from ..config import Settings
from ..deploy_state import STATE_FIELDS, DeployState, load_deploy_state
from ..errors import AwsError
from ..plan import Change, Plan
from .history import History, load_history, save_history
from .runtime_api import call_service, delete_runtime


def plan_destroy(session: AwsSession, settings: Settings, keep_images: bool = False) -> Plan:
    """One item per resource: delete, or kept with the reason."""
    state, history = load_deploy_state(settings), load_history(settings)
    created = history.created
    items: list[Change] = []

    def add(target: str, kind: str, delete: bool, reason: str, **payload: Any) -> None:
        items.append(Change(target, "delete" if delete else "unchanged", reason, kind=kind,
                            payload=payload or None))

    from .guard import read_own_runtime

    runtime = read_own_runtime(session, settings, state, history)  # refuses another's
    if runtime is not None:
        add(runtime.agent_id, "runtime", True, f"runtime {runtime.arn}", agent_id=runtime.agent_id)
    elif state.agent_id:
        add(state.agent_id, "runtime", False, "already gone")
    warm_module = _warm()
    if warm_module is not None:
        found = warm_module.read_schedules(session, settings)
        if found.group_owned or found.role_owned:
            add(found.group_name, "schedule", True,
                f"{len(found.schedules)} warm-up schedule(s), their group and role "
                "(only what aibox-ops warm created and tagged)")
        elif found.schedules:
            # A group of that name that aibox-ops did not tag: never ours to delete, and
            # planning its deletion would stop destroy halfway (remove_schedules refuses).
            add(found.group_name, "schedule", False,
                f"{len(found.schedules)} schedule(s) in a group aibox-ops did not create: kept")
    project = state.codebuild_project or created.get("codebuild_project")
    if project:
        mine = created.get("codebuild_project") == project
        add(project, "codebuild-project", mine,
            "created by aibox-ops deploy" if mine else "not created by aibox-ops: kept")
    if state.source_bucket and created.get("source_key"):
        add(f"s3://{state.source_bucket}/{created['source_key']}", "s3-object", True,
            "build source uploaded by deploy", bucket=state.source_bucket,
            key=created["source_key"])
    _plan_images(state, history, keep_images, add)
    from .toolkit import resource_names

    # deploys.json is a local file: a created role counts only under the name the toolkit
    # derives for this agent and region (a hand-edited "Admin" is never deleted).
    derived = resource_names(settings.agent_name, settings.region)
    for field, kind in (("codebuild_role", "role"), ("execution_role", "role")):
        arn = getattr(state, field)
        name = (arn or "").rsplit("/", 1)[-1] or created.get(field)
        if not name:
            continue
        mine = created.get(field) == name
        if mine and name != derived[field]:
            add(name, kind, False, f"recorded as created, but not the name deploy gives it "
                f"({derived[field]}): never deleted")
            continue
        add(name, kind, mine, "created by aibox-ops deploy" if mine
            else "supplied by you (not created by aibox-ops): never deleted")
    return Plan("destroy", items)


def apply_destroy(session: AwsSession, settings: Settings, plan: Plan) -> list[str]:
    """Delete every item planned for deletion; forget the deploy state. Returns targets."""
    from .lock import project_lock

    with project_lock(settings, "destroy"):
        return _apply_destroy(session, settings, plan)


def _apply_destroy(session: AwsSession, settings: Settings, plan: Plan) -> list[str]:
    done: list[str] = []
    for item in plan.items:
        if item.status != "delete":
            continue
        payload = item.payload or {}
        if item.kind == "runtime":
            delete_runtime(session, payload["agent_id"])
        elif item.kind == "schedule":
            _warm().remove_schedules(session, settings)
        elif item.kind == "codebuild-project":
            _ignore_missing(lambda t=item.target: call_service(
                session, "codebuild", "DeleteProject", f"delete CodeBuild project {t}", name=t))
        elif item.kind == "s3-object":
            call_service(session, "s3", "DeleteObject", f"delete {item.target}",
                         Bucket=payload["bucket"], Key=payload["key"])
        elif item.kind == "ecr-repository":
            _ignore_missing(lambda t=item.target: call_service(
                session, "ecr", "DeleteRepository", f"delete ECR repository {t}",
                repositoryName=t, force=True))
        elif item.kind == "ecr-images":
            _ignore_missing(lambda p=payload: call_service(
                session, "ecr", "BatchDeleteImage", "delete pushed images",
                repositoryName=p["repository"],
                imageIds=[{"imageTag": tag} for tag in p["tags"]]))
        elif item.kind == "role":
            _delete_role(session, item.target)
        done.append(item.target)
    _forget(settings)
    return done


def _plan_images(state: DeployState, history: History, keep_images: bool, add: Any) -> None:
    repo_uri = state.ecr_repository or ""
    repo = repo_uri.split("/", 1)[-1] if repo_uri else history.created.get("ecr_repository")
    if not repo:
        return
    mine = history.created.get("ecr_repository") == repo
    if keep_images:
        add(repo, "ecr-repository", False, "--keep-images")
    elif mine:
        add(repo, "ecr-repository", True, "created by aibox-ops deploy (with its images)")
    else:
        tags = sorted({r.image_uri.rsplit(":", 1)[-1] for r in history.deploys
                       if r.image_uri.startswith(repo_uri + ":")})
        add(repo, "ecr-repository", False,
            "supplied by you (not created by aibox-ops): never deleted")
        if tags:
            add(f"{repo}:{','.join(tags)}", "ecr-images", True, "images aibox-ops pushed",
                repository=repo, tags=tags)


def _delete_role(session: AwsSession, name: str) -> None:
    from ..iam import delete_role

    _ignore_missing(lambda: delete_role(session, name))


def _ignore_missing(run: Any) -> None:
    try:
        run()
    except AwsError as error:
        if error.code not in ("NoSuchEntity", "RepositoryNotFoundException",
                              "ResourceNotFoundException", "InvalidInputException"):
            raise


def _forget(settings: Settings) -> None:
    """Clear the deploy state from the YAML and what-was-created from the history."""
    from .yaml_state import write_project_state

    if settings.path(".bedrock_agentcore.yaml").is_file():
        write_project_state(settings, {key: None for key in STATE_FIELDS if key != "account"})
    history = load_history(settings)
    history.created = {}
    save_history(settings, history)


def _warm() -> Any:
    from .hooks import optional

    module = optional("aibox_ops.warm")
    return module if module is not None and hasattr(module, "remove_schedules") else None
