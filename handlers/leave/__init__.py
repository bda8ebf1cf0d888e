"""Slack side of leave."""
