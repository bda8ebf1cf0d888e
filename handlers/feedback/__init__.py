"""Slack side of the feedback talk and its improvement plan."""
