"""Slack side of exports: the CSV file."""
