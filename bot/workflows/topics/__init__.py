"""Topics (docs/PRODUCT.md §2.1): proposals, decisions, the weekly quota."""
