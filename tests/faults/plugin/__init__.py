"""A plugin for the fault tests: one job that leaves marks a test can count across processes.

Loaded through EXTRA_PLUGINS (by the test's app and by the real worker's config file)."""

TITLE = "Fault-test plugin"
DESCRIPTION = "A job whose every start and end is written to a file."
REQUIRES = ()
ENABLED_BY_DEFAULT = True
