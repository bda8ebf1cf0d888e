"""Training in Slack: the announce modal, the session card, attendance, and the goals modal."""
