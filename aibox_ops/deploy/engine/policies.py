"""The IAM documents a deploy creates roles with (pure: no AWS).

Trust policies name the service *and* the caller: ``aws:SourceAccount`` and ``aws:SourceArn``
(confused-deputy protection). Permission documents are scoped to this agent's own
repository, log groups and workload identity; what the agent's code needs (DynamoDB,
Secrets Manager, models) is fix-iam's job, written into its own owned policies.
"""

from __future__ import annotations

from typing import Any

EXECUTION_BASE_POLICY = "aibox-ops-runtime-base"
CODEBUILD_POLICY = "aibox-ops-codebuild"
VERSION = "2012-10-17"


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": statements}


def _trust(sid: str, service: str, account: str, source_arn: str) -> dict[str, Any]:
    return _document([{
        "Sid": sid, "Effect": "Allow", "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account},
                      "ArnLike": {"aws:SourceArn": source_arn}}}])


def execution_trust(partition: str, region: str, account: str) -> dict[str, Any]:
    """Only AgentCore, acting for this account in this region, may assume the runtime role."""
    return _trust("AgentCoreRuntime", "bedrock-agentcore.amazonaws.com", account,
                  f"arn:{partition}:bedrock-agentcore:{region}:{account}:*")


def codebuild_trust(partition: str, region: str, account: str, project: str) -> dict[str, Any]:
    """Only this agent's CodeBuild project may assume the build role."""
    return _trust("CodeBuildProject", "codebuild.amazonaws.com", account,
                  f"arn:{partition}:codebuild:{region}:{account}:project/{project}")


def execution_base(partition: str, region: str, account: str, agent_name: str,
                   repository: str | None, memory_id: str | None = None) -> dict[str, Any]:
    """What every runtime needs: pull its image (``repository``; None for a code zip),
    write its logs, traces and metrics, and get workload access tokens for itself."""
    arn = f"arn:{partition}"
    logs = f"{arn}:logs:{region}:{account}:log-group:/aws/bedrock-agentcore/runtimes/"
    identity = f"{arn}:bedrock-agentcore:{region}:{account}:workload-identity-directory/default"
    statements: list[dict[str, Any]] = []
    if repository:
        statements += [
            {"Sid": "PullImage", "Effect": "Allow",
             "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
             "Resource": f"{arn}:ecr:{region}:{account}:repository/{repository}"},
            {"Sid": "RegistryToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
             "Resource": "*"}]
    statements += [
        {"Sid": "RuntimeLogGroups", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:DescribeLogStreams"],
         "Resource": f"{logs}*"},
        {"Sid": "DescribeLogGroups", "Effect": "Allow", "Action": "logs:DescribeLogGroups",
         "Resource": f"{arn}:logs:{region}:{account}:log-group:*"},
        {"Sid": "RuntimeLogStreams", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"{logs}*:log-stream:*"},
        {"Sid": "Traces", "Effect": "Allow",
         "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules", "xray:GetSamplingTargets"], "Resource": "*"},
        {"Sid": "Metrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData",
         "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": "bedrock-agentcore"}}},
        {"Sid": "WorkloadAccessToken", "Effect": "Allow",
         "Action": ["bedrock-agentcore:GetWorkloadAccessToken",
                    "bedrock-agentcore:GetWorkloadAccessTokenForJWT",
                    "bedrock-agentcore:GetWorkloadAccessTokenForUserId"],
         "Resource": [identity, f"{identity}/workload-identity/{agent_name}-*"]},
    ]
    if memory_id:
        statements.append({
            "Sid": "Memory", "Effect": "Allow",
            "Action": ["bedrock-agentcore:CreateEvent", "bedrock-agentcore:GetEvent",
                       "bedrock-agentcore:ListEvents", "bedrock-agentcore:DeleteEvent",
                       "bedrock-agentcore:GetMemory", "bedrock-agentcore:ListSessions",
                       "bedrock-agentcore:ListActors",
                       "bedrock-agentcore:RetrieveMemoryRecords",
                       "bedrock-agentcore:ListMemoryRecords",
                       "bedrock-agentcore:GetMemoryRecord"],
            "Resource": f"{arn}:bedrock-agentcore:{region}:{account}:memory/{memory_id}"})
    return _document(statements)


def codebuild_permissions(partition: str, region: str, account: str, project: str,
                          repository: str, bucket: str, agent_name: str) -> dict[str, Any]:
    """What the build needs: read its own source (this agent's keys of the shared bucket),
    push to this repository, write its log."""
    arn = f"arn:{partition}"
    return _document([
        {"Sid": "RegistryToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
         "Resource": "*"},
        {"Sid": "PushImage", "Effect": "Allow",
         "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer", "ecr:PutImage", "ecr:InitiateLayerUpload",
                    "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"],
         "Resource": f"{arn}:ecr:{region}:{account}:repository/{repository}"},
        {"Sid": "BuildLog", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [f"{arn}:logs:{region}:{account}:log-group:/aws/codebuild/{project}",
                      f"{arn}:logs:{region}:{account}:log-group:/aws/codebuild/{project}:*"]},
        {"Sid": "ReadSource", "Effect": "Allow", "Action": ["s3:GetObject",
                                                            "s3:GetObjectVersion"],
         "Resource": f"{arn}:s3:::{bucket}/{agent_name}/*",
         "Condition": {"StringEquals": {"s3:ResourceAccount": account}}},
        {"Sid": "SourceBucket", "Effect": "Allow", "Action": "s3:GetBucketLocation",
         "Resource": f"{arn}:s3:::{bucket}",
         "Condition": {"StringEquals": {"s3:ResourceAccount": account}}},
    ])
