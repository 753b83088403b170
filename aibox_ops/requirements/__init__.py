"""Keep requirements-agentcore.txt in step with the agent dependency group in pyproject.toml."""

from .apply import apply_requirements
from .plan import RequirementsPlan, plan_requirements

__all__ = ["RequirementsPlan", "apply_requirements", "plan_requirements"]
