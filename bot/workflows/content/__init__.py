"""Content (docs/PRODUCT.md §2.2): drafts in review rounds, publications, metrics."""
