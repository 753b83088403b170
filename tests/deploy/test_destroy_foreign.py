"""destroy never plans to delete warm-up schedules in a group aibox-ops did not create."""

from __future__ import annotations

import pytest

from aibox_ops.aws import open_session
from aibox_ops.config import load_settings
from aibox_ops.deploy.destroy import plan_destroy
from aibox_ops.warm.names import group_name


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_a_foreign_group_of_the_warm_name_is_kept(aws, project):
    settings = load_settings(project, environ={})
    scheduler = aws.client("scheduler")
    group = group_name(settings)
    scheduler.create_schedule_group(Name=group)  # not tagged by aibox-ops
    scheduler.create_schedule(
        Name="someone-elses", GroupName=group, ScheduleExpression="rate(5 minutes)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:lambda:ap-southeast-1:123456789012:function:f",
                "RoleArn": "arn:aws:iam::123456789012:role/r"})
    plan = plan_destroy(open_session(settings.region), settings)
    item = plan.item(group)
    assert (item.kind, item.status) == ("schedule", "unchanged")
    assert "did not create: kept" in item.reason
    assert not [i for i in plan.changes if i.kind == "schedule"]
