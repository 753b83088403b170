"""The warm-up runs the invocation path on built-in settings without claiming the settings
table is unset: "SETTING_TABLE is not set" is logged only when it is."""

from __future__ import annotations

import logging

import pytest

NOT_SET = "SETTING_TABLE is not set"


def test_an_unset_table_is_logged_a_deliberate_none_is_not(caplog):
    from genai.store.settings import AgentSettings, SettingsStore

    caplog.set_level(logging.INFO, logger="genai")
    assert SettingsStore(None).get() == AgentSettings()
    assert NOT_SET not in caplog.text
    assert SettingsStore("").get() == AgentSettings()
    assert NOT_SET in caplog.text


@pytest.mark.slow
def test_the_warm_up_with_the_table_set_does_not_say_it_is_unset(caplog, monkeypatch):
    from agentcore_app import app
    from genai.server import warmup
    from genai.tools import sandbox

    monkeypatch.setenv("SETTING_TABLE", "aibox_setting")
    caplog.set_level(logging.INFO)
    try:
        warmup._warm_up(app)
    finally:
        sandbox.reset()  # the tool worker it started
    assert "Warm-up done" in caplog.text, caplog.text
    assert NOT_SET not in caplog.text
