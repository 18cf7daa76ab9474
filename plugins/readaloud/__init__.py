"""Read-aloud: every document, news item and announcement can be listened to in Vietnamese, even
over weak 3G (audio made when content is published, section by section, mono Opus at a low bit
rate). Metadata only: nothing happens at import time."""
from flask_babel import lazy_gettext as _l

TITLE = _l("Read aloud")
DESCRIPTION = _l("Members listen to documents, news and announcements instead of reading them; "
                 "the audio is made when they are published.")
REQUIRES = ()
ENABLED_BY_DEFAULT = True
