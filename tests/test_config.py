"""Settings: layering, derived values, and errors that name every bad field."""

from pathlib import Path

import pytest

from aibox_ops.config import load_settings
from aibox_ops.errors import ConfigError, ExitCode
from tests.helpers import make_project


def test_defaults_without_tool_table(tmp_path):
    make_project(tmp_path)
    settings = load_settings(tmp_path, environ={})
    assert settings.source.startswith("detection (no [tool.aibox-ops]")
    assert settings.adopted is False
    assert settings.agent_name == "my_aibox_agent"
    assert settings.entrypoint == "agent/agentcore_app.py"
    assert (settings.region, settings.bedrock_region) == ("ap-southeast-1", "us-west-2")
    assert settings.python_version == "3.12"
    assert settings.container_env == {
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "AWS_REGION": "ap-southeast-1",
        "BEDROCK_REGION": "us-west-2",
        "DOCKER_CONTAINER": "1",
        "GEMINI_SECRET_ID": "dev_gemini_api",
        "IMAGE_MODEL_ID": "amazon.nova-canvas-v1:0",
        "IMAGE_MODEL_REGION": "us-east-1",
        "LOG_TO_FILE": "false",
        "OPENAI_SECRET_ID": "dev_openai_api",
        "PYTHONUNBUFFERED": "1",
        "SESSION_TABLE": "aibox_session",
        "SETTING_TABLE": "aibox_setting",
    }
    assert settings.table_names == ["aibox_setting", "aibox_session"]
    assert settings.secret_ids == ["dev_gemini_api", "dev_openai_api"]
    assert (settings.lifecycle.idle_timeout, settings.lifecycle.max_lifetime) == (900, 28800)
    assert settings.authorizer.type == "none"
    assert settings.warm.enabled is False


def test_pyproject_without_table_uses_defaults(tmp_path):
    make_project(tmp_path)
    settings = load_settings(tmp_path, environ={})
    assert "`aibox-ops init` writes it down" in settings.source
    assert settings.agent_name == "my_aibox_agent"


def test_layers_pyproject_then_env_then_flags(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops]\nregion = "eu-west-1"\nagent_name = "a1"\n'
                               '[tool.aibox-ops.environment]\nSETTING_TABLE = "cfg"\n'
                               '[tool.aibox-ops.lifecycle]\nidle_timeout = 600\n')
    env = {"AIBOX_OPS_REGION": "eu-central-1", "AIBOX_OPS_AGENT_NAME": "a2",
           "AIBOX_OPS_ENVIRONMENT__SESSION_TABLE": "sess", "AIBOX_OPS_WARM__ENABLED": "true",
           "AIBOX_OPS_WARM__INTERVAL_MINUTES": "4", "AIBOX_OPS_TABLES": "tbl1, tbl2"}
    settings = load_settings(tmp_path, environ=env, flags={"region": "us-east-1", "profile": None})
    assert settings.source.endswith("pyproject.toml")
    assert settings.region == "us-east-1"  # flag beats env beats pyproject
    assert settings.agent_name == "a2"  # env beats pyproject
    assert settings.container_env["AWS_REGION"] == "us-east-1"
    assert settings.container_env["SETTING_TABLE"] == "cfg"
    assert settings.container_env["SESSION_TABLE"] == "sess"
    assert settings.lifecycle.idle_timeout == 600
    assert settings.warm.enabled is True and settings.warm.interval_minutes == 4
    assert settings.table_names == ["tbl1", "tbl2"]


def test_every_bad_field_is_named_with_file_and_line(tmp_path):
    make_project(tmp_path, tool=(
        "[tool.aibox-ops]\n"          # line 8 (make_project writes 7 lines first)
        'agent_name = "my-agent"\n'   # 9
        'regoin = "x"\n'              # 10
        'region = "mars-1"\n'         # 11
        "python_version = 3.12\n"     # 12
        "[tool.aibox-ops.lifecycle]\n"  # 13
        "idle_timeout = 7200\n"       # 14
        "max_lifetime = 3600\n"       # 15
    ))
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={"AIBOX_OPS_WARM__SESSIONS": "many"})
    error = info.value
    assert error.exit_code == ExitCode.CONFIG
    pyproject = str(tmp_path / "pyproject.toml")
    problems = "\n".join(error.problems)
    assert f"{pyproject}:9: 'agent_name' = 'my-agent'" in problems
    assert "hyphens are not allowed" in problems
    assert f"{pyproject}:10: unknown key 'regoin' (did you mean 'region'?)" in problems
    assert f"{pyproject}:11: 'region' = 'mars-1' is not an AWS region" in problems
    assert f"{pyproject}:12: 'python_version' = 3.12 must be a string" in problems
    assert f"{pyproject}:14: 'lifecycle.idle_timeout' = 7200 is greater than " \
           "lifecycle.max_lifetime = 3600" in problems
    assert "env AIBOX_OPS_WARM__SESSIONS: 'warm.sessions' = 'many' must be a whole number" \
        in problems
    assert len(error.problems) == 6


def test_malformed_toml_names_file_and_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.aibox-ops]\nregion = "eu-west-1\n')
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    assert str(tmp_path / "pyproject.toml") in info.value.message
    assert "line 2" in info.value.message


@pytest.mark.parametrize(("tool", "expected"), [
    ('[tool.aibox-ops.environment]\nOPENAI_API_KEY = "sk-123"\n', "looks like a secret value"),
    ('[tool.aibox-ops.environment]\nX = "a\\nRUN rm -rf /"\n', "must be a single line"),
    ('[tool.aibox-ops.environment]\n"1BAD" = "x"\n', "not a valid environment variable name"),
    ('[tool.aibox-ops.authorizer]\ntype = "oauth"\n', "must be an https:// OIDC discovery URL"),
    ('[tool.aibox-ops.authorizer]\ntype = "saml"\n', "must be one of none, jwt, oauth"),
    ('[tool.aibox-ops.authorizer]\ntype = "jwt"\n', "must list at least one audience"),
    ('[tool.aibox-ops.warm]\nenabled = true\ninterval_minutes = 20\n',
     "(1200 s) is not shorter than lifecycle.idle_timeout = 900 s minus a 90 s margin"),
    ('[tool.aibox-ops.warm]\nenabled = true\ninterval_minutes = 14\n',
     "ping at most every 13 min 30 s"),
    ('[tool.aibox-ops]\nentrypoint = "../x.py"\n', "must be a relative path inside the project"),
    ('[tool.aibox-ops]\nentrypoint = "my agent/app.py"\n', "may only use letters, digits"),
    ('[tool.aibox-ops]\notel_distro_version = "1; rm -rf /"\n', "must be a version like"),
    ('[tool.aibox-ops]\ntables = ["ok_table", "b@d"]\n', "not a DynamoDB table name"),
    ('[tool.aibox-ops]\nnetwork_mode = "VPC"\n', "only PUBLIC is supported"),
    ('[tool.aibox-ops.lifecycle]\nidle_timeout = 30\n', "must be between 60 and 28800"),
    ('[tool.aibox-ops.lifecycle.nested]\nx = 1\n', "takes plain keys"),
    ("[tool.aibox-ops]\ntables = \"t1\"\n", "must be a list of strings"),
    ('[tool.aibox-ops]\npython_version = "3.12\\n"\n', "'python_version' = '3.12\\n' must look"),
    ('[tool.aibox-ops]\nregion = "us-east-1\\n"\n', "is not an AWS region"),
    ('[tool.aibox-ops]\nregion = "ap-narnia-7"\n', "'ap-narnia-7' is not a region where"),
    ('[tool.aibox-ops]\nagent_name = "abc\\n"\n', "'agent_name' = 'abc\\n' must match"),
    ('[tool.aibox-ops]\nentrypoint = "app.py"\n', "'app.py': no such file"),
    ('[tool.aibox-ops]\npackages = ["tests"]\n', "never goes into the image"),
    ('[tool.aibox-ops]\npackages = [".venv"]\n', "never goes into the image"),
    ('[tool.aibox-ops]\npackages = ["../up"]\n', "must be a relative path inside"),
    ('[tool.aibox-ops]\npackages = ["nothere"]\n', "'nothere': no such folder or module"),
    ('[tool.aibox-ops]\ndependency_source = "poetry"\n', "must be one of group, project"),
    ('[tool.aibox-ops.environment]\nOPENAI_KEY = "sk-live"\n', "looks like a secret value"),
    ('[tool.aibox-ops.environment]\nDB_PASS = "hunter2"\n', "looks like a secret value"),
    ('[tool.aibox-ops.environment]\nPRIVATE_KEY = "x"\n', "looks like a secret value"),
    ('[tool.aibox-ops.environment]\nA = "x\\\\"\n', "without backslashes"),
    ("[tool.aibox-ops]\nlifecycle = 5\n", "'lifecycle' = 5 must be a table"),
])
def test_rejected_values(tmp_path, tool, expected):
    make_project(tmp_path, tool=tool)
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    assert expected in info.value.message


def test_unknown_env_override_is_an_error(tmp_path):
    make_project(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={"AIBOX_OPS_REGOIN": "eu-west-1"})
    assert info.value.problems == [
        "env AIBOX_OPS_REGOIN: unknown key 'regoin' (did you mean 'region'?)"]


def test_oauth_and_jwt_authorizers_are_accepted(tmp_path):
    make_project(tmp_path, tool=(
        '[tool.aibox-ops.authorizer]\ntype = "oauth"\n'
        'discovery_url = "https://cognito-idp.ap-southeast-1.amazonaws.com/p/.well-known/'
        'openid-configuration"\naudiences = ["client-1"]\n'))
    assert load_settings(tmp_path, environ={}).authorizer.audiences == ["client-1"]
    env = {"AIBOX_OPS_AUTHORIZER__TYPE": "jwt", "AIBOX_OPS_AUTHORIZER__AUDIENCES": "aud"}
    assert load_settings(Path(tmp_path), environ=env).authorizer.type == "jwt"


def test_empty_tables_are_fine(tmp_path):
    make_project(tmp_path, tool="[tool.aibox-ops]\n[tool.aibox-ops.environment]\n"
                               "[tool.aibox-ops.lifecycle]\n")
    settings = load_settings(tmp_path, environ={})
    assert settings.source.endswith("pyproject.toml")
    assert settings.lifecycle.idle_timeout == 900


def test_secret_references_are_allowed(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops.environment]\nDB_SECRET_ARN = "arn:x"\n'
                               'MAX_TOKENS = "100"\nAPI_SECRET_NAME = "n"\n')
    env = load_settings(tmp_path, environ={}).container_env
    assert env["DB_SECRET_ARN"] == "arn:x" and env["MAX_TOKENS"] == "100"


def test_non_table_tool_entry_is_a_config_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("tool = 5\n")
    with pytest.raises(ConfigError, match="'tool' must be a table"):
        load_settings(tmp_path, environ={})


def test_unreadable_pyproject_is_a_file_error(tmp_path):
    from aibox_ops.errors import FileError

    (tmp_path / "pyproject.toml").mkdir()
    with pytest.raises(FileError, match="is a directory"):
        load_settings(tmp_path, environ={})
    (tmp_path / "pyproject.toml").rmdir()
    (tmp_path / "pyproject.toml").write_bytes(b"\xff\xfe[tool]\n")
    with pytest.raises(FileError, match="is not UTF-8"):
        load_settings(tmp_path, environ={})


def test_dotted_and_inline_keys_get_their_line(tmp_path):
    make_project(tmp_path, tool=(
        "[tool.aibox-ops]\n"                            # line 8
        "lifecycle.idle_timeout = 30\n"                 # 9
        "warm = { sessions = 0 }\n"))                   # 10
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    problems = "\n".join(info.value.problems)
    assert "pyproject.toml:9: 'lifecycle.idle_timeout' = 30" in problems
    assert "pyproject.toml:10: 'warm.sessions' = 0" in problems
