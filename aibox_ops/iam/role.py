"""Reading the runtime role from AWS: which role it is, and its policies.

Every request goes through ``calls.call`` (validated against botocore's model first).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from ..aws.calls import call, pages
from ..aws.reads import read_or_none
from ..config import Settings
from ..deploy_state import DeployState
from ..errors import AwsError, ConfigError
from .documents import PolicyDoc

ROLE_NAME_PREFIX = "AmazonBedrockAgentCoreSDKRuntime"
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")  # IAM's own rule for a role name
_ROLE_ARN = re.compile(r"^arn:(?P<partition>[a-z-]+):iam::(?P<account>\d{12}):"
                       r"(?P<type>[a-z-]+)/(?:[!-~]*/)?(?P<name>[^/]*)$")


@dataclass(frozen=True)
class RoleRef:
    """The runtime's execution role and how it was found."""

    name: str
    arn: str
    found_by: str  # --role | .bedrock_agentcore.yaml | GetAgentRuntime | toolkit name
    permissions_boundary: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {"name": self.name, "arn": self.arn, "found_by": self.found_by,
                "permissions_boundary": self.permissions_boundary}


def toolkit_role_name(agent_name: str, region: str) -> str:
    """The execution role name the starter toolkit derives for an agent in a region."""
    from ..toolkit_names import resource_names

    return resource_names(agent_name, region).execution_role


def role_name_of(name_or_arn: str) -> str:
    """``arn:aws:iam::1:role/path/Name`` -> ``Name`` (a plain name is returned as is)."""
    return name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn


def find_role(session: Any, settings: Settings, state: DeployState,
              explicit: str | None = None) -> RoleRef:
    """The role to fix: ``explicit``, else the YAML's execution role, else the deployed
    runtime's ``roleArn``, else the toolkit's derived name; AwsError lists candidates."""
    tried: list[str] = []
    sources: list[tuple[str, Any]] = []
    if explicit is not None:
        checked = check_role_option(session, explicit)
        sources.append(("--role", lambda: checked))
    else:
        sources += [(".bedrock_agentcore.yaml", lambda: state.execution_role),
                    ("GetAgentRuntime", lambda: _runtime_role(session, settings, state, tried)),
                    ("toolkit name", lambda: toolkit_role_name(settings.agent_name,
                                                               settings.region))]
    for found_by, source in sources:
        name = source()
        if not name:
            continue
        role = _get_role(session, role_name_of(name))
        if role is not None and found_by == "--role" and name.startswith("arn:") \
                and role["Arn"] != name:
            raise ConfigError([f"--role = {name!r}: role {role['RoleName']} is "
                               f"{role['Arn']}, another path"], hint="Pass its exact ARN.")
        if role is not None:
            return RoleRef(role["RoleName"], role["Arn"], found_by,
                           (role.get("PermissionsBoundary") or {}).get(
                               "PermissionsBoundaryArn"))
        tried.append(f"{found_by}: role {role_name_of(name)} does not exist")
    try:
        candidates = _candidates(session)
        listed = ("Roles that look like AgentCore roles: " + ", ".join(candidates)
                  if candidates else "No role name contains 'AgentCore'.")
    except AwsError as error:  # the caller may lack iam:ListRoles: still say what was tried
        listed = f"Candidate roles could not be listed ({error.message})."
    raise AwsError(
        f"no execution role found for agent {settings.agent_name} in {settings.region} ("
        + "; ".join(tried or ["nothing recorded"]) + ")",
        hint=listed + " Pass --role NAME|ARN, or deploy first.", code="NoSuchEntity")


def check_role_option(session: Any, value: str) -> str:
    """``--role``: a role name by IAM's rules, or a role ARN of the caller's own partition
    and account; ConfigError (exit 3) otherwise, before any IAM call."""
    def bad(why: str) -> ConfigError:
        return ConfigError([f"--role = {value!r}: {why}"],
                           hint="Pass the runtime role's name, or its ARN in this account.")

    if not value.startswith("arn:"):
        if not ROLE_NAME.match(value):
            raise bad("not a role name (1-64 letters, digits and +=,.@_-)")
        return value
    match = _ROLE_ARN.match(value)
    if match is None or match["type"] != "role":
        raise bad("not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)")
    if not ROLE_NAME.match(match["name"]):
        raise bad("its role name is not one IAM allows")
    partition, account = session.partition(), session.account_id()
    if match["partition"] != partition:
        raise bad(f"partition {match['partition']}, but this session is in {partition}")
    if match["account"] != account:
        raise bad(f"account {match['account']}, but the credentials are of account {account}; "
                  "fix-iam edits roles of its own account only")
    return value


def _get_role(session: Any, name: str) -> dict[str, Any] | None:
    reply = read_or_none(lambda: call(session, "iam", "GetRole", f"read role {name}",
                                      RoleName=name), not_found=("NoSuchEntity",))
    return reply["Role"] if reply else None


def find_runtime_id(session: Any, settings: Settings, state: DeployState) -> str | None:
    """The deployed runtime's id: from the deploy state, else by name (ListAgentRuntimes,
    through this library's calls so that AccessDenied names the permission)."""
    from ..aws.agentcore import runtime_id_from_arn

    runtime_id = state.agent_id or runtime_id_from_arn(state.agent_arn)
    return runtime_id or _runtime_id_by_name(session, settings.agent_name)


def _runtime_role(session: Any, settings: Settings, state: DeployState,
                  tried: list[str]) -> str | None:
    try:
        runtime_id = find_runtime_id(session, settings, state)
        if runtime_id is None:
            tried.append(f"no runtime named {settings.agent_name}")
            return None
        reply = call(session, "bedrock-agentcore-control", "GetAgentRuntime",
                     f"read agent runtime {runtime_id}", agentRuntimeId=runtime_id)
    except AwsError as error:
        if error.code == "AccessDenied":
            raise
        tried.append(f"GetAgentRuntime: {error.code}")
        return None
    return reply.get("roleArn")


def _runtime_id_by_name(session: Any, agent_name: str) -> str | None:
    runtimes = pages(session, "bedrock-agentcore-control", "ListAgentRuntimes",
                     "list agent runtimes", "agentRuntimes")
    return next((r["agentRuntimeId"] for r in runtimes
                 if r.get("agentRuntimeName") == agent_name), None)


def _candidates(session: Any) -> list[str]:
    roles = pages(session, "iam", "ListRoles", "list roles", "Roles",
                  PaginationConfig={"PageSize": 1000})
    return sorted(r["RoleName"] for r in roles if "agentcore" in r["RoleName"].lower())


def _capture_raw_document(parsed: dict[str, Any], **_: Any) -> None:
    # botocore URL-decodes and json-loads policy documents after the call; keep the exact
    # text too, so a backup restores the document byte for byte.
    doc = parsed.get("PolicyDocument")
    if isinstance(doc, str):
        parsed["RawPolicyDocument"] = urllib.parse.unquote(doc)


def read_inline_policy(session: Any, role_name: str, policy_name: str) -> PolicyDoc | None:
    """One inline policy (None when the role has no such policy)."""
    events = session.client("iam").meta.events
    events.register_first("after-call.iam.GetRolePolicy", _capture_raw_document,
                          unique_id="aibox-raw-policy")
    reply = read_or_none(lambda: call(session, "iam", "GetRolePolicy",
                                      f"read policy {policy_name} of role {role_name}",
                                      RoleName=role_name, PolicyName=policy_name),
                         not_found=("NoSuchEntity",))
    if reply is None:
        return None
    document = reply["PolicyDocument"]
    text = reply.get("RawPolicyDocument")
    if isinstance(document, str):  # a client without botocore's decoding handler
        import json

        text = text or document
        document = json.loads(document)
    return PolicyDoc(policy_name, "inline", document, text=text)


def read_role_documents(session: Any, role_name: str) -> list[PolicyDoc]:
    """Every policy on the role: inline ones (with their exact text), then attached managed
    ones (their default version)."""
    docs: list[PolicyDoc] = []
    for name in _paged(session, "ListRolePolicies", role_name, "PolicyNames"):
        doc = read_inline_policy(session, role_name, name)
        if doc is not None:
            docs.append(doc)
    for attached in _paged(session, "ListAttachedRolePolicies", role_name, "AttachedPolicies"):
        arn = attached["PolicyArn"]
        policy = call(session, "iam", "GetPolicy", f"read managed policy {arn}",
                      PolicyArn=arn)["Policy"]
        version = call(session, "iam", "GetPolicyVersion", f"read managed policy {arn}",
                       PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        docs.append(PolicyDoc(attached["PolicyName"], "managed", version["Document"], arn=arn))
    return docs


def _paged(session: Any, operation: str, role_name: str, key: str) -> list[Any]:
    return pages(session, "iam", operation, f"list the policies of role {role_name}", key,
                 RoleName=role_name)


def delete_role(session: Any, role_name: str) -> list[str]:
    """Delete a role aibox-ops created (callers check ownership first): its inline policies,
    then every attached managed policy is detached (DeleteRole refuses a role with either),
    then the role. Returns what was removed, as ``role/NAME[/policy/P]`` targets."""
    removed = []
    listed = call(session, "iam", "ListRolePolicies", f"list the policies of role {role_name}",
                  RoleName=role_name)
    for name in listed.get("PolicyNames", []):
        call(session, "iam", "DeleteRolePolicy", f"delete policy {name} of role {role_name}",
             RoleName=role_name, PolicyName=name)
        removed.append(f"role/{role_name}/policy/{name}")
    attached = call(session, "iam", "ListAttachedRolePolicies",
                    f"list the attached policies of role {role_name}", RoleName=role_name)
    for policy in attached.get("AttachedPolicies", []):
        call(session, "iam", "DetachRolePolicy", f"detach {policy['PolicyArn']} from {role_name}",
             RoleName=role_name, PolicyArn=policy["PolicyArn"])
        removed.append(f"role/{role_name}/attached/{policy['PolicyArn']}")
    call(session, "iam", "DeleteRole", f"delete role {role_name} (iam:DeleteRole)",
         RoleName=role_name)
    removed.append(f"role/{role_name}")
    return removed
