"""``/opsbot status`` (docs/PRODUCT.md §3): what is due for the person asking."""
