"""Activities (docs/PRODUCT.md §2.3): proposals, review rounds, retrospectives."""
