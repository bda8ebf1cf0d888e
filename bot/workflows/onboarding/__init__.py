"""Onboarding (培训与发展): a new member's checklist, item by item, on working days."""
