"""doctor --fix: plans through the shared Plan shape, confirmation, and re-checking."""

from __future__ import annotations

import tomllib

import pytest

from tests.doctor_support import doctor, healthy_project
from tests.helpers import invoke

SETUPTOOLS = ('\n# Build with setuptools (kept by the fix)\n[build-system]\n'
              'requires = ["setuptools>=61"]  # pinned low on purpose\n'
              'build-backend = "setuptools.build_meta"\n')


def flat_project(tmp_path):
    root = healthy_project(tmp_path)
    with (root / "pyproject.toml").open("a") as handle:
        handle.write(SETUPTOOLS)
    (root / "genai").mkdir()
    (root / "genai" / "provider.py").write_text("X = 1\n")
    (root / "assets").mkdir()
    (root / "assets" / "logo.txt").write_text("logo\n")
    return root


def test_fix_writes_packages_find_keeping_comments_and_rechecks(tmp_path):
    root = flat_project(tmp_path)
    before = (root / "pyproject.toml").read_text()
    code, doc, by_id = doctor(root, "--offline", "--only", "flat-layout", "--fix", "--yes")
    after = (root / "pyproject.toml").read_text()
    assert by_id["flat-layout"]["status"] == "pass" and code == 0 and doc["ok"]
    assert after.startswith(before)  # everything before, byte for byte, comments included
    assert "# pinned low on purpose" in after
    find = tomllib.loads(after)["tool"]["setuptools"]["packages"]["find"]
    assert set(find["include"]) == {"agent*", "genai*"}
    assert "assets*" in find["exclude"] and "tests*" in find["exclude"]


def test_fix_without_yes_and_without_a_terminal_is_refused(tmp_path):
    root = flat_project(tmp_path)
    before = (root / "pyproject.toml").read_text()
    result = invoke("doctor", "--offline", "--only", "flat-layout", "--fix", project=root)
    assert result.exit_code == 7 and "--yes" in result.stderr
    assert (root / "pyproject.toml").read_text() == before


def test_fix_dry_run_shows_the_diff_and_changes_nothing(tmp_path):
    root = flat_project(tmp_path)
    before = (root / "pyproject.toml").read_text()
    result = invoke("doctor", "--offline", "--only", "flat-layout", "--fix", "--dry-run",
                    project=root)
    assert result.exit_code == 1
    assert "+[tool.setuptools.packages.find]" in result.stdout + result.stderr
    assert (root / "pyproject.toml").read_text() == before


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_fix_renders_and_syncs_requirements_then_both_pass(tmp_path):
    root = healthy_project(tmp_path)
    text = (root / "pyproject.toml").read_text().replace('"boto3>=1.35"', '"boto3>=1.36"')
    (root / "pyproject.toml").write_text(text + '[tool.aibox-ops]\npython_version = "3.13"\n')
    _, _, by_id = doctor(root, "--offline", "--only", "render-drift,requirements-drift")
    assert by_id["render-drift"]["status"] == "fail"
    assert by_id["requirements-drift"]["status"] == "fail"
    code, _, by_id = doctor(root, "--offline", "--only", "render-drift,requirements-drift",
                            "--fix", "--yes")
    assert by_id["render-drift"]["status"] == "pass"
    assert by_id["requirements-drift"]["status"] == "pass" and code == 0
    assert "python:3.13-slim" in (
        root / ".bedrock_agentcore/my_aibox_agent/Dockerfile").read_text()
    assert "boto3>=1.36" in (root / "requirements-agentcore.txt").read_text()


def test_fix_does_not_overwrite_a_hand_edited_file(tmp_path):
    root = healthy_project(tmp_path)
    with (root / ".dockerignore").open("a") as handle:
        handle.write("mine\n")
    code, _, by_id = doctor(root, "--offline", "--only", "render-drift", "--fix", "--yes")
    assert code == 1 and by_id["render-drift"]["status"] == "fail"
    assert (root / ".dockerignore").read_text().endswith("mine\n")
