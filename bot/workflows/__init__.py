"""One package per workflow; each plugs into the kernel through the tables in its ``plugin`` module."""
