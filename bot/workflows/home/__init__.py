"""The App Home tab (docs/PRODUCT.md §3): a read model over every workflow."""
