"""Hook implementations of the read-aloud plugin (this module is what pluggy registers)."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from core.api import (ADMIN, ContentChanged, ContentItem, ContentPublished, Job, Permission, Setting, db,
                      hookimpl)
import plugins.readaloud.models  # noqa: F401  (the tables, for migrations)
from plugins.readaloud.access import MANAGE
from plugins.readaloud.speech import DEFAULT_RATE

ENGINE_CHOICES = (("espeak", _l("espeak-ng (installed with the system)")),
                  ("viettts", _l("vietTTS (natural voice, needs its model files)")))
VOICE_CHOICES = (("vi", _l("Northern voice")), ("vi-vn-x-central", _l("Central voice")),
                 ("vi-vn-x-south", _l("Southern voice")), ("infore", _l("Female voice (InfoRe, vietTTS)")))


@hookimpl
def register_blueprints():
    from plugins.readaloud import admin, spoken, views  # noqa: F401  (admin and spoken add their pages)

    return [views.bp]


@hookimpl
def register_permissions():
    return [Permission(MANAGE, _l("Choose the read-aloud voice, follow its queue and have audio made again"),
                       (ADMIN,), top_only=True)]


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
    return [Job("readaloud.make", "plugins.readaloud.jobs:make", title=_l("Make the read-aloud audio")),
            Job("readaloud.retry", "plugins.readaloud.jobs:retry", title=_l("Trying the failed read-aloud audio again"),
                every=timedelta(minutes=5))]


@hookimpl
def track_event(event):
    """Published or changed content gets its audio, once per text version (the job finds a reading
    made); the publisher follows the job on /jobs/."""
    if isinstance(event, (ContentPublished, ContentChanged)):
        from plugins.readaloud.jobs import ask_for

        item = db.session.get(ContentItem, event.item_id)
        if item is not None:
            ask_for(item, user_id=event.actor_id, province_id=event.province_id)


@hookimpl
def page_slot(slot, user, context):
    """"Nghe" beside an item any page shows (the core's item page, another plugin's material), or
    beside another plugin's text that is not an item (`spoken=KEY`, through `spoken_text`)."""
    if slot != "content_actions":
        return None
    from flask import render_template
    from markupsafe import Markup

    key = context.get("spoken")
    if isinstance(key, str):
        from core.api import spoken_text_for

        found = spoken_text_for(key, user) if getattr(user, "is_authenticated", False) else None
        return Markup(render_template("readaloud/_say.html", key=key, title=found.title)) if found else None
    item = context.get("item")
    if not isinstance(item, ContentItem):
        return None

    from plugins.readaloud.access import may_listen

    if not may_listen(user, item):
        return None
    return Markup(render_template("readaloud/_listen.html", item=item))


@hookimpl
def menu_links(user):
    """The province administrator's read-aloud page, on the management page."""
    from flask import url_for
    from flask_babel import gettext as _

    from core.api import NavLink, has_any

    if not getattr(user, "is_authenticated", False) or not has_any(user, MANAGE):
        return []
    return [NavLink(_("Read aloud"), url_for("readaloud.admin"), weight=70, section="manage", icon="settings",
                    description=_("Voice, sample, queue and failures of read-aloud"))]


@hookimpl
def seed_demo(demo):
    """Audio for a few of the demo province's newest items, so `./sotay run` shows it working."""
    if demo.content:
        from plugins.readaloud.demo import seed

        seed(demo)
