"""Example plugin: a template for new plugins (a page, a model with its migration, a menu entry,
a home card, a permission and a job). Metadata only: nothing happens at import time."""
from flask_babel import lazy_gettext as _l

TITLE = _l("Example feature")
DESCRIPTION = _l("Shows how a plugin adds a page, a table, a menu entry, a card and a job.")
REQUIRES = ()
ENABLED_BY_DEFAULT = False
