"""MyAIBOX agent library: request handling, models, tools, settings and sessions."""
