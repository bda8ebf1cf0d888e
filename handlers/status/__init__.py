"""Slack side of ``/opsbot status`` and ``/opsbot help``."""
