"""Leave (docs/PRODUCT.md §2.4): requests, decisions, and who is away when."""
