"""Team settings changed in Slack by the team's supervisors (docs/PRODUCT.md §3)."""
