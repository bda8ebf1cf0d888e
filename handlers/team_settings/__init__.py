"""Slack side of team settings."""
