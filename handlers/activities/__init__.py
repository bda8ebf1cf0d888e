"""Slack side of activities."""
