"""What the runtime role must allow: the manifest and the settings turned into real ARNs.

Pure: everything AWS knows (account, partition, each secret's real ARN and KMS key) comes in
as arguments, so the result is unit-tested without AWS.

Names, in order of precedence (docs/fix-iam.md):
1. ``${env:NAME}`` is read from ``Settings.container_env`` (exactly what the image gets:
   ``[tool.aibox-ops.environment]`` over the built-in defaults), else from the manifest's
   ``env_defaults``.
2. When the ``tables`` (or ``secrets``) setting is set, it REPLACES the names derived from
   the environment: a configured name that is also the value of a manifest variable keeps
   that statement's actions; any other configured name gets the actions of every statement
   of that kind (aibox-ops cannot know what the agent does with it); a name derived from the
   environment but not configured is not granted.
3. A secret given as a full ARN is used as it is; otherwise the real ARN from DescribeSecret
   when known, else ``secret:NAME-??????`` (Secrets Manager's 6-character suffix).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import Settings
from ..config.build import SECRET_ID_RE, TABLE_RE
from ..errors import ConfigError
from .manifest import Manifest, ManifestResource, ManifestStatement, arn_service_and_type

KMS_SID = "SecretsKmsDecrypt"
_VAR = re.compile(r"\$\{(env|aws):([A-Za-z0-9_]+)\}")
# Resource types whose names the ``tables`` / ``secrets`` settings replace.
SETTING_FOR_TYPE = {"dynamodb-table": "tables", "secret": "secrets"}


@dataclass(frozen=True)
class SecretFacts:
    """What Secrets Manager says about one secret (None: not known)."""

    arn: str | None = None
    kms_key_arn: str | None = None  # only for a customer-managed key


@dataclass(frozen=True)
class Requirement:
    """Actions the role must allow on resources (one IAM statement when granted)."""

    sid: str
    service: str
    actions: list[str]
    resources: list[str]
    condition: dict[str, Any] | None = None
    note: str = ""

    def statement(self) -> dict[str, Any]:
        """The Allow statement that grants exactly this requirement."""
        statement: dict[str, Any] = {
            "Sid": self.sid, "Effect": "Allow", "Action": sorted(self.actions),
            "Resource": self.resources[0] if self.resources == ["*"] else list(self.resources),
        }
        if self.condition:
            statement["Condition"] = self.condition
        return statement

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {"sid": self.sid, "service": self.service, "actions": list(self.actions),
                "resources": list(self.resources), "condition": self.condition,
                "note": self.note}


@dataclass
class _Context:
    env: dict[str, str]
    account: str
    partition: str
    configured: dict[str, list[str] | None]
    secrets: Mapping[str, SecretFacts]
    kms: dict[str, set[str]] = field(default_factory=dict)  # key ARN -> secret regions


def required_access(settings: Settings, manifest: Manifest, account: str, partition: str,
                    services: Collection[str] | None = None,
                    secrets: Mapping[str, SecretFacts] | None = None) -> list[Requirement]:
    """Every statement the agent needs, with real ARNs, in manifest order (pure).

    ``services`` keeps only those services (``kms`` comes with ``secretsmanager``);
    ``secrets`` maps a secret id to what DescribeSecret said about it.
    """
    ctx = _Context(env={**manifest.env_defaults, **settings.container_env}, account=account,
                   partition=partition,
                   configured={"tables": settings.tables, "secrets": settings.secrets},
                   secrets=secrets if secrets is not None else {})
    derived = _derived_names(manifest, ctx)
    out: list[Requirement] = []
    for statement in manifest.statements:
        resources = _statement_resources(statement, ctx, derived)
        if resources:
            out.append(Requirement(statement.sid, statement.service, list(statement.actions),
                                   resources, note=statement.note))
    if ctx.kms:
        regions = sorted({r for rs in ctx.kms.values() for r in rs})
        via = [f"secretsmanager.{r}.amazonaws.com" for r in regions]
        out.append(Requirement(
            KMS_SID, "kms", ["kms:Decrypt"], sorted(ctx.kms),
            condition={"StringEquals": {"kms:ViaService": via[0] if len(via) == 1 else via}},
            note="the secrets are encrypted with a customer-managed key; only through "
                 "Secrets Manager"))
    if services is not None:
        wanted = set(services) | ({"kms"} if "secretsmanager" in services else set())
        out = [r for r in out if r.service in wanted]
    return out


def secret_ids_needed(settings: Settings, manifest: Manifest) -> list[str]:
    """The secret ids (names or ARNs) ``required_access`` would grant, for DescribeSecret."""
    asked = _AskedFacts()
    required_access(settings, manifest, "000000000000", "aws", secrets=asked)
    return list(asked.keys_asked)


class _AskedFacts(dict):
    """An empty facts mapping that remembers which secret ids were looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.keys_asked: dict[str, None] = {}

    def get(self, key: Any, default: Any = None) -> Any:
        self.keys_asked[key] = None
        return default


def _derived_names(manifest: Manifest, ctx: _Context) -> dict[str, set[str]]:
    """Names each resource type gets from the environment, across the whole manifest."""
    names: dict[str, set[str]] = {}
    for statement in manifest.statements:
        for resource in statement.resources:
            if resource.type in SETTING_FOR_TYPE and resource.name_env:
                value = ctx.env.get(resource.name_env)
                if value:
                    names.setdefault(resource.type, set()).add(value)
    return names


def _statement_resources(statement: ManifestStatement, ctx: _Context,
                         derived: dict[str, set[str]]) -> list[str]:
    arns: list[str] = []
    extras_done: set[str] = set()
    for resource in statement.resources:
        setting = SETTING_FOR_TYPE.get(resource.type)
        if setting is None or not resource.name_env:
            arns.append(_fill(resource.arn, ctx, statement.sid))
            continue
        configured = ctx.configured[setting]
        own = ctx.env.get(resource.name_env)
        names = [own] if own else []
        if configured is not None:
            names = [n for n in names if n in configured]
            if resource.type not in extras_done:  # names no manifest variable holds
                extras_done.add(resource.type)
                names += [n for n in configured if n not in derived.get(resource.type, set())]
        for name in names:
            arns += _named_arns(resource, name, ctx, statement.sid)
    return list(dict.fromkeys(arns))  # keep order, drop repeats


# AWS's own naming rules for the names fix-iam puts into an ARN (no wildcards: a "*" table or
# secret name would grant every table or secret).
NAME_RULES = {"dynamodb-table": (TABLE_RE, "a DynamoDB table name (3-255 of A-Za-z0-9_.-)"),
              "secret": (SECRET_ID_RE, "a secret name (1-512 of A-Za-z0-9/_+=.@-) or ARN")}


def _named_arns(resource: ManifestResource, name: str, ctx: _Context, sid: str) -> list[str]:
    rule, what = NAME_RULES[resource.type]
    if not rule.fullmatch(name):
        raise ConfigError([f"agent/permissions.json statement {sid}: {name!r} (from "
                           f"{resource.name_env} or the {SETTING_FOR_TYPE[resource.type]} "
                           f"setting) is not {what}"],
                          hint="Name the exact table or secret; wildcards are never granted.")
    if resource.type == "secret":
        facts = ctx.secrets.get(name, SecretFacts())
        if name.startswith("arn:"):
            arn = name
        elif facts.arn:
            arn = facts.arn
        else:
            arn = _fill(resource.arn, ctx, sid, {resource.name_env or "": name})
        if facts.kms_key_arn:
            ctx.kms.setdefault(facts.kms_key_arn, set()).add(arn.split(":")[3])
        return [arn]
    arn = _fill(resource.arn, ctx, sid, {resource.name_env or "": name})
    if resource.type == "dynamodb-table":
        return [arn, f"{arn}/index/*"]  # the table and its (global/local) indexes
    return [arn]


def _fill(template: str, ctx: _Context, sid: str, override: dict[str, str] | None = None) -> str:
    env = {**ctx.env, **(override or {})}

    def value(match: re.Match[str]) -> str:
        scope, name = match.groups()
        if scope == "aws":
            known = {"partition": ctx.partition, "account": ctx.account}
            if name not in known:
                raise ConfigError([f"permissions manifest, statement {sid}: unknown "
                                   f"variable ${{aws:{name}}}"])
            return known[name]
        if not env.get(name):
            raise ConfigError([f"permissions manifest, statement {sid}: ${{env:{name}}} is "
                               "set neither in the container environment nor env_defaults"],
                              hint="Set it in [tool.aibox-ops.environment].")
        if "*" in env[name] or "?" in env[name]:
            raise ConfigError([f"agent/permissions.json statement {sid}: ${{env:{name}}} = "
                               f"{env[name]!r}: a wildcard is never granted"])
        return env[name]

    filled = _VAR.sub(value, template)
    if template != "*" and (arn_service_and_type(filled) != arn_service_and_type(template)
                            or filled.split(":")[4] not in (ctx.account, "")):
        raise ConfigError([f"agent/permissions.json statement {sid}: {filled!r} is not the ARN "
                           f"its template {template!r} names (a value with ':' in it?)"])
    return filled
