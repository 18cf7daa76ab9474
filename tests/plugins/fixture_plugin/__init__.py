"""A plugin for the hook tests: implements every hook, loaded through EXTRA_PLUGINS."""

TITLE = "Fixture plugin"
DESCRIPTION = "Implements every hook so that tests can watch the core call them."
REQUIRES = ()
ENABLED_BY_DEFAULT = True
