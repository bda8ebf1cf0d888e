"""opsbot: an operations team's working rules, run in Slack."""

__version__ = "0.1.0"
