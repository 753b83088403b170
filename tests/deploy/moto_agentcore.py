"""What moto lacks for a deploy, filled inside moto itself.

Used by the deploy tests (through monkeypatch) and benchmarks/deploy_bench.py. Every
client then sees the same behaviour:
- the DEFAULT endpoint AgentCore creates with every runtime (and points at each update);
- UpdateAgentRuntime finishing (moto leaves the runtime UPDATING for ever; set
  ``updates_finish = False`` to keep that);
- UpdateAgentRuntimeEndpoint finishing (moto leaves a named endpoint UPDATING for ever, its
  liveVersion on the old version): the next read finds it READY on its target version, as
  AgentCore does once the move is done; ``endpoint_updates_finish = False`` keeps moto's;
- ListAgentRuntimeEndpoints summaries with ``liveVersion`` and ``targetVersion`` (botocore's
  model has both in each summary; moto leaves them out);
- GetAgentRuntime with ``agentRuntimeVersion`` (moto ignores it and answers the latest
  version): each version's artifact, role and environment are kept, and a version read
  answers that version, as AgentCore does;
- CodeBuild UpdateProject;
- a failing build (``build_fails``: moto's builds always succeed), with its failing phase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class AgentCoreMoto:
    """Switches for the gap-filling behaviour."""

    updates_finish: bool = True
    endpoint_updates_finish: bool = True
    build_fails: bool = False
    # (group, stream) a failed build's reply names as its log (write the events first).
    build_log: tuple[str, str] | None = None
    notes: list[str] = field(default_factory=list)


def gap_fillers(switches: AgentCoreMoto, moto_url: str) -> list[tuple[Any, str, Any]]:
    """(object, attribute, replacement) triples; apply with setattr or monkeypatch."""
    from moto.bedrockagentcorecontrol import models as control
    from moto.bedrockagentcorecontrol.responses import BedrockAgentCoreControlResponse
    from moto.codebuild.responses import CodeBuildResponse
    from moto.core.responses import ActionResult

    backend_cls = control.BedrockAgentCoreControlBackend
    create, update = backend_cls.create_agent_runtime, backend_cls.update_agent_runtime

    def create_with_endpoint(self, *args, **kwargs):
        runtime = create(self, *args, **kwargs)
        self.create_agent_runtime_endpoint(runtime.agent_runtime_id, "DEFAULT", None, None, None)
        return runtime

    def update_and_finish(self, agent_runtime_id, *args, **kwargs):
        runtime = update(self, agent_runtime_id, *args, **kwargs)
        endpoint = self.agent_runtime_endpoints.get((agent_runtime_id, "DEFAULT"))
        if endpoint is not None:
            endpoint.target_version = endpoint.live_version = runtime.agent_runtime_version
        if switches.updates_finish:
            runtime.status = "READY"
        return runtime

    get_endpoint = backend_cls.get_agent_runtime_endpoint
    summary = control.AgentRuntimeEndpoint.to_summary

    def get_endpoint_finished(self, agent_runtime_id, endpoint_name):
        endpoint = get_endpoint(self, agent_runtime_id, endpoint_name)
        if switches.endpoint_updates_finish and endpoint._status == "UPDATING":
            endpoint.live_version, endpoint.status = endpoint.target_version, "READY"
        return endpoint

    def summary_with_versions(self):
        return {**summary(self), "liveVersion": self.live_version,
                "targetVersion": self.target_version}

    snapshot = control.AgentRuntime._snapshot_version
    get = BedrockAgentCoreControlResponse.get_agent_runtime

    def snapshot_whole(self):
        snapshot(self)
        kept = getattr(self, "_whole_versions", {})
        kept[self.agent_runtime_version] = {
            "agentRuntimeArtifact": self.agent_runtime_artifact, "roleArn": self.role_arn,
            "environmentVariables": dict(self.environment_variables or {}),
            "agentRuntimeArn": self.agent_runtime_arn, "lastUpdatedAt": self.last_updated_at}
        self._whole_versions = kept

    def get_version(self):
        result = get(self)
        version = self._get_param("version") or self._get_param("agentRuntimeVersion")
        if not version:
            return result
        runtime = self.backend.get_agent_runtime(self._get_param("agentRuntimeId"))
        kept = getattr(runtime, "_whole_versions", {}).get(str(version))
        if kept is None:
            from moto.bedrockagentcorecontrol.exceptions import ResourceNotFoundException

            raise ResourceNotFoundException(f"Version {version} not found")
        body = dict(result.result)
        body.update({**kept, "agentRuntimeVersion": str(version)})
        if not kept["environmentVariables"]:
            body.pop("environmentVariables", None)
        return ActionResult(body)

    def update_project(self):
        backend = self.codebuild_backend
        name = self._get_param("name")
        history = backend.build_history.get(name, [])
        backend.codebuild_projects.pop(name, None)
        meta = backend.create_project(
            project_name=name, description=self._get_param("description"),
            project_source=self._get_param("source"), artifacts=self._get_param("artifacts"),
            environment=self._get_param("environment"),
            service_role=self._get_param("serviceRole"), tags=None, cache=None, timeout=None,
            queued_timeout=None, source_version=None, logs_config=None, vpc_config=None)
        backend.build_history[name] = history
        return ActionResult({"project": meta})

    read_builds = CodeBuildResponse.batch_get_builds

    def batch_get_builds(self):
        result = read_builds(self)
        if switches.build_fails:
            for build in result.result["builds"]:
                build.update(buildStatus="FAILED", currentPhase="COMPLETED")
                build["phases"] = [{"phaseType": "BUILD", "phaseStatus": "FAILED"}]
                if switches.build_log:
                    group, stream = switches.build_log
                    build["logs"] = {"groupName": group, "streamName": stream}
        return result

    return [
        (backend_cls, "create_agent_runtime", create_with_endpoint),
        (backend_cls, "update_agent_runtime", update_and_finish),
        (backend_cls, "get_agent_runtime_endpoint", get_endpoint_finished),
        (control.AgentRuntimeEndpoint, "to_summary", summary_with_versions),
        (control.AgentRuntime, "_snapshot_version", snapshot_whole),
        (BedrockAgentCoreControlResponse, "get_agent_runtime", get_version),
        (CodeBuildResponse, "update_project", update_project),
        (CodeBuildResponse, "batch_get_builds", batch_get_builds),
    ]


def builds(project: str = "bedrock-agentcore-my_aibox_agent-builder",
           region: str = "ap-southeast-1") -> int:
    """How many StartBuild calls moto received for the project."""
    from moto.codebuild.models import codebuild_backends

    return len(codebuild_backends["123456789012"][region].build_history.get(project, []))


def toolkit_fillers(moto_url: str) -> list[tuple[Any, str, Any]]:
    """For a run of the real starter toolkit (making a project as the toolkit leaves it):
    its endpoints, read once at import, re-pointed at moto; its fixed ``sleep(10)`` for IAM
    propagation skipped (shorter sleeps kept); X-Ray Transaction Search and trace delivery
    skipped (moto answers 404 and the toolkit shrugs after ~2.5 s)."""
    import time

    from bedrock_agentcore_starter_toolkit.operations.runtime import launch
    from bedrock_agentcore_starter_toolkit.utils import endpoints

    real_sleep = time.sleep
    return [
        (time, "sleep", lambda s: None if s >= 10 else real_sleep(s)),
        (endpoints, "CP_ENDPOINT_OVERRIDE", moto_url),
        (endpoints, "DP_ENDPOINT_OVERRIDE", moto_url),
        (launch, "enable_transaction_search_if_needed", lambda *a, **k: True),
        (launch, "enable_traces_delivery_for_runtime", lambda *a, **k: None),
    ]
