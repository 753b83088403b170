"""Named runtime endpoints: ``endpoint list|set|delete``, ``rollback --endpoint`` (no build,
no new runtime version), status listing every endpoint, destroy's plan naming them.

The runtime and its versions are made directly through the moto client (no toolkit
deploy); moto's endpoint gaps are filled by ``moto_agentcore`` (the ``agentcore_moto``
fixture), InvokeAgentRuntime is answered by the ``health_peer``.
"""

from __future__ import annotations

import functools
import json

import boto3  # noqa: F401  (imported at collection: its ~0.7 s is no test's own time)
import pytest
from botocore.stub import Stubber

from aibox_ops.aws import open_session
from aibox_ops.aws.agentcore import list_endpoints, read_endpoint, wait_endpoint_ready
from aibox_ops.config import load_settings
from aibox_ops.deploy.destroy import plan_destroy
from aibox_ops.deploy.endpoints import (
    endpoint_row,
    plan_endpoint_delete,
    plan_endpoint_rollback,
    plan_endpoint_set,
)
from aibox_ops.deploy.history import HISTORY_PATH, load_history
from aibox_ops.deploy.yaml_state import write_project_state
from aibox_ops.errors import AwsError, ExitCode, InputError
from aibox_ops.render import apply_render, plan_render
from tests.helpers import invoke, json_out

REGION, ACCOUNT = "ap-southeast-1", "123456789012"
ECR = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
RUNTIME_ID = "my_aibox_agent-abcdefghij"


@pytest.fixture
def three_versions(project, aws, agentcore_moto):
    """A runtime of this project's agent with versions 1, 2 and 3 (images :v1..:v3)."""
    control = aws.client("bedrock-agentcore-control")
    common = {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/r",
              "networkConfiguration": {"networkMode": "PUBLIC"}}

    def artifact(tag: str) -> dict:
        return {"containerConfiguration": {"containerUri": f"{ECR}/r:{tag}"}}

    first = control.create_agent_runtime(agentRuntimeName="my_aibox_agent", **common,
                                         agentRuntimeArtifact=artifact("v1"))
    for tag in ("v2", "v3"):
        control.update_agent_runtime(agentRuntimeId=first["agentRuntimeId"], **common,
                                     agentRuntimeArtifact=artifact(tag))
    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    write_project_state(settings, {"agent_id": first["agentRuntimeId"],
                                   "agent_arn": first["agentRuntimeArn"]})
    return settings, first["agentRuntimeId"], control


def version_count(control, runtime_id: str) -> int:
    return len(control.list_agent_runtime_versions(agentRuntimeId=runtime_id)["agentRuntimes"])


@pytest.mark.slow  # a moto runtime, three CLI runs: ~1 s
def test_endpoint_set_creates_then_rollback_moves_it_without_a_new_version(
        three_versions, health_peer):
    settings, runtime_id, control = three_versions
    folder = settings.project_dir
    created = json_out(invoke("--json", "endpoint", "set", "canary", "--yes", project=folder))
    assert created["ok"] and created["action"] == "create", created
    assert (created["to_version"], created["written"]) == ("3", ["canary"])
    assert "healthy through endpoint canary" in created["health"]
    session = open_session(REGION)
    assert (read_endpoint(session, runtime_id, "canary") or {}).get("liveVersion") == "3"
    assert load_history(settings).created["endpoints"] == ["canary"]

    before = version_count(control, runtime_id)
    health_peer.qualifiers.clear()
    moved = json_out(invoke("--json", "rollback", "--endpoint", "canary", "--yes",
                            project=folder))
    assert moved["ok"], moved
    assert (moved["from_version"], moved["to_version"], moved["action"]) == ("3", "2",
                                                                             "rollback")
    assert version_count(control, runtime_id) == before  # no new runtime version
    now = read_endpoint(session, runtime_id, "canary") or {}
    assert (now.get("status"), now.get("liveVersion")) == ("READY", "2")
    assert health_peer.qualifiers == ["canary"]  # the health check went through canary
    default = read_endpoint(session, runtime_id, "DEFAULT") or {}
    assert default.get("liveVersion") == "3"  # DEFAULT untouched
    moves = [(r.action, r.endpoint, r.from_version, r.to_version)
             for r in load_history(settings).endpoints]
    assert moves == [("create", "canary", None, "3"), ("rollback", "canary", "3", "2")]
    assert not load_history(settings).deploys  # DEFAULT's deploy history untouched

    pinned = json_out(invoke("--json", "rollback", "--endpoint", "canary", "1", "--yes",
                             project=folder))
    assert pinned["to_version"] == "1" and pinned["ok"], pinned
    again = json_out(invoke("--json", "endpoint", "set", "canary", "--version", "1",
                            project=folder))
    assert again["items"][0]["status"] == "unchanged" and again["written"] == []
    assert version_count(control, runtime_id) == before


@pytest.mark.slow  # a moto runtime: ~0.6 s
def test_default_and_missing_versions_are_refused(three_versions):
    settings, runtime_id, control = three_versions
    folder, session = settings.project_dir, open_session(REGION)
    for args in (("rollback", "--endpoint", "DEFAULT"), ("endpoint", "set", "DEFAULT"),
                 ("endpoint", "delete", "DEFAULT")):
        refused = invoke("--json", *args, "--yes", project=folder)
        assert refused.exit_code == ExitCode.CONFIG, refused.stdout
        assert "DEFAULT follows the latest runtime version" in json_out(refused)["message"]
    with pytest.raises(InputError) as info:
        plan_endpoint_set(session, settings, "canary", "9")
    assert info.value.problems == ["version '9' (for endpoint canary) is not a version of "
                                   "the runtime (versions: 3, 2, 1)"]
    control.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="canary",
                                          agentRuntimeVersion="2")
    missing = invoke("--json", "rollback", "--endpoint", "canary", "7", "--yes",
                     project=folder)
    assert missing.exit_code == ExitCode.CONFIG
    assert "'7'" in missing.stdout and "versions: 3, 2, 1" in missing.stdout
    with pytest.raises(InputError, match="no endpoint 'nope'"):
        plan_endpoint_rollback(session, settings, "nope")
    _, move = plan_endpoint_rollback(session, settings, "canary")
    assert (move.from_version, move.to_version) == ("2", "1")
    control.update_agent_runtime_endpoint(agentRuntimeId=runtime_id, endpointName="canary",
                                          agentRuntimeVersion="1")
    with pytest.raises(InputError, match="no earlier version"):
        plan_endpoint_rollback(session, settings, "canary")
    # An endpoint aibox-ops did not create is never deleted by it (exit 7).
    foreign = invoke("--json", "endpoint", "delete", "canary", "--yes", project=folder)
    assert foreign.exit_code == ExitCode.REFUSED
    assert "not created by aibox-ops" in json_out(foreign)["message"]
    assert read_endpoint(session, runtime_id, "canary") is not None


@pytest.mark.slow  # a moto runtime: ~0.6 s
def test_dry_runs_write_nothing(three_versions):
    settings, runtime_id, control = three_versions
    folder, session = settings.project_dir, open_session(REGION)
    shown = json_out(invoke("--json", "endpoint", "set", "canary", "--version", "1",
                            "--dry-run", project=folder))
    assert (shown["mode"], shown["action"], shown["to_version"]) == ("dry-run", "create", "1")
    assert read_endpoint(session, runtime_id, "canary") is None
    control.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="canary",
                                          agentRuntimeVersion="3")
    before = version_count(control, runtime_id)
    plan = invoke("rollback", "--endpoint", "canary", "--dry-run", project=folder)
    assert plan.exit_code == 0, plan.stderr
    assert "canary" in plan.stdout and "3 -> 2" in plan.stdout
    assert (read_endpoint(session, runtime_id, "canary") or {}).get("liveVersion") == "3"
    assert version_count(control, runtime_id) == before
    assert not settings.path(HISTORY_PATH).exists()
    # Without a terminal and without --yes, nothing moves either (exit 7).
    refused = invoke("rollback", "--endpoint", "canary", project=folder)
    assert refused.exit_code == ExitCode.REFUSED
    assert (read_endpoint(session, runtime_id, "canary") or {}).get("liveVersion") == "3"


@pytest.mark.slow  # a moto runtime, several CLI runs: ~1 s
def test_status_lists_every_endpoint_and_destroy_plans_them(three_versions, health_peer):
    settings, runtime_id, control = three_versions
    folder = settings.project_dir
    made = invoke("endpoint", "set", "canary", "--version", "2", "--yes", project=folder)
    assert made.exit_code == 0, made.stderr
    assert "health: agent answered healthy through endpoint canary" in made.stdout
    control.create_agent_runtime_endpoint(agentRuntimeId=runtime_id, name="theirs",
                                          agentRuntimeVersion="1")
    status = json_out(invoke("--json", "status", project=folder))
    rows = {e["name"]: (e["status"], e["live_version"], e["target_version"],
                        e["created_by_aibox_ops"]) for e in status["endpoints"]}
    assert rows == {"DEFAULT": ("READY", "3", "3", False),
                    "canary": ("READY", "2", "2", True),
                    "theirs": ("READY", "1", "1", False)}
    assert [e["name"] for e in status["endpoints"]] == ["DEFAULT", "canary", "theirs"]
    assert {v["version"]: v["served_by"] for v in status["versions"]} == {
        "3": ["DEFAULT"], "2": ["canary"], "1": ["theirs"]}
    assert status["endpoint_moves"][0]["endpoint"] == "canary"
    human = invoke("status", project=folder)
    assert human.exit_code == 0, human.stderr
    table = human.stdout.split("endpoints", 1)[1]
    assert [line.split()[:4] for line in table.splitlines()
            if line.split() and line.split()[0] in ("DEFAULT", "canary", "theirs")] == [
        ["DEFAULT", "│", "READY", "│"], ["canary", "│", "READY", "│"],
        ["theirs", "│", "READY", "│"]]
    listed = json_out(invoke("--json", "endpoint", "list", project=folder))
    assert listed["endpoints"] == status["endpoints"] and listed["versions"] == ["3", "2", "1"]

    plan = plan_destroy(open_session(REGION), settings)
    endpoints = {i.target: i for i in plan.items if i.kind == "endpoint"}
    assert set(endpoints) == {"canary", "theirs"}
    assert endpoints["canary"].detail["owner"] == "aibox-ops"
    assert all(i.status == "delete" and "deleted with the runtime" in i.reason
               for i in endpoints.values())
    assert [i.kind for i in plan.items][:3] == ["runtime", "endpoint", "endpoint"]

    deleted = json_out(invoke("--json", "endpoint", "delete", "canary", "--yes",
                              project=folder))
    assert deleted["written"] == ["canary"], deleted
    assert read_endpoint(open_session(REGION), runtime_id, "canary") is None
    assert "endpoints" not in load_history(settings).created
    assert json.loads(settings.path(HISTORY_PATH).read_text())  # still valid JSON


# Fast: the service model and a fake clock; no moto, no time passing.

def _endpoint(status: str, live: str, target: str, **extra) -> dict:
    return {"agentRuntimeEndpointArn": f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:"
            f"runtime/{RUNTIME_ID}/runtime-endpoint/canary", "agentRuntimeArn":
            f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:runtime/{RUNTIME_ID}",
            "status": status, "liveVersion": live, "targetVersion": target,
            "createdAt": "2026-01-01T00:00:00Z", "lastUpdatedAt": "2026-01-01T00:00:00Z",
            "name": "canary", "id": "e123456789-0123456789", **extra}


class FakeClock:
    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@functools.cache
def _stub_session():
    """One session (and client) for the Stubber tests: its model loads once."""
    return open_session(REGION)


def _stubbed(replies: list[dict]):
    session = _stub_session()
    client = session.client("bedrock-agentcore-control")
    stub = Stubber(client)
    for reply in replies:
        stub.add_response("get_agent_runtime_endpoint", reply,
                          {"agentRuntimeId": RUNTIME_ID, "endpointName": "canary"})
    return session, stub


def test_wait_polls_until_ready_on_the_version():
    session, stub = _stubbed([_endpoint("UPDATING", "3", "2"), _endpoint("READY", "3", "2"),
                              _endpoint("READY", "2", "2")])
    fake = FakeClock()
    with stub:
        reply = wait_endpoint_ready(session, RUNTIME_ID, "canary", "2", timeout=60, poll=5,
                                    sleep=fake.sleep, clock=fake.clock)
    assert reply["liveVersion"] == "2" and fake.sleeps == [5, 5]
    stub.assert_no_pending_responses()


def test_wait_fails_on_update_failed_with_the_reason_and_on_timeout():
    session, stub = _stubbed([_endpoint("UPDATE_FAILED", "3", "2",
                                        failureReason="image pull denied")])
    with stub, pytest.raises(AwsError, match="UPDATE_FAILED: image pull denied"):
        wait_endpoint_ready(session, RUNTIME_ID, "canary", "2", timeout=60, poll=5,
                            sleep=FakeClock().sleep)
    session, stub = _stubbed([_endpoint("UPDATING", "3", "2")] * 3)
    fake = FakeClock()
    with stub, pytest.raises(AwsError) as info:
        wait_endpoint_ready(session, RUNTIME_ID, "canary", "2", timeout=10, poll=5,
                            sleep=fake.sleep, clock=fake.clock)
    assert info.value.code == "Timeout" and "target version 2" in info.value.message


def test_the_listing_follows_the_service_model_and_its_pages():
    session = _stub_session()
    client = session.client("bedrock-agentcore-control")
    summary = {k: v for k, v in _endpoint("READY", "1", "1").items() if k != "failureReason"}
    with Stubber(client) as stub:
        stub.add_response("list_agent_runtime_endpoints",
                          {"runtimeEndpoints": [summary], "nextToken": "t"},
                          {"agentRuntimeId": RUNTIME_ID})
        stub.add_response("list_agent_runtime_endpoints",
                          {"runtimeEndpoints": [{**summary, "name": "DEFAULT"}]},
                          {"agentRuntimeId": RUNTIME_ID, "nextToken": "t"})
        found = list_endpoints(session, RUNTIME_ID)
    assert [e["name"] for e in found] == ["canary", "DEFAULT"]
    row = endpoint_row(found[0], ["canary"])
    assert (row["live_version"], row["target_version"], row["created_by_aibox_ops"]) == (
        "1", "1", True)


def test_default_is_refused_before_any_aws_read():
    for plan in (plan_endpoint_set, plan_endpoint_rollback, plan_endpoint_delete):
        with pytest.raises(InputError, match="DEFAULT follows the latest"):
            plan(None, None, "DEFAULT")  # neither a session nor settings is touched


def test_destroy_plans_on_when_the_endpoints_cannot_be_listed():
    from aibox_ops.deploy.destroy import _plan_endpoints
    from aibox_ops.deploy.history import History

    session = _stub_session()
    items: list[tuple] = []
    with Stubber(session.client("bedrock-agentcore-control")) as stub:
        stub.add_client_error("list_agent_runtime_endpoints", "AccessDeniedException",
                              "not allowed", 403, expected_params={"agentRuntimeId": RUNTIME_ID})
        _plan_endpoints(session, RUNTIME_ID, History("k"),
                        lambda *args, **kwargs: items.append((args, kwargs)))
    (target, kind, delete, reason, owner), _ = items[0]
    assert (target, kind, delete, owner) == ("named endpoints", "endpoint", False, "you")
    assert "AccessDeniedException" in reason and "deleted with the runtime" not in reason
