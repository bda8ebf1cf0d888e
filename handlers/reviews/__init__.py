"""Slack side of performance reviews."""
