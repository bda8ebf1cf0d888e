"""The adapter's kit: Block Kit primitives, form readers, labels, mrkdwn and charts. Imports no workflow."""
