"""The names of what a deploy creates for an agent: the starter toolkit's own names.

A project the toolkit deployed before keeps working both ways: aibox-ops finds (and reuses)
the roles, ECR repository, CodeBuild project and source bucket the toolkit made, and the
toolkit finds what aibox-ops made. Computed here, without importing the toolkit (its
private ``_generate_deterministic_suffix`` and ``sanitize_ecr_repo_name``; a test checks
both against the installed toolkit).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass


def name_suffix(agent_name: str, length: int = 10) -> str:
    """The toolkit's deterministic role-name suffix: ``sha256(agent_name)[:10]``."""
    return hashlib.sha256(agent_name.encode()).hexdigest()[:length]


def repository_part(agent_name: str) -> str:
    """The agent name as ECR allows it inside a repository name (the toolkit's rule)."""
    name = re.sub(r"[^a-z0-9_\-/]", "-", agent_name.lower())
    if name and not name[0].isalnum():
        name = "a" + name
    name = re.sub(r"[-_]{2,}", "-", name).rstrip("-_")
    if len(name) < 2:
        name += "-agent"
    return name[:200].rstrip("-_") if len(name) > 200 else name


@dataclass(frozen=True)
class ResourceNames:
    """Every name one agent's deploy uses in one region of one account."""

    execution_role: str
    codebuild_role: str
    ecr_repository: str
    codebuild_project: str
    source_key: str
    memory: str

    def source_bucket(self, account: str, region: str) -> str:
        """The CodeBuild source bucket (one per account and region, shared by agents)."""
        return f"bedrock-agentcore-codebuild-sources-{account}-{region}"

    def to_dict(self) -> dict[str, str]:
        """Key -> name (the keys ``History.created`` and destroy use)."""
        return asdict(self)


def resource_names(agent_name: str, region: str) -> ResourceNames:
    """The names for ``agent_name`` in ``region``."""
    suffix, repo = name_suffix(agent_name), repository_part(agent_name)
    return ResourceNames(
        execution_role=f"AmazonBedrockAgentCoreSDKRuntime-{region}-{suffix}",
        codebuild_role=f"AmazonBedrockAgentCoreSDKCodeBuild-{region}-{suffix}",
        ecr_repository=f"bedrock-agentcore-{repo}",
        codebuild_project=f"bedrock-agentcore-{repo}-builder",
        source_key=f"{agent_name}/source.zip",
        memory=f"{agent_name}_mem",
    )
