"""``aibox-ops destroy``: remove what deploy (or the starter toolkit) created, and nothing else.

Removed: the runtime (and with it, in AWS, its named endpoints: each is listed), the
warm-up schedules, and what was created for this agent, by
aibox-ops (``History.created``) or by the starter toolkit before aibox-ops adopted the project
(recognised by the toolkit's names and the YAML's Memory flag, see ``created.py``): the
CodeBuild project and role, the uploaded source, the ECR repository or its images, the
execution role, the Memory. Each item says who created it. A role, repository or Memory
the user supplied is never deleted (with a supplied repository only the images aibox-ops
pushed go, unless ``--keep-images``). Afterwards the YAML forgets only what is gone: a
reference to a resource that still exists is never erased. Every request is checked against
botocore's model; the plan comes first (``--dry-run``).
"""

from __future__ import annotations

from typing import Any

from ..aws import AwsSession
from ..aws.calls import call
from ..aws.reads import read_or_none
from ..config import Settings
from ..deploy_state import DeployState, load_deploy_state, load_toolkit_record
from ..plan import Change, Plan
from . import created as owned
from .history import History, load_history, save_history
from .runtime_api import CONTROL, delete_runtime

KEEP = "never deleted"


def plan_destroy(session: AwsSession, settings: Settings, keep_images: bool = False) -> Plan:
    """One item per resource: delete, or kept with the reason; each names its creator."""
    state, history = load_deploy_state(settings), load_history(settings)
    record = load_toolkit_record(settings)
    owners = owned.toolkit_owners(settings.agent_name, settings.region, history.created,
                                  memory_flag=record.get("memory_created_by_toolkit") is True)
    items: list[Change] = []

    def add(target: str, kind: str, delete: bool, reason: str, owner: str | None = None,
            clears: tuple[str, ...] = (), created_key: str | None = None, gone: bool = False,
            **payload: Any) -> None:
        """``clears``: YAML fields to forget once it is deleted (or found gone);
        ``created_key``: its entry in History.created."""
        items.append(Change(target, "delete" if delete else "unchanged", reason, kind=kind,
                            payload={**payload, "clears": clears, "created_key": created_key,
                                     "gone": gone},
                            detail={"owner": owner} if owner else {}))

    runtime_ids = ("agent_id", "agent_arn")
    from .guard import read_own_runtime

    runtime = read_own_runtime(session, settings, state, history)  # refuses another's
    if runtime is not None:
        add(runtime.agent_id, "runtime", True, f"runtime {runtime.arn}", clears=runtime_ids,
            created_key="runtime", agent_id=runtime.agent_id)
        _plan_endpoints(session, runtime.agent_id, history, add)
    elif state.agent_id:
        add(state.agent_id, "runtime", False, "already gone", clears=runtime_ids,
            created_key="runtime", gone=True)
    _plan_schedules(session, settings, add)
    _plan_project(session, state, owners, add)
    _plan_source(session, state, owners, add)
    _plan_images(session, state, history, owners, keep_images, add)
    for field in ("codebuild_role", "execution_role"):
        arn = getattr(state, field)
        name = (arn or "").rsplit("/", 1)[-1] or history.created.get(field)
        if name:
            # deploys.json is a local file: a role recorded as created under another name
            # than the toolkit derives for this agent and region (a hand edit) is never deleted
            suffix = (f"; recorded as created, but not the name deploy gives it "
                      f"({owners.toolkit_names[field]})" if owners.hand_edited(field, name)
                      else "")
            _plan_owned(add, name, "role", field, owners.owner_of(field, name),
                        owned.role_exists(session, name), (field,), suffix=suffix)
    _plan_memory(session, record, owners, add)
    return Plan("destroy", items)


def _plan_endpoints(session: AwsSession, runtime_id: str, history: History, add: Any) -> None:
    """The runtime's named endpoints: AWS deletes them with the runtime (no call of their
    own), so the plan lists each, whoever made it."""
    from ..aws.agentcore import list_endpoints
    from ..errors import AwsError
    from .endpoints import DEFAULT, created_endpoints

    ours = created_endpoints(history)
    try:
        found = list_endpoints(session, runtime_id)
    except AwsError as error:  # e.g. no ListAgentRuntimeEndpoints permission: not a blocker
        add("named endpoints", "endpoint", False, f"could not be listed ({error.message}); "
            "AWS deletes them with the runtime", owned.USER)
        return
    for raw in found:
        name = raw.get("name") or ""
        if not name or name == DEFAULT:
            continue
        owner = owned.AIBOX_OPS if name in ours else owned.USER
        made = ("created by aibox-ops endpoint set" if owner == owned.AIBOX_OPS
                else "not created by aibox-ops")
        add(name, "endpoint", True, f"endpoint {name} (serves version "
            f"{raw.get('liveVersion') or raw.get('targetVersion') or '?'}; {made}): deleted "
            "with the runtime", owner, created_key="endpoints", with_runtime=True)


def _plan_owned(add: Any, name: str, kind: str, key: str, owner: str, exists: bool,
                clears: tuple[str, ...], suffix: str = "", **payload: Any) -> None:
    """Delete what aibox-ops or the toolkit created; keep the user's; forget what is gone."""
    label = owned.LABELS[owner] + suffix
    if not exists:
        add(name, kind, False, f"already gone ({label})", owner, clears, key, gone=True)
    elif owner == owned.USER:
        add(name, kind, False, f"{label}: {KEEP}", owner, created_key=key)
    else:
        add(name, kind, True, label, owner, clears, key, **payload)


def _plan_schedules(session: AwsSession, settings: Settings, add: Any) -> None:
    warm_module = _warm()
    if warm_module is None:
        return
    found = warm_module.read_schedules(session, settings)
    if found.group_owned or found.role_owned:
        add(found.group_name, "schedule", True,
            f"{len(found.schedules)} warm-up schedule(s), their group and role "
            "(only what aibox-ops warm created and tagged)", owned.AIBOX_OPS)
    elif found.schedules:
        # A group of that name that aibox-ops did not tag: never ours to delete, and
        # planning its deletion would stop destroy halfway (remove_schedules refuses).
        add(found.group_name, "schedule", False,
            f"{len(found.schedules)} schedule(s) in a group aibox-ops did not create: kept",
            owned.USER)


def _plan_project(session: AwsSession, state: DeployState, owners: owned.Owners,
                  add: Any) -> None:
    project = state.codebuild_project or owners.created.get("codebuild_project")
    if project:
        _plan_owned(add, project, "codebuild-project", "codebuild_project",
                    owners.owner_of("codebuild_project", project),
                    owned.project_exists(session, project), ("codebuild_project",))


def _plan_source(session: AwsSession, state: DeployState, owners: owned.Owners,
                 add: Any) -> None:
    """The uploaded build source (the bucket is shared by every agent: never deleted)."""
    key = owners.created.get("source_key")
    owner = owned.AIBOX_OPS
    if not key:
        key, owner = owners.toolkit_names["source_key"], owned.TOOLKIT
    if not state.source_bucket:
        return
    if owned.object_exists(session, state.source_bucket, key):
        add(f"s3://{state.source_bucket}/{key}", "s3-object", True,
            f"{owned.LABELS[owner]}: the uploaded build source (the bucket is shared by "
            "every agent: kept)", owner, created_key="source_key",
            bucket=state.source_bucket, key=key)
    elif owners.created.get("source_key"):
        add(f"s3://{state.source_bucket}/{key}", "s3-object", False, "already gone", owner,
            created_key="source_key", gone=True)
    for code_key in owners.created.get("code_packages") or []:  # code deployments' zips
        if owned.object_exists(session, state.source_bucket, code_key):
            add(f"s3://{state.source_bucket}/{code_key}", "s3-object", True,
                f"{owned.LABELS[owned.AIBOX_OPS]}: a code package (the bucket is shared: "
                "kept)", owned.AIBOX_OPS, created_key="code_packages",
                bucket=state.source_bucket, key=code_key)


def _plan_memory(session: AwsSession, record: dict[str, Any], owners: owned.Owners,
                 add: Any) -> None:
    memory_id = record.get("memory_id")
    if not memory_id:
        return
    name = str(record.get("memory_name") or memory_id)
    owner = owners.owner_of("memory", name if record.get("memory_name") else str(memory_id))
    _plan_owned(add, str(memory_id), "memory", "memory", owner,
                owned.memory_exists(session, str(memory_id)), ("memory_id", "memory_arn"),
                suffix=f" (Memory {name}, mode {record.get('memory_mode') or '?'})",
                memory_id=str(memory_id))


def apply_destroy(session: AwsSession, settings: Settings, plan: Plan) -> list[str]:
    """Delete every item planned for deletion, then forget (in the YAML and the history)
    only what is gone. Returns the deleted targets."""
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
        elif item.kind == "endpoint":
            pass  # deleted by AWS with the runtime (planned just before it)
        elif item.kind == "schedule":
            _warm().remove_schedules(session, settings)
        elif item.kind == "codebuild-project":
            _ignore_missing(lambda t=item.target: call(
                session, "codebuild", "DeleteProject", f"delete CodeBuild project {t}", name=t))
        elif item.kind == "s3-object":
            call(session, "s3", "DeleteObject", f"delete {item.target}",
                         Bucket=payload["bucket"], Key=payload["key"],
                         ExpectedBucketOwner=session.account_id())
        elif item.kind == "ecr-repository":
            _ignore_missing(lambda t=item.target: call(
                session, "ecr", "DeleteRepository", f"delete ECR repository {t}",
                repositoryName=t, force=True))
        elif item.kind == "ecr-images":
            _ignore_missing(lambda p=payload: call(
                session, "ecr", "BatchDeleteImage", "delete pushed images",
                repositoryName=p["repository"],
                imageIds=[{"imageTag": tag} for tag in p["tags"]]))
        elif item.kind == "role":
            _delete_role(session, item.target)
        elif item.kind == "memory":
            _ignore_missing(lambda p=payload: call(
                session, CONTROL, "DeleteMemory", f"delete Memory {p['memory_id']}",
                memoryId=p["memory_id"]))
        done.append(item.target)
    _forget(settings, plan)
    return done


def _plan_images(session: AwsSession, state: DeployState, history: History,
                 owners: owned.Owners, keep_images: bool, add: Any) -> None:
    repo_uri = state.ecr_repository or ""
    repo = repo_uri.split("/", 1)[-1] if repo_uri else history.created.get("ecr_repository")
    if not repo:
        return
    owner = owners.owner_of("ecr_repository", repo)
    exists = owned.repository_exists(session, repo)
    if keep_images and exists:
        add(repo, "ecr-repository", False, f"{owned.LABELS[owner]}: kept (--keep-images)",
            owner, created_key="ecr_repository")
        return
    if owner != owned.USER or not exists:
        _plan_owned(add, repo, "ecr-repository", "ecr_repository", owner, exists,
                    ("ecr_repository",), suffix=" (with its images)")
        return
    add(repo, "ecr-repository", False, f"{owned.LABELS[owner]}: {KEEP}", owner)
    tags = sorted({r.image_uri.rsplit(":", 1)[-1] for r in history.deploys
                   if r.image_uri.startswith(repo_uri + ":")})
    if tags:
        add(f"{repo}:{','.join(tags)}", "ecr-images", True, "images aibox-ops pushed",
            owned.AIBOX_OPS, repository=repo, tags=tags)


def _delete_role(session: AwsSession, name: str) -> None:
    from ..iam import delete_role

    _ignore_missing(lambda: delete_role(session, name))


def _ignore_missing(run: Any) -> None:
    read_or_none(run, not_found=("NoSuchEntity", "RepositoryNotFoundException",
                                 "ResourceNotFoundException", "InvalidInputException"))


def _forget(settings: Settings, plan: Plan) -> None:
    """Clear from the YAML only the references to what is now gone (deleted, or found
    gone); what aibox-ops created and still exists stays in the history."""
    from .yaml_state import write_project_state

    clears: dict[str, None] = {}
    kept_keys: set[str] = set()
    for item in plan.items:
        payload = item.payload or {}
        if item.status == "delete" or payload.get("gone"):
            clears.update(dict.fromkeys(payload.get("clears") or ()))
        elif payload.get("created_key"):
            kept_keys.add(payload["created_key"])
    if clears and settings.path(".bedrock_agentcore.yaml").is_file():
        write_project_state(settings, clears)
    history = load_history(settings)
    history.created = {k: v for k, v in history.created.items() if k in kept_keys}
    save_history(settings, history)


def _warm() -> Any:
    from .hooks import optional

    module = optional("aibox_ops.warm")
    return module if module is not None and hasattr(module, "remove_schedules") else None
