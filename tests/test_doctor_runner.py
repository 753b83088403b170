"""doctor's runner and CLI contract: crash isolation, invalid settings, exit codes, --list."""

from __future__ import annotations

import dataclasses

from aibox_ops.config import load_settings
from aibox_ops.doctor import (
    DoctorContext,
    blocking,
    offline_checks,
    registry,
    run_checks,
    runner,
)
from tests.doctor_support import doctor, healthy_project
from tests.helpers import invoke, json_out


def test_a_crashing_check_becomes_an_error_and_the_others_run(tmp_path, monkeypatch):
    root = healthy_project(tmp_path)
    checks = registry.all_checks()

    def boom(ctx):
        raise RuntimeError("kaboom")

    patched = tuple(dataclasses.replace(c, detect=boom) if c.id == "main-guard" else c
                    for c in checks)
    monkeypatch.setattr(registry, "all_checks", lambda: patched)
    monkeypatch.setattr(runner, "all_checks", lambda: patched)
    code, doc, by_id = doctor(root, "--offline")
    assert by_id["main-guard"]["status"] == "error"
    assert "RuntimeError: kaboom" in by_id["main-guard"]["message"]
    assert by_id["render-drift"]["status"] == "pass"
    assert code == 1 and doc["ok"] is False and doc["summary"]["error"] == 1


def test_invalid_settings_fail_config_and_settings_free_checks_still_run(tmp_path):
    root = healthy_project(tmp_path)
    with (root / "pyproject.toml").open("a") as handle:
        handle.write('[tool.aibox-ops]\nagent_name = "bad-name"\nregion = "mars-1"\n')
    code, _, by_id = doctor(root, "--offline")
    assert code == 1
    assert by_id["config"]["status"] == "fail"
    assert len(by_id["config"]["evidence"]) == 2
    assert any("agent_name" in line for line in by_id["config"]["evidence"])
    assert by_id["requirements-drift"]["status"] == "skip"
    assert by_id["main-guard"]["status"] == "pass"
    assert by_id["secrets-in-image"]["status"] == "pass"


def test_fail_on_warning_turns_a_warning_into_exit_1(tmp_path):
    root = healthy_project(tmp_path)  # warm-up off: cold-start warns
    code, doc, _ = doctor(root, "--offline", "--only", "cold-start")
    assert code == 0 and doc["ok"] is True and doc["summary"]["warn"] == 1
    code, doc, _ = doctor(root, "--offline", "--only", "cold-start", "--fail-on", "warning")
    assert code == 1 and doc["ok"] is False


def test_only_and_skip_select_checks_and_unknown_ids_are_usage_errors(tmp_path):
    root = healthy_project(tmp_path)
    _, doc, _ = doctor(root, "--offline", "--only", "auth,main-guard", "--skip", "auth")
    assert [c["id"] for c in doc["checks"]] == ["main-guard"]
    result = invoke("doctor", "--offline", "--only", "no-such-check", project=root)
    assert result.exit_code == 2 and "no-such-check" in result.stderr
    result = invoke("doctor", "--since", "soon", project=root)
    assert result.exit_code == 2 and "--since" in result.stderr


def test_list_prints_every_check_id(tmp_path):
    result = invoke("--json", "doctor", "--list", project=tmp_path)
    listed = [c["id"] for c in json_out(result)["checks"]]
    assert listed == registry.check_ids()
    human = invoke("doctor", "--list", project=tmp_path)
    assert human.exit_code == 0 and "flat-layout" in human.stdout


def test_human_report_groups_by_status_with_fix_lines(tmp_path):
    root = healthy_project(tmp_path)
    (root / ".dockerignore").write_text("tests\n")
    result = invoke("doctor", "--offline", project=root)
    assert result.exit_code == 1
    out = result.stdout
    assert out.index("Failed") < out.index("Warnings") < out.index("Passed")
    assert "✗ secrets-in-image" in out and "✓ main-guard" in out and "! cold-start" in out
    assert "fix: Exclude .env*" in out
    assert out.splitlines()[-1].startswith("11 passed, 1 warning(s), 2 failed")


def test_deploy_preflight_api_runs_offline_checks_without_a_session(tmp_path):
    root = healthy_project(tmp_path)
    settings = load_settings(root, environ={})
    results = run_checks(DoctorContext(settings, session=None, offline=True),
                         only=offline_checks())
    assert {r.id for r in results} == set(offline_checks())
    assert blocking(results) == []
    (root / ".dockerignore").write_text("tests\n")
    again = run_checks(DoctorContext(settings, session=None, offline=True),
                       only=offline_checks())
    assert [r.id for r in blocking(again)] == ["render-drift", "secrets-in-image"]


def test_each_shared_read_happens_once_per_run(tmp_path):
    root = healthy_project(tmp_path)
    settings = load_settings(root, environ={})
    ctx = DoctorContext(settings)
    run_checks(ctx)
    keys = ctx.cache.computed()
    assert keys.count("plan-requirements") == 1 and keys.count("plan-render") == 1


def test_a_crashed_error_level_check_blocks_a_deploy_a_warning_level_one_does_not():
    from aibox_ops.doctor.model import CheckResult

    crashed = CheckResult("main-guard", "t", "error", "error", "crashed: KeyError")
    soft = CheckResult("cold-start", "t", "error", "warning", "crashed: KeyError")
    fine = CheckResult("auth", "t", "pass", "error", "ok")
    assert blocking([crashed, soft, fine]) == [crashed]
