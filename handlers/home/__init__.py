"""Slack side of the App Home tab."""
