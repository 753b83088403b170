"""Tools the agent can use; each module is imported only when a request enables it."""
