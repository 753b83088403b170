"""Lint policy documents with parliament (duo-labs' IAM linter, a dev dependency).

parliament 1.6.4 raises RESOURCE_MISMATCH when an action that accepts SEVERAL resource
types (bedrock:InvokeModel: foundation-model, inference-profile, ...) is not given one of
EACH type, although IAM needs only one (duo-labs/parliament issue #48, fix in PR #208, never
released). For that finding only, we re-check with parliament's own data and ARN matcher
that every flagged action has at least one matching resource; every other finding counts.
"""

from __future__ import annotations

import json
import warnings
from typing import Any


def lint_policy(document: dict[str, Any]) -> list[str]:
    """parliament's findings for ``document`` (issue #48 false positives re-checked)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # parliament imports pkg_resources
        from parliament import analyze_policy_string
    findings = analyze_policy_string(json.dumps(document)).findings
    return [f"{f.issue}: {f.detail}" for f in findings
            if not (f.issue == "RESOURCE_MISMATCH" and _issue_48(f, document))]


def _issue_48(finding: Any, document: dict[str, Any]) -> bool:
    from parliament import is_arn_strictly_valid
    from parliament.statement import get_arn_format, get_privilege_info

    for entry in finding.detail:
        service, action = entry["action"].split(":")
        resources = [r for st in document["Statement"]
                     if entry["action"] in _list(st.get("Action"))
                     for r in _list(st.get("Resource"))]
        info = get_privilege_info(service, action)
        types = [t["resource_type"].rstrip("*") for t in info["resource_types"]
                 if t["resource_type"]]
        if not any(r == "*" or is_arn_strictly_valid(
                t, get_arn_format(t, info["service_resources"]), r)
                for t in types for r in resources):
            return False  # a real mismatch: no resource fits the action at all
    return True


def _list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])
