"""Run the agent server with a scripted model (a subprocess peer for tests and benchmarks).

``python agent_server_main.py PORT MODE``. MODE ``wait``: every model call says "start"
and then waits an hour without polling, like a stalled model server (load and shutdown
tests). ``answer``: every model call answers one short text at once; the scripted model is
imported on the first invocation, so start-up and warm-up stay what they are in production.
``answer-preloaded``: the same, with the scripted model imported before serving (as the
warm-up imports the real model clients), so a benchmark of the first invocation times the
agent, not the test model's module.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agent_paths import AGENT_DIR  # noqa: E402

sys.path.insert(0, str(AGENT_DIR))


def _builder(mode: str):
    def build(choice, env):
        from agent_scripted import ScriptedModel, stall, text

        turn = [text("start"), stall(3600)] if mode == "wait" else [text("hello")]
        return ScriptedModel(*[turn] * 1000)

    return build


def main() -> None:
    import agentcore_app
    from genai.agents.provider import AgentProvider

    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "answer-preloaded":
        import agent_scripted  # noqa: F401
    agentcore_app.set_provider(AgentProvider(model_builder=_builder(mode)))
    agentcore_app.app.run(port=port, host="127.0.0.1")


if __name__ == "__main__":
    main()
