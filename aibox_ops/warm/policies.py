"""The scheduler role's documents (pure): who may assume it, and what it may do."""

from __future__ import annotations

from typing import Any

POLICY_VERSION = "2012-10-17"
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"
INVOKE_ACTION = "bedrock-agentcore:InvokeAgentRuntime"


def scheduler_trust_policy(account: str, partition: str, region: str,
                           group_name: str) -> dict[str, Any]:
    """Trusted only by EventBridge Scheduler, for this account and this schedule group.

    Scheduler sets ``aws:SourceArn`` to the schedule GROUP's ARN (its confused-deputy guide:
    "do not scope aws:SourceArn to a specific schedule"), so that is what is matched.
    """
    return {
        "Version": POLICY_VERSION,
        "Statement": [{
            "Sid": "SchedulerForThisGroupOnly",
            "Effect": "Allow",
            "Principal": {"Service": SCHEDULER_PRINCIPAL},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {
                "aws:SourceAccount": account,
                "aws:SourceArn": schedule_group_arn(partition, region, account, group_name),
            }},
        }],
    }


def schedule_group_arn(partition: str, region: str, account: str, group_name: str) -> str:
    """``arn:aws:scheduler:REGION:ACCOUNT:schedule-group/NAME``."""
    return f"arn:{partition}:scheduler:{region}:{account}:schedule-group/{group_name}"


def invoke_policy(runtime_arn: str) -> dict[str, Any]:
    """Allowed only to invoke this runtime (and its endpoints, e.g. DEFAULT)."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [{
            "Sid": "InvokeThisRuntimeOnly",
            "Effect": "Allow",
            "Action": INVOKE_ACTION,
            "Resource": [runtime_arn, f"{runtime_arn}/runtime-endpoint/*"],
        }],
    }
