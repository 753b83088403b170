"""The agent's permissions manifest (``agent/permissions.json``): every AWS call it makes.

``load_manifest`` reads and checks it; nothing here talks to AWS. A bad manifest is a
FileError naming the file and the field, so ``fix-iam`` never grants from a guess.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import FileError
from ..files import read_text

MANIFEST_NAME = "permissions.json"
_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")  # no wildcards: exact actions only
_SID = re.compile(r"^[A-Za-z0-9]+$")  # IAM Sid characters
# What fix-iam grants at all: action prefix -> the resource types its ARNs may name. Anything
# else (IAM, STS, Organizations, S3, ...) is refused in the manifest, whatever it says.
ALLOWED_RESOURCES: dict[str, frozenset[str]] = {
    "dynamodb": frozenset({"table"}),
    "secretsmanager": frozenset({"secret"}),
    "kms": frozenset({"key"}),
    "bedrock": frozenset({"foundation-model", "inference-profile",
                          "application-inference-profile"}),
    "polly": frozenset({"lexicon"}),
}
ANY_RESOURCE_OK = frozenset({"polly"})  # no resource-level permission for its calls
WILDCARD_NAMES_OK = frozenset({"foundation-model", "inference-profile"})  # model choice
_PARTITIONS = frozenset({"%P", "aws", "aws-cn", "aws-us-gov"})  # %P: ${aws:partition}
_REGION = re.compile(r"^(%E|[a-z]{2}(-[a-z]+)+-\d{1,2}|\*)$")  # %E: ${env:NAME}


@dataclass(frozen=True)
class ManifestResource:
    """One resource a statement needs: an ARN template and where its name comes from."""

    type: str  # dynamodb-table | secret | foundation-model | inference-profile | any | ...
    arn: str  # with ${env:NAME}, ${aws:partition}, ${aws:account}; "*" only for type "any"
    name_env: str | None = None  # the container variable holding the resource's name
    region_env: str | None = None  # the container variable holding its region


@dataclass(frozen=True)
class ManifestStatement:
    """One group of calls the agent makes (one IAM statement)."""

    sid: str
    service: str  # the boto3 service the agent calls (dynamodb, secretsmanager, polly, ...)
    actions: list[str]
    resources: list[ManifestResource]
    note: str = ""
    used_by: str = ""


@dataclass(frozen=True)
class Manifest:
    """The whole manifest: defaults for ``${env:NAME}`` and the statements."""

    path: Path
    env_defaults: dict[str, str] = field(default_factory=dict)
    statements: list[ManifestStatement] = field(default_factory=list)


def manifest_path(settings: Settings) -> Path:
    """Where the manifest lives: next to the agent's entrypoint (``agent/permissions.json``
    for the bundled layout, ``permissions.json`` beside a root-level ``agentcore_app.py``)."""
    return settings.agent_dir / MANIFEST_NAME


def manifest_relpath(settings: Settings) -> str:
    """``manifest_path`` relative to the project (POSIX), for messages and plans."""
    return manifest_path(settings).relative_to(settings.project_dir).as_posix()


def missing_manifest(settings: Settings) -> FileError:
    """The error for an adopted project without its manifest, naming the right path."""
    rel = manifest_relpath(settings)
    return FileError(f"{manifest_path(settings)}: not found (fix-iam grants what this "
                     "manifest lists)",
                     hint=f"Run `aibox-ops init` to write {rel} from the tables, secrets and "
                          f"models your container environment names, or write {rel} yourself "
                          "(docs/fix-iam.md); `--no-iam` skips the IAM repair.")


def load_manifest(settings: Settings) -> Manifest:
    """Read and check the manifest; FileError names the file and field.

    Before adoption (no [tool.aibox-ops]) a missing manifest is derived from the detected
    container environment, exactly as ``init`` would write it (``iam/derive.py``)."""
    path = manifest_path(settings)
    text = read_text(path)
    if text is None and not settings.adopted:
        from .derive import derive_manifest

        return parse_manifest(derive_manifest(settings, "the detected container environment"),
                              path)
    if text is None:
        raise missing_manifest(settings)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"{path}: is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise FileError(f"{path}: is nested too deeply to be a permissions manifest") from None
    return parse_manifest(data, path)


def parse_manifest(data: Any, path: Path) -> Manifest:
    """Check the manifest's structure (pure); FileError names the first bad field."""
    def bad(where: str, why: str) -> FileError:
        return FileError(f"{path}: {where} {why}")

    if not isinstance(data, dict) or not isinstance(data.get("statements"), list):
        raise bad("statements", "must be a list of statements")
    defaults = data.get("env_defaults", {})
    if not isinstance(defaults, dict) or not all(isinstance(v, str) for v in defaults.values()):
        raise bad("env_defaults", "must map variable names to strings")
    statements, sids = [], set()
    for i, raw in enumerate(data["statements"]):
        where = f"statements[{i}]"
        if not isinstance(raw, dict):
            raise bad(where, "must be an object")
        sid = raw.get("sid")
        if not isinstance(sid, str) or not _SID.match(sid) or sid in sids:
            raise bad(f"{where}.sid", f"= {sid!r} must be a unique alphanumeric IAM Sid")
        sids.add(sid)
        actions = raw.get("actions")
        if not isinstance(actions, list) or not actions:
            raise bad(f"{where}.actions", "must be a non-empty list")
        for action in actions:
            if not isinstance(action, str) or not _ACTION.match(action):
                raise bad(f"{where}.actions", f"has {action!r}: exact actions only, no '*'")
        prefixes = {a.split(":")[0] for a in actions}
        if len(prefixes) > 1 or not prefixes <= set(ALLOWED_RESOURCES):
            raise bad(f"{where}.actions", f"has {sorted(prefixes)}: one service per statement, "
                      "one of " + ", ".join(sorted(ALLOWED_RESOURCES)))
        prefix = prefixes.pop()
        resources = [_resource(r, f"{where}.resources[{j}]", bad, prefix)
                     for j, r in enumerate(raw.get("resources") or [])]
        if not resources:
            raise bad(f"{where}.resources", "must be a non-empty list")
        statements.append(ManifestStatement(
            sid=sid, service=str(raw.get("service") or actions[0].split(":")[0]),
            actions=list(actions), resources=resources, note=str(raw.get("note", "")),
            used_by=str(raw.get("used_by", ""))))
    return Manifest(path=path, env_defaults=dict(defaults), statements=statements)


def _check_arn(arn: str, prefix: str, bad: Any) -> None:
    """An ARN template names the statement's service, a resource type fix-iam grants, the
    deploy target's account (none for AWS-owned models) and no wildcard but model names."""
    plain = arn.replace("${aws:partition}", "%P").replace("${aws:account}", "%A")
    plain = re.sub(r"\$\{env:[A-Za-z0-9_]+\}", "%E", plain)
    parts = plain.split(":", 5)
    if len(parts) < 6 or parts[1] not in _PARTITIONS:
        raise bad("partition must be ${aws:partition} (or aws, aws-cn, aws-us-gov)")
    service, kind = arn_service_and_type(arn)
    if service != prefix:
        raise bad(f"service {service!r} is not that of the statement's actions ({prefix})")
    if kind not in ALLOWED_RESOURCES[prefix]:
        raise bad(f"resource type {kind!r}: {prefix} resources must be "
                  + ", ".join(sorted(ALLOWED_RESOURCES[prefix])))
    if not _REGION.match(parts[3]):
        raise bad("region must be ${env:NAME}, a region or '*'")
    if parts[4] != "%A" and not (parts[4] == "" and kind == "foundation-model"):
        raise bad("account must be ${aws:account} (empty only for foundation models)")
    name = parts[5]
    if kind == "secret":
        name = name.removesuffix("-??????")  # Secrets Manager's random suffix
    if "?" in name or ("*" in name and kind not in WILDCARD_NAMES_OK):
        raise bad(f"a wildcard in a {kind} name would grant every {kind} it matches")


def arn_service_and_type(arn: str) -> tuple[str, str]:
    """``arn:P:dynamodb:R:A:table/T`` -> ``("dynamodb", "table")``; templates' ``${...}``
    count as names. The type is ``""`` for an ARN whose resource has no type prefix."""
    parts = re.sub(r"\$\{[^}]*\}", "x", arn).split(":", 5)
    if len(parts) < 6:
        return (parts[2] if len(parts) > 2 else "", "")
    resource = parts[5]
    kind = re.split(r"[/:]", resource, maxsplit=1)[0] if re.search(r"[/:]", resource) else ""
    return parts[2], kind


def _resource(raw: Any, where: str, bad: Any, prefix: str) -> ManifestResource:
    if not isinstance(raw, dict) or not isinstance(raw.get("arn"), str):
        raise bad(where, "must be an object with an 'arn'")
    kind = str(raw.get("type", ""))
    arn = raw["arn"]
    # Resource "*" is allowed only where the manifest says the service has no
    # resource-level permission for the call (type "any").
    if (arn == "*") != (kind == "any"):
        raise bad(f"{where}.arn", f"= {arn!r}: '*' goes with type 'any' and only with it")
    if arn == "*" and prefix not in ANY_RESOURCE_OK:
        raise bad(f"{where}.arn", f"= '*' for {prefix}: only "
                  + ", ".join(sorted(ANY_RESOURCE_OK)) + " may have resource '*'")
    if arn != "*" and not arn.startswith("arn:"):
        raise bad(f"{where}.arn", f"= {arn!r} is not an ARN template")
    if arn != "*":
        _check_arn(arn, prefix, lambda why: bad(f"{where}.arn", f"= {arn!r}: {why}"))
    return ManifestResource(type=kind, arn=arn, name_env=raw.get("name_env"),
                            region_env=raw.get("region_env"))
