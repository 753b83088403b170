"""The agent's ECR repository, with a lifecycle policy that keeps what rollback needs.

Every deploy that builds pushes a new tag; rollback points the runtime back at an earlier
image, so the policy keeps the newest ``KEEP`` images (as many as the deploy history holds)
and expires only untagged layers and images beyond those. The policy is set only on a
repository aibox-ops created: one it did not create is used as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...aws import AwsSession
from ...aws.calls import call
from ...aws.reads import read_or_none
from ..history import KEEP

TAGS = [{"Key": "created-by", "Value": "aibox-ops"}]


@dataclass(frozen=True)
class EnsuredRepository:
    """The repository a build pushes to."""

    name: str
    uri: str
    arn: str
    created: bool


def lifecycle_policy(keep: int = KEEP) -> dict[str, Any]:
    """Untagged images go after a day; of the tagged ones the newest ``keep`` stay."""
    return {"rules": [
        {"rulePriority": 1, "description": "untagged layers left by rebuilds",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                       "countUnit": "days", "countNumber": 1},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": f"keep the {keep} newest images for rollback",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                       "countNumber": keep},
         "action": {"type": "expire"}}]}


def read_repository(session: AwsSession, name: str) -> dict[str, Any] | None:
    """The repository's description, or None when ECR has none of that name."""
    reply = read_or_none(
        lambda: call(session, "ecr", "DescribeRepositories", f"read ECR repository {name}",
                     repositoryNames=[name]), not_found=("RepositoryNotFoundException",))
    return (reply.get("repositories") or [None])[0] if reply else None


def ensure_repository(session: AwsSession, name: str, *, owned: bool,
                      record: Callable[[str], None],
                      note: Callable[[str], None]) -> EnsuredRepository:
    """The repository ``name``, created (scan on push, tagged, lifecycle policy) when
    missing; ``record(name)`` is called as soon as it exists."""
    repo = read_repository(session, name)
    created = repo is None
    if repo is None:
        note(f"creating ECR repository {name}")
        repo = call(session, "ecr", "CreateRepository", f"create ECR repository {name}",
                    repositoryName=name, tags=TAGS, imageTagMutability="MUTABLE",
                    imageScanningConfiguration={"scanOnPush": True})["repository"]
        record(name)
    if created or (owned and _lifecycle_of(session, name) != lifecycle_policy()):
        call(session, "ecr", "PutLifecyclePolicy", f"set the lifecycle policy of {name}",
             repositoryName=name, lifecyclePolicyText=json.dumps(lifecycle_policy()))
    return EnsuredRepository(name, repo["repositoryUri"], repo["repositoryArn"], created)


def _lifecycle_of(session: AwsSession, name: str) -> dict[str, Any] | None:
    reply = read_or_none(
        lambda: call(session, "ecr", "GetLifecyclePolicy", f"read the lifecycle policy of "
                     f"{name}", repositoryName=name),
        not_found=("LifecyclePolicyNotFoundException", "RepositoryNotFoundException"))
    return json.loads(reply["lifecyclePolicyText"]) if reply else None
