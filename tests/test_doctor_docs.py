"""docs/doctor.md documents every check id (symptom, cause, fix)."""

from __future__ import annotations

import re

from aibox_ops.doctor import check_ids
from tests.helpers import REPO


def sections() -> dict[str, str]:
    text = (REPO / "docs" / "doctor.md").read_text()
    parts = re.split(r"^### `([a-z-]+)`\s*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_check_id_has_a_section_with_symptom_cause_and_fix():
    documented = sections()
    missing = [i for i in check_ids() if i not in documented]
    assert not missing, f"docs/doctor.md has no section for {missing}"
    for check_id in check_ids():
        body = documented[check_id]
        for part in ("**Symptom**", "**Cause**", "**Fix**"):
            assert part in body, f"{check_id}: no {part}"


def test_the_issues_ids_are_all_registered():
    issue_ids = ["flat-layout", "container-install", "requirements-drift", "missing-requirement",
                 "log-permission", "dynamodb-access", "secrets-access", "main-guard",
                 "model-streaming-tools", "cold-start", "env-drift", "render-drift",
                 "secrets-in-image", "aws-credentials", "runtime-status", "auth"]
    assert set(issue_ids) <= set(check_ids())
