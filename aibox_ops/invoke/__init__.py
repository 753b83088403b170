"""Talk to the agent: a deployed AgentCore runtime (SigV4 or bearer) or a local server.

Both routes yield the same chunk dicts (SSE ``data:`` events, or one dict for a JSON reply):

- ``invoke_runtime(session, runtime_arn, payload, session_id=None, qualifier="DEFAULT",
  bearer_token=None)``
- ``invoke_local(url, payload, session_id=None)``
- ``new_session_id()``
- ``InvokeSummary``: folds chunks (either kind of reply) into text, tools, metadata, error
"""

from .local import invoke_local
from .runtime import build_invoke_params, invoke_runtime, runtime_region
from .session_id import new_session_id, session_id_problem
from .summary import InvokeSummary

__all__ = ["InvokeSummary", "build_invoke_params", "invoke_local", "invoke_runtime",
           "new_session_id", "runtime_region", "session_id_problem"]
