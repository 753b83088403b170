"""The import check and the environment pinning judge against the *project's* environment
(its .venv, else uv.lock, else the requirements file), not the interpreter aibox-ops runs in
(installed as a tool, that one holds none of the agent's packages)."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from aibox_ops.config import load_settings
from aibox_ops.requirements import plan_requirements
from aibox_ops.requirements.environment import load_import_providers, name_provides
from aibox_ops.requirements.sources import pin_from_environment
from tests.helpers import invoke, json_out

# Distributions aibox-ops's own interpreter does not have: only the project's .venv knows
# that ``zorblax`` comes from ``acme-widgets``.
APP = "from bedrock_agentcore import BedrockAgentCoreApp\nimport zorblax\n\napp = 1\n"


def fake_dist(site: Path, name: str, version: str, top_level: str,
              requires: tuple[str, ...] = ()) -> None:
    """A dist-info as pip leaves it (METADATA, top_level.txt, RECORD), and the module."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    (info / "METADATA").write_text(meta)
    (info / "top_level.txt").write_text(top_level + "\n")
    (site / top_level).mkdir()
    (site / top_level / "__init__.py").write_text("")
    (info / "RECORD").write_text(f"{top_level}/__init__.py,,\n{info.name}/METADATA,,\n")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real ``python -m venv`` with two fake distributions installed in it."""
    root = tmp_path_factory.mktemp("venvs") / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True,
                   capture_output=True, timeout=120)
    site = next(root.glob("lib/python*/site-packages"))
    fake_dist(site, "acme-widgets", "1.0", "zorblax", ("acme-core>=2",))
    fake_dist(site, "acme-core", "2.5", "acmecore")
    fake_dist(site, "bedrock-agentcore", "1.25.0", "bedrock_agentcore")
    return root


def guide_like(root: Path, source: str, requirements: str = "", venv: Path | None = None
               ) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "0.1.0"\n'
        'dependencies = ["bedrock-agentcore==1.25.0", "acme-widgets==1.0"]\n\n'
        f'[tool.aibox-ops]\nentrypoint = "agentcore_app.py"\ndependency_source = "{source}"\n')
    (root / "agentcore_app.py").write_text(APP)
    if requirements:
        (root / "requirements-agentcore.txt").write_text(requirements)
    if venv is not None:
        (root / ".venv").symlink_to(venv, target_is_directory=True)
    return root


def test_aibox_ops_own_interpreter_lacks_the_fake_distribution():
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution("acme-widgets")
    assert "zorblax" not in metadata.packages_distributions()


def test_imports_resolve_against_the_project_venv(tmp_path, venv):
    root = guide_like(tmp_path / "p", "requirements",
                      "bedrock-agentcore==1.25.0\nacme-widgets==1.0\n", venv)
    settings = load_settings(root, environ={})
    providers = load_import_providers(settings)
    assert (providers.source, providers.exact) == (".venv", True)
    assert providers.get("zorblax") == ["acme-widgets"]
    plan = plan_requirements(settings)
    assert plan.errors == []
    checked = plan.items[0].detail["imports_checked_against"]
    assert checked["source"] == ".venv" and checked["path"].endswith(".venv")
    assert "imports checked against .venv" in plan.items[0].reason

    result = invoke("--json", "doctor", "--offline", "--only", "missing-requirement",
                    project=root)
    found = json_out(result)["checks"][0]
    assert found["status"] == "pass", found
    assert "import names looked up in the project's .venv" in found["message"]


def test_unlisted_import_is_named_with_the_source_used(tmp_path, venv):
    root = guide_like(tmp_path / "p", "requirements", "bedrock-agentcore==1.25.0\n", venv)
    result = invoke("--json", "sync-requirements", "--check", project=root)
    assert result.exit_code == 6
    error = json_out(result)
    assert error["error"] == "DependencyError"
    assert error["imports_checked_against"]["source"] == ".venv"
    assert any("'zorblax' from acme-widgets" in m and "add it to requirements-agentcore.txt"
               in m for m in error["modules"]), error["modules"]
    assert "agent dependency group" not in result.stdout + result.stderr
    found = json_out(invoke("--json", "doctor", "--offline", "--only",
                            "missing-requirement", project=root))["checks"][0]
    assert found["status"] == "fail"
    assert found["fix"] == ("Add the distribution to requirements-agentcore.txt, then "
                            "`aibox-ops sync-requirements`.")


def test_without_a_venv_uv_lock_names_are_matched(tmp_path):
    root = guide_like(tmp_path / "p", "requirements",
                      "bedrock-agentcore==1.25.0\nacme-widgets==1.0\n")
    (root / "agentcore_app.py").write_text("import acme\nimport zorblax\n")
    (root / "uv.lock").write_text('version = 1\n\n[[package]]\nname = "acme"\n'
                                  'version = "1.0"\n\n[[package]]\nname = "acme-widgets"\n'
                                  'version = "1.0"\n')
    providers = load_import_providers(load_settings(root, environ={}))
    assert (providers.source, providers.exact) == ("uv.lock", False)
    assert providers.get("acme") == ["acme", "acme-widgets"]
    plan = plan_requirements(load_settings(root, environ={}))
    (error,) = plan.errors
    assert error.imports_checked_against["source"] == "uv.lock"
    assert error.modules == ["agentcore_app.py:2: imports 'zorblax', which no distribution "
                             "in uv.lock provides; add the package that does to "
                             "requirements-agentcore.txt"]


def test_without_venv_or_lock_the_requirements_file_is_the_source(tmp_path):
    root = guide_like(tmp_path / "p", "requirements", "acme-widgets==1.0\n")
    (root / "agentcore_app.py").write_text("import acme\n")
    providers = load_import_providers(load_settings(root, environ={}))
    assert providers.source == "requirements-agentcore.txt"
    assert providers.get("acme") == ["acme-widgets"]  # acme-widgets -> acme by its name
    assert plan_requirements(load_settings(root, environ={})).errors == []


@pytest.mark.parametrize(("dist", "module", "provides"), [
    ("strands-agents", "strands", True), ("python-dotenv", "dotenv", True),
    ("PyYAML", "yaml", True), ("pillow", "PIL", True), ("boto3", "boto3", True),
    ("google-genai", "google", True), ("strands-agents", "dotenv", False),
    ("requests", "request", False)])
def test_name_rules(dist, module, provides):
    assert name_provides(dist, module) is provides


def test_pinning_without_a_lock_reads_the_project_venv(tmp_path, venv):
    lines = pin_from_environment(["acme-widgets==1.0"], venv)
    assert lines == ["acme-core==2.5", "acme-widgets==1.0"]
    root = guide_like(tmp_path / "p", "project", venv=venv)
    (root / "agentcore_app.py").write_text("import zorblax\nimport bedrock_agentcore\n")
    result = invoke("--json", "sync-requirements", project=root)
    assert result.exit_code == 0, result.stdout + result.stderr
    text = (root / "requirements-agentcore.txt").read_text()
    assert "acme-widgets==1.0" in text and "acme-core==2.5" in text
    assert any("the project's .venv" in w for w in json_out(result)["warnings"])
