"""Who created each AWS resource of a deployment: aibox-ops, the starter toolkit, or you.

destroy must never delete an IAM role or ECR repository the user supplied. The toolkit
reuses a role or repository that already exists (by name), so "the state has it after the
launch" is not proof that aibox-ops made it: existence is checked *before* the launch, and
only names that did not exist are recorded as created (``History.created``).

A project deployed with the toolkit before aibox-ops adopted it has no such record. What
the toolkit created carries its deterministic names (``toolkit_names.resource_names``: roles
``AmazonBedrockAgentCoreSDK{Runtime,CodeBuild}-{region}-{sha256(name)[:10]}``, ECR
``bedrock-agentcore-{name}``, CodeBuild ``bedrock-agentcore-{name}-builder``, Memory
``{name}_mem``) and, for Memory, the YAML's ``memory.was_created_by_toolkit``. The YAML's
``*_auto_create`` flags are no proof either way: the toolkit turns them off once it has
created the resource. ``owner_of`` gives the verdict destroy acts on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..aws import AwsSession
from ..aws.reads import read_or_none

AIBOX_OPS, TOOLKIT, USER = "aibox-ops", "starter-toolkit", "you"
LABELS = {AIBOX_OPS: "created by aibox-ops deploy",
          TOOLKIT: "created by the starter toolkit",
          USER: "supplied by you (created by neither aibox-ops nor the starter toolkit)"}


@dataclass(frozen=True)
class Owners:
    """What aibox-ops recorded as created, and the toolkit's names for this agent."""

    created: dict[str, Any]
    toolkit_names: dict[str, str]
    memory_flag: bool = False  # the YAML's memory.was_created_by_toolkit

    def hand_edited(self, key: str, name: str) -> bool:
        """A role recorded as created under a name deploy never gives it (deploys.json is a
        local file: a hand-edited "Admin" must not become deletable)."""
        return (key in ROLE_KEYS and self.created.get(key) == name
                and self.toolkit_names.get(key) not in (None, name))

    def owner_of(self, key: str, name: str | None) -> str:
        """``aibox-ops``, ``starter-toolkit`` or ``you`` for resource ``key`` named ``name``
        (keys: execution_role, codebuild_role, ecr_repository, codebuild_project, memory)."""
        if not name or self.hand_edited(key, name):
            return USER
        if self.created.get(key) == name:
            return AIBOX_OPS
        expected = self.toolkit_names.get(key)
        if key == "memory" and (self.memory_flag or (expected and (
                name == expected or name.startswith(expected + "-")))):
            return TOOLKIT
        return TOOLKIT if expected == name else USER


ROLE_KEYS = ("execution_role", "codebuild_role")


def toolkit_owners(agent_name: str, region: str, created: dict[str, Any],
                   memory_flag: bool = False) -> Owners:
    """``Owners`` for one agent in one region (``toolkit_names``)."""
    from ..toolkit_names import resource_names

    return Owners(dict(created), resource_names(agent_name, region).to_dict(), memory_flag)


def role_exists(session: AwsSession, name: str) -> bool:
    """Whether IAM has a role of that name."""
    from .engine.roles import read_role_arn

    return read_role_arn(session, name) is not None


def repository_exists(session: AwsSession, name: str) -> bool:
    """Whether ECR has a repository of that name."""
    from .engine.ecr import read_repository

    return read_repository(session, name) is not None


def project_exists(session: AwsSession, name: str) -> bool:
    """Whether CodeBuild has a project of that name."""
    from .engine.build import read_project

    return read_project(session, name) is not None


def memory_exists(session: AwsSession, memory_id: str) -> bool:
    """Whether AgentCore has a Memory of that id."""
    from ..aws.calls import call

    return read_or_none(lambda: call(session, "bedrock-agentcore-control", "GetMemory",
                                      f"read Memory {memory_id}",
                                      memoryId=memory_id)) is not None


def object_exists(session: AwsSession, bucket: str, key: str) -> bool:
    """Whether S3 holds ``key`` in ``bucket`` (False when the bucket is gone too)."""
    from ..aws.calls import call

    return read_or_none(lambda: call(session, "s3", "HeadObject", f"read s3://{bucket}/{key}",
                                     Bucket=bucket, Key=key,
                                     ExpectedBucketOwner=session.account_id()),
                        not_found=("404", "NoSuchKey", "NoSuchBucket", "NotFound")) is not None
