"""init's detection pieces: entry points and packages by AST, a Dockerfile's ENV lines."""

from __future__ import annotations

import ast

from aibox_ops.init.entrypoint import find_entrypoints, is_entrypoint, local_packages
from aibox_ops.init.existing import load_dockerfile_env, relative_entrypoint
from aibox_ops.render.header import with_header


def test_an_entry_point_builds_the_app_and_registers_an_entrypoint():
    assert is_entrypoint(ast.parse(
        "import bedrock_agentcore as b\nsvc = b.BedrockAgentCoreApp()\n"
        "@svc.entrypoint\ndef handle(payload):\n    return {}\n"))
    assert not is_entrypoint(ast.parse(
        "from bedrock_agentcore import BedrockAgentCoreApp\napp = BedrockAgentCoreApp()\n"))
    assert not is_entrypoint(ast.parse(  # the decorator on another object
        "from bedrock_agentcore import BedrockAgentCoreApp\napp = BedrockAgentCoreApp()\n"
        "@other.entrypoint\nasync def handle(payload):\n    return {}\n"))


def test_entry_points_are_found_at_the_root_and_in_folders_never_in_tests_or_venvs(tmp_path):
    app = ("from bedrock_agentcore import BedrockAgentCoreApp\napp = BedrockAgentCoreApp()\n"
           "@app.entrypoint\ndef h(p):\n    return p\n")
    for rel in ("agentcore_app.py", "svc/app.py", "tests/test_app.py", ".venv/lib/x.py",
                "env/pyvenv_like/app.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(app)
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "broken.py").write_text("def (:\n")
    assert find_entrypoints(tmp_path) == ["agentcore_app.py", "svc/app.py"]


def test_local_packages_follow_imports_transitively(tmp_path):
    files = {
        "agentcore_app.py": "import json\nfrom genai.agents import provider\n",
        "genai/__init__.py": "",
        "genai/agents/provider.py": "import util\nfrom strands import Agent\n",
        "util.py": "from shared import helpers\n",
        "shared/helpers.py": "",
        "unused/mod.py": "",
        "tests/test_x.py": "",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert local_packages(tmp_path, "agentcore_app.py") == ["genai", "shared", "util.py"]


def test_dockerfile_env_forms(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(
        "FROM python:3.12-slim\n"
        "ENV A=1 \\\n    # a comment between continuation lines\n"
        '    B="two words" \\\n    C=\'x=y\'\n'
        "ENV LEGACY some value\n"
        "RUN echo ENV=not-an-instruction\n")
    assert load_dockerfile_env(path) == {"A": "1", "B": "two words", "C": "x=y",
                                         "LEGACY": "some value"}
    assert load_dockerfile_env(tmp_path / "missing") is None
    path.write_text(with_header("ENV A=1\n", "templates/Dockerfile.j2"))
    assert load_dockerfile_env(path) is None  # generated: the settings are the source


def test_the_toolkits_absolute_entrypoint_becomes_relative(tmp_path):
    assert relative_entrypoint(tmp_path, str(tmp_path / "agentcore_app.py")) == \
        "agentcore_app.py"
    assert relative_entrypoint(tmp_path, "/elsewhere/app.py") is None
    assert relative_entrypoint(tmp_path, "agent/app.py") == "agent/app.py"
