"""The guide's own project, end to end, as its user would live it.

The REAL starter toolkit deploys the guide's layout (`agentcore configure -e agentcore_app.py`
+ `agentcore deploy`, STM_ONLY Memory) against the moto server; then aibox-ops, installed
with `uv tool install` into a temporary tool folder (tests/tool_install.py), takes it over,
each command a subprocess of the installed tool against the same moto server: doctor (before
init), init, doctor (after), deploy (same runtime, next version), rollback to the toolkit's
version, destroy. Nothing is left in moto and nothing of the user's is lost.

moto runs in this process, so its gap fillers (tests/deploy/moto_agentcore.py) serve the
subprocesses too; the toolkit inside the installed tool needs no patch of its own: the roles
already exist (no IAM propagation sleep) and the DEFAULT endpoint is READY at once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from toolkit_guide import guide_layout, toolkit_deploy

from tests.guide_project import AGENT
from tests.tool_install import Tool, install_tool, project_venv

pytestmark = pytest.mark.slow


def snapshot(root: Path) -> dict[str, bytes]:
    """The user's files (aibox-ops's own folder and the .venv's packages left out)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".aibox-ops/") and (
                not rel.startswith(".venv/") or rel == ".venv/pyvenv.cfg"):
            out[rel] = path.read_bytes()
    return out


def lost_files(root: Path, before: dict[str, bytes]) -> list[str]:
    """Files whose original content is neither in place nor in a backup of aibox-ops."""
    backups = sorted((root / ".aibox-ops" / "backups").glob("*"))
    lost = []
    for rel, data in before.items():
        here = root / rel
        if here.is_file() and here.read_bytes() == data:
            continue
        if any((folder / rel).is_file() and (folder / rel).read_bytes() == data
               for folder in backups):
            continue
        lost.append(rel)
    return lost


class Cli:
    """The installed tool, run as a subprocess in the project (one JSON document out)."""

    def __init__(self, tool: Tool, root: Path, env: dict[str, str]) -> None:
        self.tool, self.root, self.env = tool, root, env

    def __call__(self, *args: str, code: int | None = 0) -> dict:
        result = subprocess.run([str(self.tool.exe), "--json", *args], cwd=self.root,
                                env=self.env, capture_output=True, text=True, timeout=600,
                                check=False)
        where = f"aibox-ops {' '.join(args)} (exit {result.returncode}):\n" \
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        if code is not None:
            assert result.returncode == code, where
        try:
            return json.loads(result.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"stdout is not one JSON document: {where}")


def user_env(aws, health_peer, home: Path) -> dict[str, str]:
    """A user's shell: fake credentials, moto as AWS, a fresh HOME (no ~/.aws, no caches)."""
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k in ("PATH", "LANG", "LC_ALL", "TMPDIR") or k.startswith("AWS_")}
    env.update({"HOME": str(home), "AWS_ENDPOINT_URL": aws.url,
                "AWS_CONFIG_FILE": str(home / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
                "BEDROCK_AGENTCORE_CP_ENDPOINT": aws.url,
                "BEDROCK_AGENTCORE_DP_ENDPOINT": aws.url,
                # InvokeAgentRuntime (moto has no data plane): the local health peer.
                "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE": health_peer.url,
                "AGENTCORE_SUPPRESS_RECOMMENDATION": "1", "NO_COLOR": "1"})
    return env


def user_resources(aws) -> None:
    """What the guide's user created by hand before deploying (its Dockerfile ENV names
    them): the DynamoDB tables and the provider secrets."""
    for table in ("prod_aibox_setting", "aibox_session"):
        aws.client("dynamodb").create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    for secret in ("dev_gemini_api", "dev_openai_api"):
        aws.client("secretsmanager").create_secret(Name=secret, SecretString="{}")


def checks(doc: dict) -> dict[str, dict]:
    return {c["id"]: c for c in doc["checks"]}


def test_the_installed_tool_takes_over_the_guides_toolkit_deployment(
        tmp_path, aws, agentcore_moto, health_peer, monkeypatch):
    root = guide_layout(tmp_path)
    # The project's own environment, as `uv sync` in it leaves it (aibox-ops, installed
    # apart, judges the project's imports against it).
    shutil.rmtree(root / ".venv")
    project_venv(root / ".venv", ["bedrock-agentcore==1.25.0", "strands-agents==1.62.0",
                                  "boto3"], tmp_path / "venv-wheels", dict(os.environ))
    toolkit_deploy(root, monkeypatch)
    control = aws.client("bedrock-agentcore-control")
    (summary,) = control.list_agent_runtimes()["agentRuntimes"]
    agent_id = summary["agentRuntimeId"]
    toolkit_v1 = control.get_agent_runtime(agentRuntimeId=agent_id)
    toolkit_image = toolkit_v1["agentRuntimeArtifact"]["containerConfiguration"]["containerUri"]
    assert toolkit_v1["environmentVariables"]["BEDROCK_AGENTCORE_MEMORY_ID"]
    before = snapshot(root)
    user_resources(aws)

    # Installed with the developer's uv cache (HOME) at hand; run with a fresh HOME.
    tool = install_tool(tmp_path / "tool", dict(os.environ))
    cli = Cli(tool, root, user_env(aws, health_peer, tmp_path / "home"))

    # doctor before init: works on the project as it is, from the toolkit's YAML (item 3).
    first = checks(cli("doctor", "--no-logs", code=None))
    assert first["config"]["status"] == "pass", first["config"]
    assert first["runtime-status"]["status"] == "pass", first["runtime-status"]
    assert "agent/.env" not in json.dumps(first)
    for cid in ("render-drift", "requirements-drift", "env-drift"):  # not generated yet
        assert first[cid]["status"] in ("pass", "skip", "warn"), first[cid]

    adopted = cli("init", "--yes")
    assert adopted["ok"] and "[tool.aibox-ops]" in (root / "pyproject.toml").read_text()

    # After init, the only problems left are the role's missing grants, which deploy's IAM
    # phase fixes (the toolkit's role has no DynamoDB or application-secret access).
    after = checks(cli("doctor", "--no-logs", code=None))
    problems = {cid: f"{c['message']} {c.get('evidence')}" for cid, c in after.items()
                if c["status"] in ("fail", "error")}
    problems.pop("dynamodb-access", None)
    problems.pop("secrets-access", None)
    assert problems == {}, problems  # e.g. env-drift counting the Dockerfile's ENV (item 7)

    deployed = cli("deploy", "--yes", "--no-warm", "--timeout", "60")
    assert deployed["agent_id"] == agent_id  # the same runtime, not a new one
    assert {p["name"]: p["status"] for p in deployed["phases"]}["iam"] == "ok"
    v2 = control.get_agent_runtime(agentRuntimeId=agent_id)
    assert v2["agentRuntimeVersion"] == "2"
    memory_id = toolkit_v1["environmentVariables"]["BEDROCK_AGENTCORE_MEMORY_ID"]
    # init kept the toolkit's STM_ONLY Memory (item 5): the deploy still links it.
    assert v2["environmentVariables"]["BEDROCK_AGENTCORE_MEMORY_ID"] == memory_id
    assert v2["agentRuntimeArtifact"]["containerConfiguration"]["containerUri"] != toolkit_image
    assert len(control.list_agent_runtimes()["agentRuntimes"]) == 1

    status = cli("status")
    assert [(v["version"], v["in_history"]) for v in status["versions"]] == [
        ("2", True), ("1", False)]

    back = cli("rollback", "--yes", "--timeout", "60")
    assert (back["source"], back["to_version"], back["to_image"]) == (
        "aws", "1", toolkit_image)
    v3 = control.get_agent_runtime(agentRuntimeId=agent_id)
    assert v3["agentRuntimeVersion"] == "3"
    assert v3["agentRuntimeArtifact"] == toolkit_v1["agentRuntimeArtifact"]
    assert v3["environmentVariables"] == toolkit_v1["environmentVariables"]

    planned = cli("destroy", "--dry-run")
    owners = {i["target"]: i.get("owner") for i in planned["items"] if i["status"] == "delete"}
    assert set(owners.values()) <= {"aibox-ops", "starter-toolkit", None}
    gone = cli("destroy", "--yes")
    assert gone["ok"]

    # Nothing orphaned in AWS ...
    assert control.list_agent_runtimes()["agentRuntimes"] == []
    assert control.list_memories()["memories"] == []
    assert not [r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]
                if r["RoleName"].startswith("AmazonBedrockAgentCoreSDK")]
    assert aws.client("ecr").describe_repositories()["repositories"] == []
    assert aws.client("codebuild").list_projects()["projects"] == []
    # ... and nothing of the user's lost: each file as it was, or in aibox-ops's backups;
    # pyproject.toml is edited in place by init (docs/init.md): all of it is still there.
    pyproject = before.pop("pyproject.toml").decode()
    assert pyproject in (root / "pyproject.toml").read_text()
    assert lost_files(root, before) == []
    assert (root / "genai" / "agents" / "provider.py").is_file()
    assert AGENT in (root / ".bedrock_agentcore.yaml").read_text()
