"""Which AWS resources exist before a launch, so deploy records only what it created.

destroy must never delete an IAM role or ECR repository the user supplied. The toolkit
reuses a role or repository that already exists (by name), so "the state has it after the
launch" is not proof that aibox-ops made it: existence is checked *before* the launch, and
only names that did not exist are recorded as created (``History.created``).
"""

from __future__ import annotations

from ..aws import AwsSession, aws_errors
from ..deploy_state import DeployState
from ..errors import AwsError


def missing_before_launch(session: AwsSession, state: DeployState,
                          names: dict[str, str]) -> dict[str, str]:
    """The toolkit-named resources that neither the deploy state names nor AWS holds yet:
    the launch will create exactly these. ``names`` from ``toolkit.resource_names``."""
    out: dict[str, str] = {}
    if not state.execution_role and not _role_exists(session, names["execution_role"]):
        out["execution_role"] = names["execution_role"]
    if not state.codebuild_role and not _role_exists(session, names["codebuild_role"]):
        out["codebuild_role"] = names["codebuild_role"]
    if not state.ecr_repository and not _repository_exists(session, names["ecr_repository"]):
        out["ecr_repository"] = names["ecr_repository"]
    if not _project_exists(session, names["codebuild_project"]):
        out["codebuild_project"] = names["codebuild_project"]
    return out


def _role_exists(session: AwsSession, name: str) -> bool:
    try:
        with aws_errors(f"read IAM role {name}"):
            session.client("iam").get_role(RoleName=name)
    except AwsError as error:
        if error.code == "NoSuchEntity":
            return False
        raise
    return True


def _repository_exists(session: AwsSession, name: str) -> bool:
    try:
        with aws_errors(f"read ECR repository {name}"):
            session.client("ecr").describe_repositories(repositoryNames=[name])
    except AwsError as error:
        if error.code == "RepositoryNotFoundException":
            return False
        raise
    return True


def _project_exists(session: AwsSession, name: str) -> bool:
    with aws_errors(f"read CodeBuild project {name}"):
        reply = session.client("codebuild").batch_get_projects(names=[name])
    return bool(reply.get("projects"))
