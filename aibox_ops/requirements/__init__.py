"""Keep requirements-agentcore.txt in step with the agent dependency group in pyproject.toml."""

from .apply import apply_requirements
from .plan import plan_requirements

__all__ = ["apply_requirements", "plan_requirements"]
