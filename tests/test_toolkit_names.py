"""aibox-ops computes the starter toolkit's resource names itself (no toolkit import at
deploy time); they must stay exactly the toolkit's, or a project deployed by one tool would
not find its resources with the other."""

from __future__ import annotations

import pytest

from aibox_ops.toolkit_names import repository_part, resource_names

NAMES = ["my_aibox_agent", "Other_Agent2", "_x", "a", "UPPER--and__mixed", "x" * 230,
         "dots.and spaces", "-lead"]


@pytest.mark.parametrize("agent", NAMES)
def test_names_equal_the_toolkits_own(agent):
    from bedrock_agentcore_starter_toolkit.operations.runtime.create_role import (
        _generate_deterministic_suffix,
    )
    from bedrock_agentcore_starter_toolkit.services.ecr import sanitize_ecr_repo_name

    assert repository_part(agent) == sanitize_ecr_repo_name(agent)
    names = resource_names(agent, "eu-west-1")
    suffix = _generate_deterministic_suffix(agent)
    assert names.execution_role == f"AmazonBedrockAgentCoreSDKRuntime-eu-west-1-{suffix}"
    assert names.codebuild_role == f"AmazonBedrockAgentCoreSDKCodeBuild-eu-west-1-{suffix}"
    assert names.ecr_repository == f"bedrock-agentcore-{sanitize_ecr_repo_name(agent)}"
    assert names.codebuild_project == \
        f"bedrock-agentcore-{sanitize_ecr_repo_name(agent)}-builder"
    assert names.source_key == f"{agent}/source.zip" and names.memory == f"{agent}_mem"
    assert names.source_bucket("123456789012", "eu-west-1") == \
        "bedrock-agentcore-codebuild-sources-123456789012-eu-west-1"
