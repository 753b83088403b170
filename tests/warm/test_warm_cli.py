"""The warm commands end to end: moto for AWS, the real agent over uvicorn for pings."""

from __future__ import annotations

import json

import pytest
from helpers import invoke, json_out, make_project
from warm_helpers import warm_project

from aibox_ops.warm.pool import POOL_PATH


def groups(aws) -> list:
    return aws.client("scheduler").list_schedule_groups(NamePrefix="aibox-warm")["ScheduleGroups"]


def test_sessions_writes_the_pool_once(project):
    dry = invoke("--json", "warm", "sessions", "--dry-run", project=project)
    assert dry.exit_code == 0 and not (project / POOL_PATH).exists()
    first = json_out(invoke("--json", "warm", "sessions", project=project))
    assert first["written"] and len(first["session_ids"]) == 3
    again = invoke("warm", "sessions", project=project)
    assert again.stdout.split() == first["session_ids"]
    assert "unchanged" in again.stderr and "stable hash" in again.stderr


@pytest.mark.slow
def test_schedule_status_unschedule(aws, project, runtime_arn):
    dry = invoke("--json", "warm", "schedule", "--dry-run", project=project)
    assert dry.exit_code == 0, dry.stderr
    assert json_out(dry)["mode"] == "dry-run"
    assert groups(aws) == []
    refused = invoke("warm", "schedule", project=project)  # no TTY, no --yes
    assert refused.exit_code == 7 and "--yes" in refused.stderr
    done = invoke("--json", "warm", "schedule", "--yes", project=project)
    assert done.exit_code == 0, done.stderr
    assert len([w for w in json_out(done)["written"] if w.startswith("schedule/")]) == 3
    again = json_out(invoke("--json", "warm", "schedule", project=project))  # no --yes needed
    assert again["written"] == [] and {i["status"] for i in again["items"]} == {"unchanged"}
    status = json_out(invoke("--json", "warm", "status", project=project))
    assert status["active"] and len(status["schedules"]) == 3
    assert status["unscheduled_pool_ids"] == [] and status["schedules_not_in_pool"] == []
    assert status["schedules"][0]["runtime_arn"] == runtime_arn
    gone = invoke("--json", "warm", "unschedule", "--yes", project=project)
    assert gone.exit_code == 0, gone.stderr
    assert groups(aws) == []
    assert not json_out(invoke("--json", "warm", "status", project=project))["active"]


def test_schedule_faults_have_clear_messages_and_codes(aws, tmp_path):
    project = warm_project(tmp_path / "p")
    missing = invoke("warm", "schedule", "--yes", project=project)
    assert missing.exit_code == 5 and "is not deployed" in missing.stderr
    off = make_project(tmp_path / "off")
    disabled = invoke("warm", "schedule", "--yes", project=off)
    assert disabled.exit_code == 3 and "'warm.enabled' = false" in disabled.stderr


@pytest.mark.slow
def test_ping_and_measure_the_local_runtime(local_agent, project):
    pinged = invoke("--json", "warm", "ping", "--local", "--url", local_agent, "--count", "2",
                    project=project)
    assert pinged.exit_code == 0, pinged.stderr
    doc = json_out(pinged)
    assert doc["summary"]["count"] == 2 and doc["results"][0]["verdict"] == "warm"
    assert "no warm pool yet" in pinged.stderr
    human = invoke("warm", "measure", "--local", "--url", local_agent, "--samples", "3",
                   project=project)
    assert human.exit_code == 0, human.stderr
    assert "cold (new session)" in human.stdout and "| warm" in human.stdout
    assert "recommendation (off)" in human.stdout
    raw = json_out(invoke("--json", "warm", "measure", "--local", "--url", local_agent,
                          "--samples", "3", project=project))
    assert len(raw["samples"]["cold"]) == 3 and raw["recommendation"]["decision"] == "off"


def test_ping_failures_and_bad_ids(project):
    bad = invoke("warm", "ping", "--local", "--session-id", "short", project=project)
    assert bad.exit_code == 3 and "33-256" in bad.stderr
    dead = invoke("--json", "warm", "ping", "--local", "--url", "http://127.0.0.1:9",
                  project=project)
    assert dead.exit_code == 8
    assert json_out(dead)["ok"] is False


@pytest.mark.slow
def test_run_checks_its_interval_and_runs_one_round(local_agent, project):
    unparsable = invoke("warm", "run", "--every", "ten", "--local", project=project)
    assert unparsable.exit_code == 2 and "not a duration" in unparsable.output
    too_slow = invoke("warm", "run", "--every", "20m", "--local", project=project)
    assert too_slow.exit_code == 3
    assert "(1200 s) is not shorter than lifecycle.idle_timeout = 900 s" in too_slow.stderr
    empty = invoke("warm", "run", "--every", "1m", "--local", project=project)
    assert empty.exit_code == 3 and "warm sessions" in empty.stderr
    invoke("warm", "sessions", project=project)
    ran = invoke("--json", "warm", "run", "--every", "1m", "--for", "1s", "--local",
                 "--url", local_agent, project=project)
    assert ran.exit_code == 0, ran.stderr
    doc = json_out(ran)
    assert len(doc["rounds"]) == 1 and doc["rounds"][0]["pings"] == 3 and doc["last_ok"]
    assert json.loads(ran.stdout)  # one document only
