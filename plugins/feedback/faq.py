"""Published answers: a level publishes a question and its answer, the asker's name removed, to
the frequent questions of everyone below it; members search them without typing diacritics."""
from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from core.api import (PublishedAnswer, SpokenText, User, already_done, commit_keyed, db, fold, get_visible, is_id,
                      new_idempotency_key, paginate, publishing_ids, render, scope_ids)
from plugins.feedback.access import ANSWER, desk_ids, readable_question
from plugins.feedback.forms import PublishForm
from plugins.feedback.models import ANSWERED, CLOSED, FeedbackFaq, FeedbackReach
from plugins.feedback.views import answer_of, bp

_WORD = re.compile(r"\w+")


def without_name(text: str, name: str | None) -> str:
    """The text with the asker's name taken out wherever it appears (any case)."""
    if not name:
        return text
    return re.sub(re.escape(name), "…", text, flags=re.IGNORECASE)


def _visible(user=None):
    """The published answers the user may read: from their branch and the levels above it, and
    (for staff) from the part of the tree they answer for."""
    user = current_user if user is None else user
    return select(FeedbackFaq).where(or_(FeedbackFaq.org_id.in_(publishing_ids(user)),
                                         FeedbackFaq.org_id.in_(scope_ids(user, ANSWER))))


def answers(text: str, user, limit: int) -> list[PublishedAnswer]:
    """Published answers matching `text` for another plugin (the `published_answers` hook)."""
    words = _WORD.findall(fold(text))
    if not words or not getattr(user, "is_authenticated", False):
        return []
    # Every word typed (at most 8) must appear; then the shorter, newer answers first.
    stmt = search(_visible(user), text).order_by(FeedbackFaq.created_at.desc(), FeedbackFaq.id.desc())
    return [PublishedAnswer(item.question_text, item.answer_text, f"/feedback/faq/{item.id}", "feedback", item.org_id)
            for item in db.session.scalars(stmt.limit(max(1, min(limit, 20))))]


def spoken(key: str, user) -> SpokenText | None:
    """A published question and answer for read-aloud (`spoken_text`, key "feedback:faq:<id>"),
    to those who may read it."""
    kind, _sep, ident = key.partition(":")
    if kind != "faq" or not ident.isdigit() or not is_id(int(ident)) or not getattr(user, "is_authenticated", False):
        return None
    item = db.session.scalar(_visible(user).where(FeedbackFaq.id == int(ident)))
    if item is None:
        return None
    return SpokenText(title=item.topic, text=f"{_('Question')}: {item.question_text}\n{_('Answer')}: {item.answer_text}",
                      org_id=item.org_id)


def search(stmt, q: str):
    for word in _WORD.findall(fold(q))[:8]:
        stmt = stmt.where(FeedbackFaq.search_text.contains(word, autoescape=True))
    return stmt


@bp.get("/faq")
@login_required
def faq():
    """Frequent questions with their answers, searchable without diacritics."""
    q = (request.args.get("q") or "").strip()[:200]
    page = paginate(search(_visible(), q).order_by(FeedbackFaq.created_at.desc(), FeedbackFaq.id.desc()))
    return render("feedback/faq.html", page=page, q=q)


@bp.get("/faq/<int:faq_id>")
@login_required
def faq_item(faq_id: int):
    """One published question and its answer."""
    item = db.session.scalar(_visible().where(FeedbackFaq.id == faq_id))
    if item is None:
        get_visible(FeedbackFaq, faq_id, current_user)  # 404 with the audit entry
    return render("feedback/faq_item.html", item=item)


def _publish_org(question) -> int | None:
    """The level that publishes: the user's desk that the question reached, the highest first."""
    reached = set(db.session.scalars(select(FeedbackReach.org_id).where(
        FeedbackReach.question_id == question.id)))
    desks = [d for d in desk_ids(current_user) if d in reached]
    return desks[0] if desks else None


@bp.route("/<int:question_id>/publish", methods=["GET", "POST"])
@login_required
def publish(question_id: int):
    """A level publishes an answered question, the asker's name removed."""
    question = readable_question(question_id, current_user)
    given = answer_of(question)
    org_id = _publish_org(question)
    if org_id is None:
        readable_question(-1, current_user)  # 404: only a level it reached publishes it
    if given is None or question.status not in (ANSWERED, CLOSED):
        flash(_("Only a question that has been answered can be published."), "error")
        return render("feedback/publish.html", form=None, question=question, status=409, private=True)
    form = PublishForm()
    if request.method == "POST":
        done = already_done(form.idempotency_key.data)
        if done:
            return done
        if form.validate():
            asker = db.session.get(User, question.asker_id) if question.asker_id else None
            name = asker.display_name if asker else None
            text = without_name(form.question_text.data.strip(), name)
            answer_text = without_name(form.answer_text.data.strip(), name)
            item = FeedbackFaq(org_id=org_id, question_id=question.id, topic=form.topic.data.strip(),
                               question_text=text, answer_text=answer_text,
                               search_text=fold(f"{form.topic.data} {text} {answer_text}"),
                               published_by_id=current_user.id)
            db.session.add(item)
            db.session.flush()
            location = url_for(".faq_item", faq_id=item.id)
            if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
                return earlier
            flash(_("Published among the frequent questions."), "success")
            return redirect(location)
    else:
        asker = db.session.get(User, question.asker_id) if question.asker_id else None
        name = asker.display_name if asker else None
        form.topic.data = question.topic
        form.question_text.data = without_name(question.text, name)
        form.answer_text.data = without_name(given.text, name)
        form.idempotency_key.data = new_idempotency_key()
    return render("feedback/publish.html", form=form, question=question,
                  status=400 if form.errors else 200, private=True)


def hand_over(question) -> str | None:
    """File a `Question` handed over by another plugin as the member's question (name not shown
    above the branch: the member did not choose), and return where to follow it."""
    from plugins.feedback import routing

    asker = db.session.get(User, question.asker_id)
    text = (question.text or "").strip()
    if asker is None or asker.is_helper or asker.member_id is None or not text:
        return None
    org_id = asker.home_org_id or question.org_id
    if org_id is None:
        return None
    topic = text.splitlines()[0][:80] or _("Question")
    filed = routing.send(asker_id=asker.id, org_id=org_id, topic=topic, text=text[:20_000],
                         source=question.source[:40] or "handover")
    db.session.commit()
    return routing.question_url(filed)  # a plain path: the hook may be called outside a request
