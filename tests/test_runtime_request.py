"""Runtime requests are checked against botocore's model of CreateAgentRuntime."""

import pytest
import yaml

from aibox_ops.aws.validate import InvalidRequestError, check_request, validate_request
from aibox_ops.config import load_settings
from aibox_ops.errors import ExitCode
from aibox_ops.runtime_request import (
    OPERATION,
    SERVICE,
    authorizer_configuration,
    runtime_config_params,
)
from tests.helpers import invoke, make_project

URL = "https://cognito-idp.ap-southeast-1.amazonaws.com/pool/.well-known/openid-configuration"
COMPLETE = {  # the members deploy adds, so the whole request can be checked
    "agentRuntimeName": "my_aibox_agent",
    "agentRuntimeArtifact": {"containerConfiguration": {
        "containerUri": "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/repo:latest"}},
    "roleArn": "arn:aws:iam::123456789012:role/runtime",
}
VARIANTS = {
    "none": 'type = "none"\n',
    "jwt": 'type = "jwt"\naudiences = ["aud"]\n',
    "oauth-audiences": f'type = "oauth"\ndiscovery_url = "{URL}"\naudiences = ["aud"]\n',
    "oauth-clients-only": f'type = "oauth"\ndiscovery_url = "{URL}"\nallowed_clients = ["c1"]\n',
    "oauth-both": f'type = "oauth"\ndiscovery_url = "{URL}"\naudiences = ["a"]\n'
                  'allowed_clients = ["c1", "c2"]\n',
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_authorizer_variant_renders_a_request_aws_accepts(tmp_path, variant):
    make_project(tmp_path, tool="[tool.aibox-ops.authorizer]\n" + VARIANTS[variant])
    result = invoke("render", project=tmp_path)
    assert result.exit_code == 0, result.stderr
    settings = load_settings(tmp_path, environ={})
    params = {**COMPLETE, **runtime_config_params(settings)}
    assert validate_request(SERVICE, OPERATION, params) == []  # botocore's ParamValidator too
    assert validate_request(SERVICE, OPERATION, params, thorough=False) == []
    # The YAML the starter toolkit sends from holds exactly the same authorizer.
    data = yaml.safe_load((tmp_path / ".bedrock_agentcore.yaml").read_text())
    rendered = data["agents"]["my_aibox_agent"]["authorizer_configuration"]
    assert rendered == authorizer_configuration(settings)
    if rendered:
        check_request(SERVICE, OPERATION, {**COMPLETE, "authorizerConfiguration": rendered})


def test_oauth_with_only_clients_sends_no_empty_audience(tmp_path):
    make_project(tmp_path, tool="[tool.aibox-ops.authorizer]\n" + VARIANTS["oauth-clients-only"])
    jwt = authorizer_configuration(load_settings(tmp_path, environ={}))["customJWTAuthorizer"]
    assert "allowedAudience" not in jwt and jwt["allowedClients"] == ["c1"]


@pytest.mark.parametrize("thorough", [True, False])
def test_the_validator_names_each_member_path(thorough):
    params = {**COMPLETE,
              "authorizerConfiguration": {"customJWTAuthorizer": {
                  "discoveryUrl": URL, "allowedAudience": []}},
              "lifecycleConfiguration": {"maxLifetime": 2_000_000},
              "networkConfiguration": {"networkMode": "OPEN"},
              "agentRuntimeName": "my-agent"}
    problems = validate_request(SERVICE, OPERATION, params, thorough=thorough)
    assert sorted(problems) == sorted([
        "authorizerConfiguration.customJWTAuthorizer.allowedAudience: length 0 is below the "
        "minimum 1",
        "lifecycleConfiguration.maxLifetime: 2000000 is above the maximum 1209600",
        "networkConfiguration.networkMode: 'OPEN' is not one of PUBLIC, VPC",
        "agentRuntimeName: 'my-agent' does not match the pattern [a-zA-Z][a-zA-Z0-9_]{0,47}",
    ])
    with pytest.raises(InvalidRequestError) as info:
        check_request(SERVICE, OPERATION, params, thorough=thorough)
    assert info.value.exit_code == ExitCode.CONFIG and len(info.value.problems) == 4


def test_partial_requests_skip_only_top_level_required_members():
    assert validate_request(SERVICE, OPERATION, {}, partial=True) == []
    assert validate_request(SERVICE, OPERATION, {}, partial=False) == [
        "agentRuntimeName: is required", "agentRuntimeArtifact: is required",
        "roleArn: is required"]
    nested = {"networkConfiguration": {}}
    assert validate_request(SERVICE, OPERATION, nested, partial=True) == [
        "networkConfiguration.networkMode: is required"]


def test_a_setting_aws_would_refuse_is_a_config_error_naming_the_key(tmp_path):
    make_project(tmp_path, tool="[tool.aibox-ops.authorizer]\n"
                 'type = "oauth"\ndiscovery_url = "https://idp.example.com/oidc"\n'
                 'audiences = ["aud"]\n')
    result = invoke("render", "--check", project=tmp_path)
    assert result.exit_code == ExitCode.CONFIG
    assert f"{tmp_path / 'pyproject.toml'}:10: 'authorizer.discovery_url' would be refused " \
        "by AWS: CreateAgentRuntime authorizerConfiguration.customJWTAuthorizer.discoveryUrl: " \
        "'https://idp.example.com/oidc' does not match the pattern" in result.stderr
    assert not (tmp_path / ".dockerignore").exists()


def test_regions_without_an_agentcore_endpoint_are_refused(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops]\nregion = "ap-narnia-7"\n')
    result = invoke("config", project=tmp_path)
    assert result.exit_code == ExitCode.CONFIG
    assert "'region' = 'ap-narnia-7' is not a region where botocore knows a " \
        "bedrock-agentcore-control endpoint" in result.stderr
