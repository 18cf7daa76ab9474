"""Hook implementations of the read-aloud plugin (this module is what pluggy registers)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.api import ContentChanged, ContentPublished, Job, Setting, enqueue, hookimpl
import plugins.readaloud.models  # noqa: F401  (the tables, for migrations)
from plugins.readaloud.speech import DEFAULT_RATE

ENGINE_CHOICES = (("espeak", _l("espeak-ng (installed with the system)")),
                  ("viettts", _l("vietTTS (natural voice, needs its model files)")))
VOICE_CHOICES = (("vi", _l("Northern voice")), ("vi-vn-x-central", _l("Central voice")),
                 ("vi-vn-x-south", _l("Southern voice")), ("infore", _l("Female voice (InfoRe, vietTTS)")))


@hookimpl
def register_commands():
    from plugins.readaloud.cli import cli

    return [cli]


@hookimpl
def register_settings():
    return [Setting("readaloud.engine", _l("Speech engine for read-aloud"), type="choice", default="espeak",
                    choices=ENGINE_CHOICES),
            Setting("readaloud.voice", _l("Read-aloud voice"), type="choice", default="vi", choices=VOICE_CHOICES),
            Setting("readaloud.rate", _l("Reading speed (words per minute)"), type="int", default=DEFAULT_RATE,
                    min=90, max=220)]


@hookimpl
def register_jobs():
    return [Job("readaloud.make", "plugins.readaloud.jobs:make", title=_l("Make the read-aloud audio"))]


@hookimpl
def track_event(event):
    """Published or changed content gets its audio, once per text version (the job finds a reading made)."""
    if isinstance(event, (ContentPublished, ContentChanged)):
        enqueue("readaloud.make", province_id=event.province_id, item_id=event.item_id)
