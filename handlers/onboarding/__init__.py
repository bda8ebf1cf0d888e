"""Onboarding in Slack: the checklist modal, the item DM and its Done button."""
