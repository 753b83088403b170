"""The docs describe what exists: no page promises a roadmap."""

from __future__ import annotations

from tests.helpers import REPO


def test_no_page_speaks_of_a_roadmap():
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    stale = [p.name for p in pages if "roadmap" in p.read_text(encoding="utf-8").lower()]
    assert not stale, f"these pages still say 'roadmap': {stale}"
