"""doctor's offline checks: each failure mode in a tmp project, and a project without any."""

from __future__ import annotations

import pytest

from tests.doctor_support import check, dockerfile, doctor, healthy_project

OFFLINE_IDS = ["config", "flat-layout", "container-install", "requirements-drift",
               "missing-requirement", "log-permission", "main-guard", "model-streaming-tools",
               "env-drift", "render-drift", "secrets-in-image", "auth"]


def test_a_healthy_project_passes_every_offline_check(tmp_path):
    root = healthy_project(tmp_path, tool='[tool.aibox-ops.warm]\nenabled = true\n')
    code, doc, checks = doctor(root, "--offline")
    assert code == 0 and doc["ok"] is True
    assert set(doc) == {"ok", "summary", "checks"}
    for check_id in [*OFFLINE_IDS, "cold-start"]:
        assert checks[check_id]["status"] == "pass", checks[check_id]
    for live in ("aws-credentials", "runtime-status", "dynamodb-access", "secrets-access"):
        assert checks[live]["status"] == "skip" and "offline" in checks[live]["message"]
    assert set(checks["config"]) == {"id", "title", "status", "severity", "message",
                                     "evidence", "fix", "fixable"}
    assert doc["summary"]["total"] == len(doc["checks"])


def test_flat_layout_with_several_setuptools_packages(tmp_path):
    root = healthy_project(tmp_path)
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        text + '\n[build-system]\nrequires = ["setuptools"]\n'
               'build-backend = "setuptools.build_meta"\n')
    (root / "genai").mkdir()
    (root / "genai" / "provider.py").write_text("X = 1\n")
    result = check(root, "flat-layout")
    assert result["status"] == "fail" and result["fixable"]
    assert "agent/" in result["evidence"] and "genai/" in result["evidence"]


def test_container_install_with_uv_sync(tmp_path):
    root = healthy_project(tmp_path)
    path = dockerfile(root)
    path.write_text(path.read_text().replace(
        "RUN pip install --no-cache-dir -r requirements.txt",
        "RUN pip install uv && uv sync --frozen && uv pip install -r requirements.txt"))
    result = check(root, "container-install")
    assert result["status"] == "fail"
    text = " ".join(result["evidence"])
    assert "uv sync" in text and "without --system" in text


def test_container_install_without_the_requirements_file(tmp_path):
    root = healthy_project(tmp_path)
    path = dockerfile(root)
    path.write_text(path.read_text().replace("-r requirements.txt", "bedrock-agentcore"))
    result = check(root, "container-install")
    assert result["status"] == "fail"
    assert "never installs a requirements file" in result["evidence"][0]


def test_requirements_drift_after_a_pyproject_change(tmp_path):
    root = healthy_project(tmp_path)
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text.replace('"boto3>=1.35"', '"boto3>=1.36"'))
    result = check(root, "requirements-drift")
    assert result["status"] == "fail" and result["fixable"]
    assert "requirements-agentcore.txt: update" in result["evidence"][0]


def test_missing_requirement_inside_a_function(tmp_path):
    root = healthy_project(tmp_path)
    (root / "agent" / "helpers.py").write_text(
        "def load():\n    import dotenv\n    return dotenv\n")
    result = check(root, "missing-requirement")
    assert result["status"] == "fail"
    assert "'dotenv'" in result["evidence"][0] and "agent/helpers.py:2" in result["evidence"][0]


TOOLKIT_DOCKERFILE = """FROM public.ecr.aws/docker/library/python:3.12-slim
WORKDIR /app
COPY requirements-agentcore.txt requirements.txt
RUN pip install -r requirements.txt
RUN useradd -m -u 1000 bedrock_agentcore
USER bedrock_agentcore
COPY . .
CMD ["python", "-m", "agentcore_app"]
"""


def test_log_permission_non_root_user_with_root_owned_files(tmp_path):
    root = healthy_project(tmp_path)
    dockerfile(root).write_text(TOOLKIT_DOCKERFILE)
    result = check(root, "log-permission")
    assert result["status"] == "fail"
    text = "\n".join(result["evidence"])
    assert "LOG_TO_FILE is not set" in text and "COPY without --chown" in text


@pytest.mark.parametrize("main_block", [
    'if __name__ == "__main__":\n    print(handle({"prompt": "Hello"}))\n    app.run()\n',
    'if __name__ == "__main__":\n    import sys\n    if "--server" in sys.argv:\n'
    '        app.run()\n    else:\n        print(handle({"prompt": "Hello"}))\n',
])
def test_main_guard_runs_test_code_in_the_container(tmp_path, main_block):
    from tests.doctor_support import GOOD_APP

    source = GOOD_APP.split("if __name__")[0] + main_block
    root = healthy_project(tmp_path, app=source)
    result = check(root, "main-guard")
    assert result["status"] == "fail", result
    assert any("handle" in line or "--server" in line for line in result["evidence"])


def test_main_guard_accepts_the_guides_guarded_block(tmp_path):
    from tests.doctor_support import GOOD_APP

    source = GOOD_APP.split("if __name__")[0] + (
        'if __name__ == "__main__":\n    import os\n'
        '    if not os.environ.get("AWS_EXECUTION_ENV"):\n'
        '        print(handle({"prompt": "Hello"}))\n    else:\n        app.run()\n')
    root = healthy_project(tmp_path, app=source)
    assert check(root, "main-guard")["status"] == "pass"


def test_model_that_cannot_stream_tools(tmp_path):
    tool = '[tool.aibox-ops.environment]\nDEFAULT_MODEL_ID = "us.meta.llama3-2-90b-instruct-v1:0"\n'
    root = healthy_project(tmp_path, tool=tool)
    result = check(root, "model-streaming-tools")
    assert result["status"] == "fail"
    assert "meta.llama3-2-90b" in result["evidence"][0]


def test_env_drift_dockerfile_differs_from_config(tmp_path):
    root = healthy_project(tmp_path)
    path = dockerfile(root)
    path.write_text(path.read_text().replace('SESSION_TABLE="aibox_session"',
                                             'SESSION_TABLE="old_sessions"'))
    result = check(root, "env-drift")
    assert result["status"] == "fail"
    assert any("SESSION_TABLE='old_sessions', config says 'aibox_session'" in line
               for line in result["evidence"])


def test_render_drift_hand_edited_file(tmp_path):
    root = healthy_project(tmp_path)
    with (root / ".dockerignore").open("a") as handle:
        handle.write("extra-rule\n")
    result = check(root, "render-drift")
    assert result["status"] == "fail"
    assert ".dockerignore: edited" in result["evidence"][0]


def test_render_drift_stale_after_a_settings_change(tmp_path):
    root = healthy_project(tmp_path)
    with (root / "pyproject.toml").open("a") as handle:
        handle.write('[tool.aibox-ops]\npython_version = "3.13"\n')
    result = check(root, "render-drift")
    assert result["status"] == "fail" and result["fixable"]


def test_secrets_in_image_env_not_ignored_and_key_in_dockerfile(tmp_path):
    root = healthy_project(tmp_path)
    (root / ".dockerignore").write_text("tests\n")
    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz123456"
    with dockerfile(root).open("a") as handle:
        handle.write(f"ENV OPENAI_API_KEY={secret}\n")
    code, _, checks = doctor(root, "--offline", "--only", "secrets-in-image")
    result = checks["secrets-in-image"]
    assert result["status"] == "fail" and code == 1
    text = "\n".join(result["evidence"])
    assert "does not exclude .env" in text and "OPENAI_API_KEY" in text
    assert secret not in text and "[REDACTED]" in text


def test_auth_oauth_configured_but_the_toolkit_yaml_has_no_authorizer(tmp_path):
    import yaml

    root = healthy_project(tmp_path, tool='[tool.aibox-ops.authorizer]\ntype = "oauth"\n'
                           'discovery_url = "https://idp.example.com/.well-known/'
                           'openid-configuration"\naudiences = ["web"]\n')
    assert check(root, "auth")["status"] == "pass"
    path = root / ".bedrock_agentcore.yaml"
    data = yaml.safe_load(path.read_text())
    del data["agents"]["my_aibox_agent"]["authorizer_configuration"]
    path.write_text(yaml.safe_dump(data))
    result = check(root, "auth")
    assert result["status"] == "fail"
    assert "no authorizer_configuration" in result["evidence"][0]


def test_cold_start_warns_without_warm_up(tmp_path):
    root = healthy_project(tmp_path)
    result = check(root, "cold-start")
    assert result["status"] == "warn" and result["severity"] == "warning"


def test_guide_like_project_with_its_own_setuptools_pyproject(tmp_path):
    """agentcore_app.py at the root, genai/agents/provider.py, no [tool.aibox-ops]."""
    from tests.doctor_support import GOOD_APP

    root = tmp_path
    (root / "pyproject.toml").write_text(
        '[project]\nname = "my-aibox"\nversion = "1.0"\n'
        'dependencies = ["bedrock-agentcore"]\n\n[build-system]\n'
        'requires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n')
    (root / "agentcore_app.py").write_text(
        "from genai.agents.provider import AgentProvider\n" + GOOD_APP)
    (root / "genai" / "agents").mkdir(parents=True)
    (root / "genai" / "__init__.py").write_text("")
    (root / "genai" / "agents" / "__init__.py").write_text("")
    (root / "genai" / "agents" / "provider.py").write_text(
        "import dotenv\n\nclass AgentProvider:\n    pass\n")
    (root / "core").mkdir()
    (root / "core" / "__init__.py").write_text("")
    (root / "requirements-agentcore.txt").write_text("bedrock-agentcore\nboto3\n")
    _, _, checks = doctor(root, "--offline")
    # Without [tool.aibox-ops] the settings are detected: the root-level entry point and
    # its package are found, and what aibox-ops never generated is not called drift.
    assert checks["config"]["status"] == "pass"
    assert "detection" in checks["config"]["message"]
    assert checks["config"]["evidence"] == ["entry point: agentcore_app.py"]
    assert checks["flat-layout"]["status"] == "fail"
    assert checks["missing-requirement"]["status"] == "fail"
    assert "dotenv" in checks["missing-requirement"]["evidence"][0]
    assert checks["main-guard"]["status"] == "pass"
    assert "agentcore_app.py" in checks["main-guard"]["message"]
    drift = checks["requirements-drift"]
    assert drift["status"] == "warn" and "not adopted yet" in drift["message"]
    assert "aibox-ops init" in drift["fix"] and not drift["fixable"]
    assert checks["render-drift"]["status"] == "warn"
    assert checks["env-drift"]["status"] == "skip"


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_this_repository_passes_main_guard_and_no_check_crashes():
    """The bundled agent ends with ``sys.exit(main(sys.argv[1:]))``; ``main`` only runs the
    server under ``in_container()`` (imported from genai.config)."""
    from tests.helpers import REPO

    _, doc, by_id = doctor(REPO, "--offline")
    assert by_id["main-guard"]["status"] == "pass", by_id["main-guard"]["message"]
    assert doc["summary"]["error"] == 0, [c["message"] for c in doc["checks"]
                                          if c["status"] == "error"]


GUIDE_MAIN = ('if __name__ == "__main__":\n    import os\n'
              '    if not os.environ.get("DOCKER_CONTAINER"):\n'
              '        print(asyncio.run(handle_request({"prompt": "Hello"})))\n'
              '    else:\n        app.run()\n')


def test_main_guard_on_a_variable_the_container_never_gets(tmp_path):
    """The guide's own Dockerfile never sets DOCKER_CONTAINER and the toolkit passes no
    environment: the test code runs in the container. Setting it in the Dockerfile (or
    adopting the project, whose deploys set it) makes the same guard hold."""
    from tests.guide_project import AGENT, APP, make_guide_project

    root = make_guide_project(tmp_path / "guide")
    (root / "agentcore_app.py").write_text(APP.split("if __name__")[0] + GUIDE_MAIN)
    result = check(root, "main-guard")
    assert result["status"] == "fail", result
    assert "it tests DOCKER_CONTAINER, which the container does not have" in result["message"]
    assert "ENV DOCKER_CONTAINER=1" in result["fix"]
    dockerfile = root / ".bedrock_agentcore" / AGENT / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace(
        "PYTHONUNBUFFERED=1 \\", "PYTHONUNBUFFERED=1 \\\n    DOCKER_CONTAINER=1 \\"))
    assert check(root, "main-guard")["status"] == "pass"


def test_model_set_in_the_dockerfile_env_is_judged(tmp_path):
    """The guide keeps its settings in the Dockerfile's ENV: a model there counts, and an
    earlier staging under .aibox-ops/ is not read as agent code."""
    from tests.guide_project import AGENT, make_guide_project

    root = make_guide_project(tmp_path / "guide")
    dockerfile = root / ".bedrock_agentcore" / AGENT / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace(
        "PYTHONUNBUFFERED=1 \\",
        "PYTHONUNBUFFERED=1 \\\n    DEFAULT_MODEL_ID=us.meta.llama3-2-90b-instruct-v1:0 \\"))
    staged = root / ".aibox-ops" / "build" / "x" / "context" / "old.py"
    staged.parent.mkdir(parents=True)
    staged.write_text('CHAT_MODEL = "mistral.mistral-7b-instruct-v0:2"\n')
    result = check(root, "model-streaming-tools")
    assert result["status"] == "fail", result
    assert result["evidence"] == [f".bedrock_agentcore/{AGENT}/Dockerfile:9 ENV DEFAULT_MODEL_ID"
                                  " = us.meta.llama3-2-90b-instruct-v1:0"]


def test_secrets_in_image_flags_a_symlink_out_of_the_agent_folder(tmp_path):
    root = healthy_project(tmp_path)
    assert check(root, "secrets-in-image")["status"] == "pass"
    (root / ".env").write_text("OPENAI_API_KEY=sk-x\n")
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"  # out of the project
    outside.mkdir()
    (outside / "notes.txt").write_text("x\n")
    (root / "agent" / "settings.txt").symlink_to("../.env")
    (root / "agent" / "shared").symlink_to(outside)
    (root / "agent" / "inside.py").write_text("X = 1\n")
    (root / "agent" / "alias.py").symlink_to("inside.py")  # inside the folder: fine
    (root / "agent" / "git").symlink_to("../.git")
    (root / "agent" / "up").symlink_to("..")  # the project again, inside the agent folder
    result = check(root, "secrets-in-image")
    # Staging never follows them (a warning: deploy goes on without them); a secret value
    # elsewhere is still a failure, with the links listed beside it.
    assert result["status"] == "warn", result
    text = "\n".join(result["evidence"])
    assert "agent/settings.txt -> ../.env: a symbolic link to .env (never in the image)" in text
    assert f"agent/shared -> {outside}: a symbolic link out of the project" in text
    assert "agent/git -> ../.git: a symbolic link to .git" in text
    assert "alias.py" not in text
    from aibox_ops.config import load_settings
    from aibox_ops.render.context import image_files

    files = image_files(load_settings(root, environ={}))
    assert "agent/settings.txt" not in files.files and "agent/alias.py" in files.files
    assert "agent/up -> ..: a symbolic link to the project folder itself" in text
    assert files.links_out == ["agent/git", "agent/settings.txt", "agent/shared", "agent/up"]
