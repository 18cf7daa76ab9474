"""Administration of the tree, roles and per-province features."""
