"""Render the deploy files (Dockerfile, .dockerignore, .bedrock_agentcore.yaml) from templates."""

from .apply import apply_render
from .plan import plan_render

__all__ = ["apply_render", "plan_render"]
