"""One launch, made of aibox-ops' own AWS calls: Memory, roles, source bucket, then either a
code zip (``deployment_type = "code"``) or the repository, build source and CodeBuild
image, and the runtime. No starter-toolkit code runs; its names and YAML schema are kept
(``toolkit_names.py``, ``yaml_state.py``) so a project moves between the two tools both
ways.

Each resource is recorded in the deploy history the moment AWS has it (``History.created``:
what destroy may delete), so an interrupted launch leaves nothing unknown; the runtime's id
is written to the history before the YAML. Progress (``note``) names every step and, during
the build, its phase and elapsed time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...aws import AwsSession
from ...config import Settings
from ...deploy_state import DeployState, load_toolkit_record
from ...errors import AwsError
from ...runtime_request import managed_members
from ...toolkit_names import ResourceNames, resource_names
from ..code_package import CodeDeployUnsupported, CodePackage, code_artifact
from ..context import BuildContext, build_dir
from ..history import History, save_history
from ..runtime_api import RuntimeInfo
from . import build, ecr, policies, roles, runtime, source
from .code import build_deploy_package
from .memory import EnsuredMemory, ensure_memory

BUILD_TIMEOUT = build.TIMEOUT_MINUTES * 60 + 300  # CodeBuild's own limit plus queueing


@dataclass(frozen=True)
class LaunchResult:
    """What a launch built and deployed."""

    agent_id: str
    agent_arn: str
    image_uri: str
    build_id: str | None
    version: str | None
    state: dict[str, str | None]  # deploy state for the YAML (STATE_FIELDS keys)
    requests: list[dict[str, Any]] = field(default_factory=list)  # runtime writes, as sent
    deployment_type: str = "container"  # what was deployed ("code" may fall back)


@dataclass
class Launch:
    """The inputs of one launch; ``run`` performs it."""

    session: AwsSession
    settings: Settings
    context: BuildContext
    context_dir: Path
    state: DeployState
    history: History
    current: RuntimeInfo | None  # the runtime as it is now (None: create one)
    config: dict[str, Any]  # runtime_config_params(settings)
    image_tag: str
    note: Callable[[str], None]
    poll: float = 5.0
    warnings: list[str] = field(default_factory=list)
    names: ResourceNames = field(init=False)
    fresh: set[str] = field(init=False, default_factory=set)  # roles created by this run

    def __post_init__(self) -> None:
        self.names = resource_names(self.settings.agent_name, self.settings.region)

    def run(self, on_runtime: Callable[[LaunchResult], None]) -> LaunchResult:
        """Make every call; ``on_runtime`` is given the result as soon as the runtime
        exists (before anything else can fail), to persist it."""
        s, account = self.settings, self.session.account_id()
        partition = self.session.partition()
        memory = self._memory()
        bucket = self.names.source_bucket(account, s.region)
        source.ensure_source_bucket(self.session, bucket, account, s.region, self.note)
        package = self._code_package() if s.deployment_type == "code" else None
        state: dict[str, str | None] = {"account": account, "source_bucket": bucket}
        build_id = None
        if package is not None:
            key = f"{s.agent_name}/code-{package.sha256[:16]}.zip"
            self.note(f"uploading s3://{bucket}/{key} ({package.zipped_bytes / 1e6:.1f} MB)")
            self._record_code_key(key)  # before the upload: an interrupted one is ours too
            source.upload(self.session, package.path, bucket, key, account)
            artifact = code_artifact(bucket, key, package)
            uri = f"s3://{bucket}/{key}"
            execution = self._execution_role(partition, account, None, memory)
        else:
            repo = self._repository()
            execution = self._execution_role(partition, account, repo.name, memory)
            uri, build_id, project, builder = self._image(partition, account, repo, bucket)
            artifact = {"containerConfiguration": {"containerUri": uri}}
            state.update(ecr_repository=repo.uri, codebuild_project=project,
                         codebuild_role=builder)
        state["execution_role"] = execution
        config = self._with_memory(memory)
        if self.current is None:
            params = runtime.create_request(s.agent_name, artifact, execution, config)
            self.note(f"creating runtime {s.agent_name}")
            reply = runtime.create_runtime(self.session, params, self.note,
                                           new_role="execution_role" in self.fresh)
        else:
            params = runtime.update_request(self.current.raw, artifact, execution, config,
                                            managed=managed_members(s))
            self.note(f"updating runtime {self.current.agent_id}")
            reply = runtime.update_runtime(self.session, params, self.note,
                                           new_role="execution_role" in self.fresh)
        state.update(agent_id=reply["agentRuntimeId"], agent_arn=reply["agentRuntimeArn"])
        result = LaunchResult(reply["agentRuntimeId"], reply["agentRuntimeArn"], uri,
                              build_id, reply.get("agentRuntimeVersion"), state,
                              [{"operation": "CreateAgentRuntime" if self.current is None
                                else "UpdateAgentRuntime", "params": params}],
                              "code" if package is not None else "container")
        on_runtime(result)
        return result

    def _image(self, partition: str, account: str, repo: ecr.EnsuredRepository,
               bucket: str) -> tuple[str, str, str, str]:
        """Upload the staged context and build the image: (image URI, build id, project,
        CodeBuild role ARN)."""
        project = self.state.codebuild_project or self.names.codebuild_project
        owned = self._owned("codebuild_project", project)
        existing = build.read_project(self.session, project)
        if existing is not None and not owned:
            # Not aibox-ops' project (the toolkit's): it builds with its own service role,
            # so no role of ours is made for it.
            codebuild_role = str(existing.get("serviceRole") or "")
        else:
            codebuild_role = self._codebuild_role(partition, account, repo.name, bucket)
        self.note("zipping the build context")
        archive = source.zip_files({rel: self.context_dir / rel for rel in self.context.files},
                                   build_dir(self.settings) / "source.zip")
        self.note(f"uploading s3://{bucket}/{self.names.source_key}")
        self._recorder("source_key")(self.names.source_key)
        source.upload(self.session, archive, bucket, self.names.source_key, account)
        location = f"{bucket}/{self.names.source_key}"
        build.ensure_project(self.session, project, codebuild_role, location, owned=owned,
                             record=self._recorder("codebuild_project"), note=self.note,
                             current=existing, new_role="codebuild_role" in self.fresh)
        image_uri = f"{repo.uri}:{self.image_tag}"
        done = build.run_build(self.session, project, location, image_uri,
                               timeout=BUILD_TIMEOUT, poll=self.poll, note=self.note)
        return image_uri, done.build_id, project, codebuild_role

    def _code_package(self) -> CodePackage | None:
        """The code zip, or None (with the reason among the warnings) when this agent
        cannot be deployed as code: the launch then builds the container image."""
        try:
            return build_deploy_package(self.settings, self.context, self.note)
        except CodeDeployUnsupported as error:
            self.warnings.append(f"deployed as a container instead of code: {error.reason}")
            self.note(f"code deployment not possible ({error.reason}): building the image")
            return None

    # -- one resource each -----------------------------------------------------------

    def _memory(self) -> EnsuredMemory | None:
        record = load_toolkit_record(self.settings)
        memory = ensure_memory(self.session, self.settings.memory_mode, self.names.memory,
                               record.get("memory_id"), record=self._recorder("memory"),
                               note=self.note)
        if memory is not None and record.get("memory_id") != memory.memory_id:
            from ..yaml_state import write_project_state

            write_project_state(self.settings, {
                "memory_id": memory.memory_id, "memory_arn": memory.arn,
                "memory_name": memory.name})
        return memory

    def _repository(self) -> ecr.EnsuredRepository:
        name = (self.state.ecr_repository.split("/", 1)[1] if self.state.ecr_repository
                and "/" in self.state.ecr_repository else self.names.ecr_repository)
        return ecr.ensure_repository(self.session, name,
                                     owned=self._owned("ecr_repository", name),
                                     record=self._recorder("ecr_repository"), note=self.note)

    def _execution_role(self, partition: str, account: str, repository: str | None,
                        memory: EnsuredMemory | None) -> str:
        s = self.settings
        document = policies.execution_base(partition, s.region, account, s.agent_name,
                                           repository, memory.memory_id if memory else None)
        return self._role("execution_role", self.state.execution_role,
                          policies.execution_trust(partition, s.region, account),
                          f"AgentCore runtime role of {s.agent_name} (aibox-ops)",
                          policies.EXECUTION_BASE_POLICY, document)

    def _codebuild_role(self, partition: str, account: str, repository: str,
                        bucket: str) -> str:
        s = self.settings
        project = self.state.codebuild_project or self.names.codebuild_project
        return self._role("codebuild_role", self.state.codebuild_role,
                          policies.codebuild_trust(partition, s.region, account, project),
                          f"CodeBuild role of {s.agent_name}'s image builds (aibox-ops)",
                          policies.CODEBUILD_POLICY,
                          policies.codebuild_permissions(partition, s.region, account,
                                                         project, repository, bucket,
                                                         s.agent_name))

    def _role(self, key: str, recorded: str | None, trust: dict[str, Any],
              description: str, policy_name: str, document: dict[str, Any]) -> str:
        from ...iam.backups import BACKUP_DIR
        from ...iam.role import role_name_of

        name = role_name_of(recorded) if recorded else getattr(self.names, key)
        owned = self._owned(key, name)
        if recorded and not owned:  # supplied (or the toolkit's): used as it is
            arn = roles.read_role_arn(self.session, name)
            if arn is not None:
                return arn
            if name != getattr(self.names, key):  # gone, and not a name deploy gives
                raise AwsError(f"IAM role {name}, recorded as the {key.replace('_', ' ')} "
                               "in .bedrock_agentcore.yaml, does not exist",
                               hint="Create it again, or remove it from the YAML so that "
                                    "deploy creates its own.", code="NoSuchEntity")
            self.note(f"the recorded {key.replace('_', ' ')} {name} no longer exists: "
                      "creating it again")
        ensured = roles.ensure_role(self.session, name, trust, description, policy_name,
                                    document, owned=owned,
                                    backup_dir=self.settings.path(BACKUP_DIR),
                                    record=self._recorder(key), note=self.note)
        if ensured.created:
            self.fresh.add(key)
        return ensured.arn

    # -- helpers ---------------------------------------------------------------------

    def _owned(self, key: str, name: str) -> bool:
        return self.history.created.get(key) == name

    def _recorder(self, key: str) -> Callable[[str], None]:
        def record(name: str) -> None:
            self.history.created[key] = name
            save_history(self.settings, self.history)

        return record

    def _record_code_key(self, key: str) -> None:
        keys = list(self.history.created.get("code_packages") or [])
        if key not in keys:
            self.history.created["code_packages"] = [*keys, key]
            save_history(self.settings, self.history)

    def _with_memory(self, memory: EnsuredMemory | None) -> dict[str, Any]:
        if memory is None:
            return self.config
        return {**self.config, "environmentVariables": {
            **memory.environment(), **(self.config.get("environmentVariables") or {})}}
