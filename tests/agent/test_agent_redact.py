"""Key-like fragments never leave the agent: error texts, tool results, log records."""

from __future__ import annotations

import logging

import pytest
from genai.agents.chunks import ChunkMapper, error_chunk
from genai.redact import RedactingFilter, redact, register_secret


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Incorrect API key provided: sk-****3a9c. See docs.",
         "Incorrect API key provided: [redacted]. See docs."),
        ("sk-proj-Abc123_def-456", "[redacted]"),
        ("GET https://x/v1?key=AIzaSyA1234567890abcdef&alt=sse",
         "GET https://x/v1?key=[redacted]&alt=sse"),
        ("Authorization: Bearer abcdefghijkl", "Authorization: [redacted]"),
        ('{"api_key": "zzzzzzzzzz"}', '{"api_key": "[redacted]"}'),
        ("AKIAABCDEFGHIJKLMNOP used", "[redacted] used"),
        # Not keys: ordinary words and field names stay readable.
        ("scikit-learn (sk-learn) is fine", "scikit-learn (sk-learn) is fine"),
        ("x-api-key: abcdef123456", "x-api-key: [redacted]"),
        ("{'token': 'abcdefgh'}", "{'token': '[redacted]'}"),
        ("unknown key 'tool_config.enable'", "unknown key 'tool_config.enable'"),
        ("OpenAI API key: cannot read secret 'x'", "OpenAI API key: cannot read secret 'x'"),
        ("the secret: a password = hunter2hunter2", "the secret: a password = [redacted]"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_registered_secret_is_redacted_anywhere():
    register_secret("my-gateway-secret-9f8e")
    assert redact("bad key my-gateway-secret-9f8e!") == "bad key [redacted]!"
    assert error_chunk("echo: my-gateway-secret-9f8e")["error"] == "echo: [redacted]"


def test_tool_results_are_redacted_but_attached_media_is_not():
    media = "![generated image](data:image/png;base64,QUFBAIzaSyA1234567890abcdefsk-1234)"
    mapper = ChunkMapper(lambda tool_use_id: [media])
    mapper.map({"message": {"content": [{"toolUse": {"toolUseId": "t1", "name": "x",
                                                     "input": {}}}]}})
    [chunk] = mapper.tool_done({"toolUseId": "t1", "status": "success",
                                "content": [{"text": "token=abcdef123456"}]})
    assert chunk["tool_use"]["result"] == f"token=[redacted]\n{media}"


def test_log_records_and_tracebacks_are_redacted():
    record = logging.LogRecord("genai", logging.ERROR, __file__, 1, "failed: %s",
                               ("key sk-****3a9c",), None)
    try:
        raise RuntimeError("Incorrect API key provided: sk-****3a9c")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "3a9c" not in text
    assert text.startswith("failed: key [redacted]\nTraceback")
    assert text.endswith("RuntimeError: Incorrect API key provided: [redacted]")


def test_framework_json_log_lines_are_redacted_too():
    """bedrock_agentcore's formatter reads exc_info itself, not the formatted exc_text."""
    import sys

    from bedrock_agentcore.runtime.app import RequestContextFormatter

    record = logging.LogRecord("bedrock_agentcore.app", logging.ERROR, __file__, 1,
                               "Invocation failed", (), None)
    tail, token = format(14988, "x"), "abcdef" + str(123456)  # not literal in the stack text
    try:
        try:
            raise KeyError(f"inner token={token}")
        except KeyError as inner:
            raise ValueError(f"Incorrect API key provided: sk-****{tail}") from inner
    except ValueError:
        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    line = RequestContextFormatter().format(record)
    assert "3a9c" not in line and "abcdef123456" not in line
    assert '"errorType": "ValueError"' in line
    assert "Incorrect API key provided: [redacted]" in line and "token=[redacted]" in line
    assert "test_agent_redact.py" in line  # the stack is kept


def test_iam_actions_and_secret_arns_are_not_redacted():
    text = ("AccessDeniedException: not authorized to perform: secretsmanager:GetSecretValue "
            "on resource: arn:aws:secretsmanager:us-west-2:123456789012:secret:dev_gemini_api")
    assert redact(text) == text
