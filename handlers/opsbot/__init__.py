"""``/opsbot``: the subcommand router."""
