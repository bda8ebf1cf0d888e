"""Teams set up and run from Slack (docs/PRODUCT.md §1, §3): setup, edit, archive."""
