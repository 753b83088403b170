"""Outbound HTTP with size/time caps and an SSRF guard."""
