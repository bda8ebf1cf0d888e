"""Slack side of the pending nudge."""
