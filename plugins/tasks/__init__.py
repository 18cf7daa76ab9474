"""Assigning work and following it through: a secretary or an administrator gives a task to
members, a whole branch, or every branch under an organisation (each branch secretary passes it
on); members report progress; the assigner sees who is late; a personal calendar with an
iCalendar feed. Metadata only: nothing happens at import time."""
from flask_babel import lazy_gettext as _l

TITLE = _l("Tasks")
DESCRIPTION = _l("Committees assign tasks to members and branches, follow their progress and "
                 "who is late; members keep a personal calendar.")
REQUIRES = ()
ENABLED_BY_DEFAULT = True
