"""doctor --install-test: a fresh venv from the requirements file, then the entry import.

Kept offline: the requirements file lists nothing to download, so the test exercises the
venv creation, the isolated import and the cache without PyPI.
"""

from __future__ import annotations

import pytest

from tests.doctor_support import check
from tests.helpers import make_project

pytestmark = pytest.mark.slow


def project(root, source):
    make_project(root)
    (root / "agent" / "agentcore_app.py").write_text(source)
    (root / "requirements-agentcore.txt").write_text("# nothing to install\n")
    return root


def test_import_failure_is_reported_with_the_missing_module(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = project(tmp_path / "p", "import json\n\nimport dotenv\n")
    result = check(root, "install-test", "--install-test")
    assert result["status"] == "fail"
    assert "no module named 'dotenv'" in result["message"]


def test_a_clean_import_passes_and_the_environment_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = project(tmp_path / "p", "import json\n\nVALUE = json.dumps({})\n")
    first = check(root, "install-test", "--install-test")
    assert first["status"] == "pass" and "fresh environment" in first["message"]
    second = check(root, "install-test", "--install-test")
    assert second["status"] == "pass" and "cached environment" in second["message"]
    assert len(list((tmp_path / "cache" / "aibox-ops" / "install-test").iterdir())) == 1


def test_without_the_flag_it_is_skipped(tmp_path):
    root = project(tmp_path / "p", "import json\n")
    assert check(root, "install-test")["status"] == "skip"


def test_the_import_sees_the_image_files_not_the_project_folder(tmp_path, monkeypatch):
    """A module the image does not get (a link out of the project, never followed) imports
    in the project folder but not in the image: install-test imports what the image has."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "shared_settings.py").write_text("VALUE = 1\n")
    root = project(tmp_path / "p", "import json\n\nimport shared_settings\n")
    (root / "agent" / "shared_settings.py").symlink_to("../../shared_settings.py")
    result = check(root, "install-test", "--install-test")
    assert result["status"] == "fail"
    assert "no module named 'shared_settings'" in result["message"]


ROOT_APP = """\
from pathlib import Path

from genai.text import greet

SYSTEM_PROMPT = (Path(__file__).parent / "prompts" / "system.txt").read_text()
"""


def root_project(root, packages):
    """The guide's layout: a root entry point importing genai and reading prompts/."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "0.1.0"\ndependencies = []\n\n'
        '[tool.aibox-ops]\nentrypoint = "agentcore_app.py"\n'
        f'dependency_source = "requirements"\npackages = {packages!r}\n'.replace("'", '"'))
    (root / "agentcore_app.py").write_text(ROOT_APP)
    (root / "genai").mkdir()
    (root / "genai" / "__init__.py").write_text("")
    (root / "genai" / "text.py").write_text("def greet():\n    return 'hi'\n")
    (root / "prompts").mkdir()
    (root / "prompts" / "system.txt").write_text("You are MyAIBOX.\n")
    (root / "requirements-agentcore.txt").write_text("# nothing to install\n")
    return root


def test_the_import_runs_from_the_images_files_not_the_project(tmp_path, monkeypatch):
    """prompts/ is in the project but not in 'packages': the image has no such folder, so
    the import the container does fails, although it works in the project folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    left_out = check(root_project(tmp_path / "a", ["genai"]), "install-test", "--install-test")
    assert left_out["status"] == "fail", left_out
    assert "FileNotFoundError" in "\n".join(left_out["evidence"])
    assert "prompts/system.txt" in "\n".join(left_out["evidence"])
    kept = check(root_project(tmp_path / "b", ["genai", "prompts"]), "install-test",
                 "--install-test")
    assert kept["status"] == "pass" and "image's files" in kept["message"], kept
    missing = root_project(tmp_path / "c", ["prompts"])
    result = check(missing, "install-test", "--install-test")
    assert result["status"] == "fail" and "'genai' is in the project but not in the image" \
        in result["message"], result
    assert "packages" in result["fix"]
