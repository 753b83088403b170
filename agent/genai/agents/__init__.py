"""Agent orchestration: provider, model selection, chunk mapping."""
