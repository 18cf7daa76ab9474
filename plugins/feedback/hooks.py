"""Hook implementations of the feedback plugin (this module is what pluggy registers)."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core.api import (ADMIN, SECRETARY, HomeCard, Job, NavLink, NotificationKind, Permission, Setting,
                      db, has_any, hookimpl)
from plugins.feedback import demo as fb_demo
from plugins.feedback import drafts, faq, report, surveys, views  # noqa: F401 (they add their pages to the blueprint)
from plugins.feedback.access import ANSWER, MANAGE, desk_ids, own_user_id
from plugins.feedback.models import OPEN_STATES, FeedbackQuestion


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def hand_over_question(question):
    """File a question the assistant could not answer as the member's own, at their branch."""
    return faq.hand_over(question)


@hookimpl
def published_answers(text, user, limit):
    return faq.answers(text, user, limit)


@hookimpl
def spoken_text(key, user):
    """Published answers can be listened to (read-aloud, when it is on)."""
    if key.startswith("feedback:"):
        return faq.spoken(key.removeprefix("feedback:"), user)
    return None


@hookimpl
def report_sections(org, user):
    return report.sections(org)


@hookimpl
def seed_demo(demo):
    """Only for the full demo (`flask seed-demo`): the tests' database starts without questions."""
    if demo.content and not fb_demo.has_data():
        fb_demo.seed(demo)


@hookimpl
def register_permissions():
    return [Permission(ANSWER, _l("Receive, answer and pass up members' questions"), (ADMIN, SECRETARY)),
            Permission(MANAGE, _l("Run surveys and open drafts for comments"), (ADMIN,))]


@hookimpl
def register_jobs():
    return [Job("feedback.escalate", "plugins.feedback.jobs:escalate",
                title=_l("Move overdue questions up one level"), every=timedelta(hours=1))]


@hookimpl
def register_settings():
    return [Setting("feedback.deadline_days", _l("Days a level has to answer a question before it moves up"),
                    type="int", default=7, min=1, max=60, level="province")]


@hookimpl
def notification_kinds():
    return [NotificationKind("feedback.answered", _l("Answers to my questions")),
            NotificationKind("feedback.new", _l("Questions waiting for my answer"))]


@hookimpl
def menu_links(user):
    if not user.is_authenticated:
        return []
    links = []
    if own_user_id(user) is not None and user.home_org_id is not None:
        links.append(NavLink(_("Questions"), url_for("feedback.index"), weight=55, icon="question"))
    if user.home_org_id is not None:
        links.append(NavLink(_("Surveys"), url_for("feedback.surveys"), weight=56, icon="task"))
        links.append(NavLink(_("Comments on drafts"), url_for("feedback.drafts"), weight=57, icon="document"))
    if has_any(user, ANSWER):
        links.append(NavLink(_("Members' questions"), url_for("feedback.desk"), weight=55, icon="question",
                             section="manage"))
    return links


@hookimpl
def home_cards(user):
    if not user.is_authenticated:
        return []
    desks = desk_ids(user)
    if desks:
        waiting = db.session.scalar(select(func.count(FeedbackQuestion.id)).where(
            FeedbackQuestion.holder_org_id.in_(desks), FeedbackQuestion.status.in_(OPEN_STATES)))
        return [HomeCard(_("Members' questions"), url_for("feedback.desk"), weight=55, icon="question",
                         body=_("%(count)s question(s) waiting for an answer.", count=waiting))]
    if own_user_id(user) is None or user.home_org_id is None:
        return []
    return [HomeCard(_("Questions and opinions"), url_for("feedback.index"), weight=55, icon="question",
                     body=_("Send a question or an opinion to your committee."))]
