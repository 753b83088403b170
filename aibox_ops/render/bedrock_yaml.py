"""Merge a freshly rendered .bedrock_agentcore.yaml with the state the toolkit wrote back.

The starter toolkit records what it created (agent id/arn, ECR repository, execution role,
CodeBuild project, account) in the same file. A re-render must keep those values, and must
tell a hand edit of a *managed* value (one the template renders) from the toolkit's state.
"""

from __future__ import annotations

import json
from typing import Any

# Per-agent key paths owned by the toolkit: an existing non-null value wins over the template.
STATE_PATHS: tuple[tuple[str, ...], ...] = (
    ("bedrock_agentcore",),
    ("codebuild",),
    ("identity",),
    ("aws", "account"),
    ("aws", "execution_role"),
    ("aws", "ecr_repository"),
    ("aws", "s3_path"),
    ("memory", "memory_id"),
    ("memory", "memory_arn"),
    ("memory", "memory_name"),
    ("memory", "first_invoke_memory_check_done"),
    ("memory", "was_created_by_toolkit"),
    ("aws_jwt", "issuer_url"),
)


def merge_with_state(desired: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """Desired document, plus every key the existing file has that the template does not
    render, plus the toolkit's non-null state values."""
    if not isinstance(existing, dict):
        return desired
    merged = _overlay(existing, desired)
    for agent_name in desired.get("agents", {}):
        old_agent = (existing.get("agents") or {}).get(agent_name)
        if not isinstance(old_agent, dict):
            continue
        for path in STATE_PATHS:
            value = _get(old_agent, path)
            if value is not None and value != {}:
                _set(merged["agents"][agent_name], path, value)
    return merged


def managed_view(document: dict[str, Any] | None, desired: dict[str, Any]) -> str:
    """Canonical JSON of the values at the template's key paths, toolkit state excluded."""
    if not isinstance(document, dict):
        return json.dumps(None)
    view: dict[str, Any] = {}
    for path in _leaf_paths(desired):
        if _is_state(path):
            continue
        view[".".join(path)] = _get(document, path)
    return json.dumps(view, sort_keys=True, default=str)


def _is_state(path: tuple[str, ...]) -> bool:
    if len(path) < 3 or path[0] != "agents":
        return False
    inner = path[2:]
    return any(inner[: len(state)] == state for state in STATE_PATHS)


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: ``top`` wins; keys only in ``base`` are kept after ``top``'s keys."""
    out: dict[str, Any] = {}
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = _overlay(base[key], value)
        else:
            out[key] = value
    for key, value in base.items():
        out.setdefault(key, value)
    return out


def _leaf_paths(doc: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for key, value in doc.items():
        path = (*prefix, str(key))
        if isinstance(value, dict) and value:
            paths.extend(_leaf_paths(value, path))
        else:
            paths.append(path)
    return paths


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def _set(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(doc.get(key), dict):
            doc[key] = {}
        doc = doc[key]
    doc[path[-1]] = value
