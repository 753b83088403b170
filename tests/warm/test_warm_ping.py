"""Pings and measures against the real agent (uvicorn on 127.0.0.1) and an AgentCore peer."""

from __future__ import annotations

import pytest

from aibox_ops.invoke import new_session_id
from aibox_ops.warm.measure import measure, recommend
from aibox_ops.warm.ping import local_sender, ping, runtime_sender
from tests.invoke_peer import InvokePeer

RUNTIME = "arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:runtime/my_aibox_agent-AbC123"


@pytest.mark.slow
def test_local_pings_reach_the_agents_health_action(local_agent):
    ids = [new_session_id() for _ in range(5)]
    results = ping(local_sender(local_agent), ids, count=2)
    assert [r.session_id for r in results] == [i for i in ids for _ in range(2)]
    assert all(r.ok and r.verdict == "warm" and r.latency_ms > 0 for r in results)
    # One long-lived local process: its uptime is older than any ping's round trip.
    assert all(r.uptime_s is not None and r.uptime_s > r.latency_ms / 1000 for r in results)


def test_a_dead_local_runtime_is_a_failed_result_not_a_crash():
    results = ping(local_sender("http://127.0.0.1:9"), [new_session_id()])
    assert results[0].verdict == "failed" and "127.0.0.1:9" in results[0].error


@pytest.mark.slow
def test_measure_locally_finds_no_cold_starts_and_says_so(local_agent):
    m = measure(local_sender(local_agent), samples=5, new_session_id=new_session_id)
    assert len(m.cold) == 5 and len(m.warm) == 5
    assert {r.verdict for r in m.cold + m.warm} == {"warm"}
    decision, _ = recommend(m, enabled=True, interval_minutes=5)
    assert decision == "off"  # one local process: nothing to keep warm


def test_runtime_pings_send_the_session_and_qualifier(monkeypatch):
    from aibox_ops.aws import open_session

    reply = {"status": "healthy", "service": "myaibox-agent", "uptime_seconds": 0.0}
    with InvokePeer(reply=reply) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)
        sid = new_session_id()
        [result] = ping(runtime_sender(open_session("ap-southeast-1"), RUNTIME), [sid])
    assert peer.seen[0].headers["x-amzn-bedrock-agentcore-runtime-session-id"] == sid
    assert peer.seen[0].query["qualifier"] == "DEFAULT"
    assert peer.seen[0].payload == {"action": "health"}
    # uptime 0: the process started during this request, so the session was cold
    assert result.verdict == "cold" and result.uptime_s == 0.0


def test_runtime_errors_are_failed_results(monkeypatch):
    from aibox_ops.aws import open_session

    with InvokePeer(status=500) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)
        [result] = ping(runtime_sender(open_session("ap-southeast-1"), RUNTIME),
                        [new_session_id()])
    assert result.verdict == "failed" and result.error


def test_a_pool_of_pings_builds_one_client(monkeypatch):
    from aibox_ops.aws import open_session

    session = open_session("ap-southeast-1")
    made: list[str] = []
    real = session.session.client

    def counting(service, *args, **kwargs):
        made.append(service)
        return real(service, *args, **kwargs)

    monkeypatch.setattr(session.session, "client", counting)
    reply = {"status": "healthy", "uptime_seconds": 100.0}
    with InvokePeer(reply=reply) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)
        results = ping(runtime_sender(session, RUNTIME), [new_session_id() for _ in range(8)])
    assert [r.verdict for r in results] == ["warm"] * 8 and len(peer.seen) == 8
    # building a botocore client costs tens of ms of CPU: one for the pool, not one per ping
    assert made == ["bedrock-agentcore"]
