"""The good-branch-secretary contest: a question bank, contests for the organisations below an
administrator, attempts that keep every answer over a weak line, results and rankings.
Metadata only: nothing happens at import time."""
from flask_babel import lazy_gettext as _l

TITLE = _l("Contests")
DESCRIPTION = _l("Question banks, contests such as the good branch secretary contest, practice, "
                 "results and rankings.")
REQUIRES = ()
ENABLED_BY_DEFAULT = True
