"""The HTTP/WebSocket serving layer around BedrockAgentCoreApp (no strands imports)."""
