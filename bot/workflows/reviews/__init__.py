"""Performance reviews (docs/PRODUCT.md §2.5): monthly and annual, with the right to object."""
