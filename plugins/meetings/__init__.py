"""Branch meetings: the monthly and thematic meeting of a branch, from planning and invitation
to attendance, votes, resolution, minutes and ratings, and the upper levels' overview of which
branches really meet. Metadata only: nothing happens at import time."""
from flask_babel import lazy_gettext as _l

TITLE = _l("Branch meetings")
DESCRIPTION = _l("Plan and invite the branch meeting, take attendance, vote, issue the "
                 "resolution and minutes; upper levels see which branches meet.")
REQUIRES = ()
ENABLED_BY_DEFAULT = True
