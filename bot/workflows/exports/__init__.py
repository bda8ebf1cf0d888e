"""CSV exports (docs/PRODUCT.md §3): a team's data for a period, by DM to a supervisor."""
