"""The Slack side of teams set up in Slack."""
