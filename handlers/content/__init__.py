"""Slack side of content."""
