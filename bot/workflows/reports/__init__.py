"""Reports (docs/PRODUCT.md §3): a team's week or month in one post with a chart."""
