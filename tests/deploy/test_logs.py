"""logs --follow: keeps polling from the last event, never repeats one (bounded here)."""

from __future__ import annotations

import time

import pytest

from aibox_ops.aws import open_session
from aibox_ops.cli.options import since_option
from aibox_ops.deploy.logs import read_log_events

GROUP = "/aws/bedrock-agentcore/runtimes/demo-abc1234567-DEFAULT"


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_follow_picks_up_new_events_without_repeats(aws):
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=GROUP, logStreamName="s", logEvents=[
        {"timestamp": now - 2000, "message": "first"}, {"timestamp": now - 1000,
                                                        "message": "second"}])
    polls: list[float] = []

    def between_polls(seconds: float) -> None:  # what arrives while --follow waits
        polls.append(seconds)
        logs.put_log_events(logGroupName=GROUP, logStreamName="s", logEvents=[
            {"timestamp": int(time.time() * 1000), "message": f"later {len(polls)}"}])

    events = list(read_log_events(open_session("ap-southeast-1"), GROUP, 600, follow=True,
                                  poll=0.5, max_polls=3, sleep=between_polls))
    assert [e["message"] for e in events] == ["first", "second", "later 1", "later 2"]
    assert polls == [0.5, 0.5]


def test_since_parsing():
    assert since_option("90s") == 90 and since_option("15m") == 900
    assert since_option("2d") == 172800 and since_option("0.2s") == 1  # whole seconds, >= 1


def test_every_since_option_shares_one_parser():
    """logs, fix-iam --from-logs and doctor read --since the same way: a bad value is a usage
    error (exit 2) naming the flag, 0 is refused."""
    import pytest
    import typer

    from aibox_ops.durations import parse_duration

    assert since_option("1h30m") == parse_duration("1h30m") == 5400
    for bad in ("0m", "5x"):
        with pytest.raises(typer.BadParameter) as info:
            since_option(bad)
        assert info.value.param_hint == "--since" and repr(bad) in info.value.message


def test_logs_strip_terminal_escapes_and_control_characters(aws):
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="s")
    planted = ("\x1b[2J\x1b[1;31mred\x1b[0m \x1b]0;owned title\x07 \x1b]8;;http://x\x1b\\link"
               "\x1b]8;;\x1b\\ bell\x07 back\x08 tab\tend\r\n")
    logs.put_log_events(logGroupName=GROUP, logStreamName="s", logEvents=[
        {"timestamp": int(time.time() * 1000) - 1000, "message": planted}])
    [event] = read_log_events(open_session("ap-southeast-1"), GROUP, 600)
    assert event["message"] == "red  link bell back tab\tend"
