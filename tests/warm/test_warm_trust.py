"""warm unschedule deletes only the schedules warm created (issue 18): a schedule someone
else put in the tagged group, and so the group that holds it, are kept."""

from __future__ import annotations

import pytest

from aibox_ops.config import load_settings
from aibox_ops.warm import apply_schedules, plan_schedules, read_schedules, remove_schedules
from aibox_ops.warm.names import group_name
from aibox_ops.warm.plan import plan_removal
from aibox_ops.warm.quota import SessionQuota


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_unschedule_keeps_schedules_others_put_in_its_group(aws, session, project,
                                                            runtime_arn):
    settings = load_settings(project)
    quota = SessionQuota(None, None, "not asked in this test")
    apply_schedules(session, plan_schedules(session, settings, quota=quota))
    group = group_name(settings)
    scheduler = aws.client("scheduler")
    theirs = {"Arn": "arn:aws:lambda:ap-southeast-1:123456789012:function:report",
              "RoleArn": "arn:aws:iam::123456789012:role/reports"}
    for name in ("nightly-report", "warm-09"):  # warm's name pattern, but not its role
        scheduler.create_schedule(Name=name, GroupName=group, Target=theirs,
                                  ScheduleExpression="rate(1 day)",
                                  FlexibleTimeWindow={"Mode": "OFF"})
    plan = plan_removal(read_schedules(session, settings))
    deleted = {i.target for i in plan.changes}
    assert f"schedule/{group}/nightly-report" not in deleted
    assert f"schedule/{group}/warm-09" not in deleted
    assert f"schedule-group/{group}" not in deleted
    assert "kept: it holds 2 schedule(s)" in plan.item(f"schedule-group/{group}").reason
    removed = remove_schedules(session, settings)
    assert sorted(r for r in removed if r.startswith("schedule/")) == [
        f"schedule/{group}/warm-0{i}" for i in range(3)]
    left = sorted(s["Name"] for s in scheduler.list_schedules(GroupName=group)["Schedules"])
    assert left == ["nightly-report", "warm-09"]
