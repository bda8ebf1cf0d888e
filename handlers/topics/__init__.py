"""Slack side of topics."""
