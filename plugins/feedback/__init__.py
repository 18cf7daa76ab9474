"""Members' questions and opinions, routed up the tree (branch, grassroots, district, province)
until a level answers; deadline escalation; published answers; surveys and comments on drafts.
Metadata only: nothing happens at import time."""
from flask_babel import lazy_gettext as _l

TITLE = _l("Questions and opinions")
DESCRIPTION = _l("Members send questions and opinions to their committees; each level answers "
                 "or passes them up; answers can be published for everyone.")
REQUIRES = ()
ENABLED_BY_DEFAULT = True
