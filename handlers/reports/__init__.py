"""Slack side of reports: the chart and its summary."""
