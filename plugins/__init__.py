"""Feature plugins, one folder each, found through the "sotay.plugins" entry-point group."""
