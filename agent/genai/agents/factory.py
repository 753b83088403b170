"""Build a strands model object for a ModelChoice (imports providers lazily)."""

from __future__ import annotations

import os
from typing import Any

from genai import aws
from genai.agents.keys import api_key
from genai.agents.models import ModelChoice
from genai.config import AgentEnv, model_read_timeout


def build_model(choice: ModelChoice, env: AgentEnv) -> Any:
    """A strands ``Model`` for the choice; raises MissingKeyError when a key is absent."""
    if choice.provider == "openai":
        from genai.agents.openai_checked import CheckedOpenAIModel

        client_args: dict[str, Any] = {
            "api_key": api_key("openai", env.region),
            "timeout": model_read_timeout(),
            "max_retries": 1,
        }
        if os.environ.get("OPENAI_BASE_URL"):
            client_args["base_url"] = os.environ["OPENAI_BASE_URL"]
        return CheckedOpenAIModel(client_args=client_args, model_id=choice.model_id)
    if choice.provider == "gemini":
        from strands.models.gemini import GeminiModel

        client_args = {
            "api_key": api_key("gemini", env.region),
            # google-genai takes milliseconds; without it a stalled call waits for the agent's
            # whole-invocation deadline.
            "http_options": {"timeout": int(model_read_timeout() * 1000)},
        }
        return GeminiModel(client_args=client_args, model_id=choice.model_id)

    from strands.models.bedrock import BedrockModel

    return BedrockModel(
        boto_session=aws.session(env.bedrock_region),
        boto_client_config=aws.client_config(read_timeout=model_read_timeout()),
        model_id=choice.model_id,
        streaming=choice.streaming,
    )
