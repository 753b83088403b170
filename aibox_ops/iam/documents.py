"""Policy documents: the names fix-iam owns, the JSON it writes, sizes and statement diffs.

fix-iam keeps its statements in inline policies whose names start with ``aibox-ops-`` and
never touches any other policy on a role:

* ``aibox-ops-data``      DynamoDB tables, Secrets Manager secrets (and their KMS key)
* ``aibox-ops-models``    Bedrock model calls and Polly, when no other policy allows them
* ``aibox-ops-from-logs`` statements proposed from AccessDenied lines (``--from-logs``)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

OWNED_PREFIX = "aibox-ops-"
DATA_POLICY = "aibox-ops-data"
MODELS_POLICY = "aibox-ops-models"
LOGS_POLICY = "aibox-ops-from-logs"
OWNED_POLICIES = (DATA_POLICY, MODELS_POLICY, LOGS_POLICY)
DATA_SERVICES = frozenset({"dynamodb", "secretsmanager", "kms"})
INLINE_LIMIT = 10_240  # IAM: aggregate size of a role's inline policies, whitespace excluded
VERSION = "2012-10-17"


@dataclass(frozen=True)
class PolicyDoc:
    """One policy on a role: its name, inline or managed, and its document."""

    name: str
    kind: str  # inline | managed
    document: dict[str, Any]
    arn: str | None = None  # managed policies
    text: str | None = None  # inline: the document exactly as IAM returned it


def policy_for_service(service: str) -> str:
    """The owned policy that holds a service's statements."""
    return DATA_POLICY if service in DATA_SERVICES else MODELS_POLICY


def build_document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    """An IAM policy document holding ``statements``."""
    return {"Version": VERSION, "Statement": list(statements)}


def document_text(document: dict[str, Any] | str) -> str:
    """The exact text written to IAM: compact JSON (a string is sent as it is)."""
    if isinstance(document, str):
        return document
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def policy_size(document: dict[str, Any] | str) -> int:
    """Characters IAM counts against its limits (the document without whitespace)."""
    if isinstance(document, str):
        document = json.loads(document)
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))


def statements_of(document: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The statements of a document as a list (IAM allows a lone object)."""
    if not document:
        return []
    raw = document.get("Statement", [])
    return [raw] if isinstance(raw, dict) else list(raw)


def statement_diff(name: str, current: dict[str, Any] | None,
                   desired: dict[str, Any] | None) -> tuple[str, dict[str, list[str]]]:
    """A readable diff of statements (keyed by Sid) and the sids added/removed/unchanged."""
    old = {_key(st): st for st in statements_of(current)}
    new = {_key(st): st for st in statements_of(desired)}
    summary: dict[str, list[str]] = {"added": [], "removed": [], "changed": [], "unchanged": []}
    lines = [f"--- {name} ({'current' if current is not None else 'absent'})",
             f"+++ {name} ({'planned' if desired is not None else 'deleted'})"]
    for key in list(dict.fromkeys([*old, *new])):
        before, after = old.get(key), new.get(key)
        if before == after:
            summary["unchanged"].append(key)
            lines.append(f"  {key}: unchanged")
        elif before is None:
            summary["added"].append(key)
            lines += _render_statement("+", key, after)
        elif after is None:
            summary["removed"].append(key)
            lines += _render_statement("-", key, before)
        else:
            summary["changed"].append(key)
            lines += _render_statement("-", key, before) + _render_statement("+", key, after)
    return "\n".join(lines) + "\n", summary


def _key(statement: dict[str, Any]) -> str:
    return str(statement.get("Sid") or json.dumps(statement, sort_keys=True))


def _render_statement(sign: str, key: str, st: dict[str, Any] | None) -> list[str]:
    st = st or {}
    lines = [f"{sign} {key}: {st.get('Effect', '?')}"]
    for field in ("Action", "NotAction", "Resource", "NotResource"):
        if field in st:
            values = st[field] if isinstance(st[field], list) else [st[field]]
            lines += [f"{sign}     {field}: {value}" for value in values]
    if "Condition" in st:
        lines.append(f"{sign}     Condition: {json.dumps(st['Condition'], sort_keys=True)}")
    return lines
