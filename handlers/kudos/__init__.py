"""Slack side of recognition."""
