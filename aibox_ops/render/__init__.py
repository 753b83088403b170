"""Render the deploy files (Dockerfile, .dockerignore, .bedrock_agentcore.yaml) from templates."""

from .apply import apply_render
from .plan import RenderedFile, RenderPlan, plan_render

__all__ = ["RenderPlan", "RenderedFile", "apply_render", "plan_render"]
