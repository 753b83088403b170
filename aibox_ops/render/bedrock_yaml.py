"""Merge a freshly rendered .bedrock_agentcore.yaml with the state the toolkit wrote back.

The starter toolkit records what it created (agent id/arn, ECR repository, execution role,
CodeBuild project, account) in the same file. A re-render must keep those values, and must
tell a hand edit of a *managed* value (one the template renders) from the toolkit's state.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ..deploy_state import RECORD_PATH, stash_key
from ..docpath import get_path, set_path
from .header import checksum

# Per-agent key paths owned by the toolkit: where the template renders null, an existing
# value wins.
STATE_PATHS: tuple[tuple[str, ...], ...] = (
    ("bedrock_agentcore",),
    ("codebuild",),
    ("identity",),
    # `agentcore invoke --local` records the workload identity it created; dropping it makes
    # the next invoke create another one.
    ("oauth_configuration", "workload_name"),
    ("aws", "account"),
    ("aws", "execution_role"),
    ("aws", "ecr_repository"),
    ("aws", "s3_path"),
    ("memory", "memory_id"),
    ("memory", "memory_arn"),
    ("memory", "memory_name"),
    ("memory", "first_invoke_memory_check_done"),
    ("memory", "was_created_by_toolkit"),
)
# The toolkit's own switches: a new project gets the template's value (create the role and
# the repository), but once the file holds one it is kept (the toolkit turns them off after
# creating; a user who supplied a role turned them off first). Never managed values.
TOOLKIT_SWITCHES: tuple[tuple[str, ...], ...] = (
    ("aws", "execution_role_auto_create"),
    ("aws", "ecr_auto_create"),
    ("aws", "s3_auto_create"),
)
# State that holds in every region (the account): the only state kept in the YAML when the
# region changes. Everything else in STATE_PATHS belongs to the region it was created in.
ACCOUNT_WIDE: frozenset[tuple[str, ...]] = frozenset({("aws", "account")})


def merge_with_state(
    desired: dict[str, Any], existing: dict[str, Any] | None,
    stash: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """The desired document, plus every key of the existing file the template does not
    render, plus the toolkit's state; returns (document, notes for the user, region stash).

    When an agent's region changes, its region-bound state moves into the stash (kept in
    the render record under ``agent@old-region``) and any state stashed for the new region
    comes back: deploy state is never dropped.
    """
    stash = dict(stash or {})
    if not isinstance(existing, dict):
        return desired, [], stash
    merged = _overlay(existing, desired)
    notes: list[str] = []
    old_agents = existing.get("agents") if isinstance(existing.get("agents"), dict) else {}
    for agent_name, new_agent in desired.get("agents", {}).items():
        old_agent = old_agents.get(agent_name)
        if not isinstance(old_agent, dict):
            continue
        old_region = get_path(old_agent, ("aws", "region"))
        new_region = get_path(new_agent, ("aws", "region"))
        moved = old_region not in (None, new_region)
        target = merged["agents"][agent_name]
        restored = stash.pop(stash_key(agent_name, new_region), None) if moved else None
        kept: dict[str, Any] = {}
        for path in STATE_PATHS:
            value = get_path(old_agent, path)
            if not _is_blank(get_path(new_agent, path)):
                continue  # the settings say what it must be
            if moved and path not in ACCOUNT_WIDE:
                if not _is_blank(value):
                    set_path(kept, path, value)
                back = get_path(restored, path)
                if _is_blank(back) and len(path) > 1 and \
                        not isinstance(get_path(target, path[:-1]), dict):
                    continue  # nothing to restore under a key the template renders null
                set_path(target, path, get_path(new_agent, path) if _is_blank(back) else back)
            elif not _is_blank(value):
                set_path(target, path, value)
        for path in TOOLKIT_SWITCHES:
            if isinstance(get_path(old_agent, path), bool) and not moved:
                set_path(target, path, get_path(old_agent, path))
        if kept:
            stash[stash_key(agent_name, old_region)] = kept
            notes.append(
                f"agent {agent_name}: region changed from {old_region} to {new_region}; its "
                f"deploy state in {old_region} (runtime id, ECR repository, roles) is kept in "
                f"{RECORD_PATH} and comes back when you switch back; the runtime in "
                f"{old_region} keeps running until you destroy it")
        if restored:
            notes.append(f"agent {agent_name}: restored the deploy state recorded for "
                         f"{new_region}")
    return merged, notes, stash


def managed_values(document: dict[str, Any] | None,
                   desired: dict[str, Any]) -> dict[str, Any]:
    """The document's values at the template's key paths, toolkit state left out."""
    return {".".join(path): _managed_value(document, path) for path in _leaf_paths(desired)
            if not _is_state(path)}


def values_at(document: dict[str, Any] | None, dotted_paths: list[str]) -> dict[str, Any]:
    """The document's values at the given dotted key paths (toolkit state left out)."""
    return {dotted: _managed_value(document, tuple(dotted.split("."))) for dotted in dotted_paths}


def _managed_value(document: dict[str, Any] | None, path: tuple[str, ...]) -> Any:
    """The value at ``path`` without the toolkit state nested in it: where the template
    renders ``oauth_configuration: null`` and the toolkit wrote ``{workload_name: ...}``,
    the managed value is still null."""
    value = get_path(document, path)
    if not isinstance(value, dict) or len(path) < 3 or path[0] != "agents":
        return value
    inner = path[2:]
    nested = [state[len(inner):] for state in STATE_PATHS
              if len(state) > len(inner) and state[: len(inner)] == inner]
    if not nested:
        return value
    value = copy.deepcopy(value)
    for rest in nested:
        parent = get_path(value, rest[:-1]) if len(rest) > 1 else value
        if isinstance(parent, dict):
            parent.pop(rest[-1], None)
    return value or None


def values_digest(values: dict[str, Any]) -> str:
    """Checksum of managed values (canonical JSON)."""
    return checksum(json.dumps(values, sort_keys=True, default=str))


def _is_blank(value: Any) -> bool:
    """None, or a mapping holding only blanks (the template's ``agent_id: null`` block)."""
    if isinstance(value, dict):
        return all(_is_blank(v) for v in value.values())
    return value is None


def _is_state(path: tuple[str, ...]) -> bool:
    if len(path) < 3 or path[0] != "agents":
        return False
    inner = path[2:]
    return any(inner[: len(state)] == state for state in (*STATE_PATHS, *TOOLKIT_SWITCHES))


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


