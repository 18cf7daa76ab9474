"""The inbox's public helpers: `notify` for the core and plugins, and what a user's inbox holds.

A notification is one row, addressed to a person (user_id) or to an organisation (org_id), which
reaches everyone whose branch lies in that organisation's subtree: a province-wide document is
one row, not 100,000. Who sees it is decided when reading, by the closure table."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app, g, has_app_context, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, exists, func, insert, literal, or_, select, union_all
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.notify.models import Notification, NotificationPreference, NotificationRead
from core.org.models import OrgClosure, utcnow
from core.types import NotificationKind

NEW_DOCUMENT, NEW_NEWS, ANNOUNCEMENT, DIGEST = "new_document", "new_news", "announcement", "digest"
# Not shown in the inbox: a member's choice to get the weekly digest as a text message too.
DIGEST_SMS = "digest_sms"
# Older notifications stay in the inbox but no longer count as new.
NEW_DAYS = 30


def core_kinds() -> list[NotificationKind]:
    return [NotificationKind(NEW_DOCUMENT, _l("New documents")),
            NotificationKind(NEW_NEWS, _l("News")),
            NotificationKind(ANNOUNCEMENT, _l("Announcements from the committees")),
            NotificationKind(DIGEST, _l("The weekly summary of new documents")),
            NotificationKind(DIGEST_SMS, _l("The weekly summary by text message too"), default_on=False)]


def notify(kind: str, title: str, url: str | None = None, body: str | None = None,
           user_id: int | None = None, org_id: int | None = None,
           dedupe_key: str | None = None) -> Notification:
    """Add a notification for one person (user_id) or a whole subtree (org_id) to the caller's
    transaction (the caller commits: it is saved, or rolled back, with the change it tells of).

    With `dedupe_key`, a second call with the same key (a job run twice) returns the first
    notification and adds nothing; a concurrent run that saved the same key a moment ago is
    caught by a SAVEPOINT, leaving the rest of the caller's transaction as it was."""
    if (user_id is None) == (org_id is None):
        raise ValueError("a notification goes to exactly one of user_id or org_id")
    note = Notification(kind=kind, title=title[:500], url=url, body=body, user_id=user_id,
                        org_id=org_id, dedupe_key=dedupe_key)
    if not dedupe_key:
        db.session.add(note)
        return note
    found = _by_key(dedupe_key)
    if found is not None:
        return found
    try:
        with db.session().savepoint():
            db.session.add(note)
    except IntegrityError:  # the same key committed by a concurrent run a moment ago
        found = _by_key(dedupe_key)
        if found is None:
            raise
        return found
    return note


def notify_audience(kind: str, title: str, audience, url: str | None = None, body: str | None = None,
                    dedupe_key: str | None = None) -> int:
    """Notify everyone an `Audience` addresses, in the caller's transaction; how many rows.

    A whole-subtree audience is one row per organisation (read by everyone below it); a
    narrower one (secretaries only, official members, named people) is one row per account,
    inserted in bulk. With `dedupe_key`, a second call (a job run twice) adds nothing."""
    if audience.whole_subtrees:
        for org_id in audience.org_ids:
            notify(kind, title, url=url, body=body, org_id=org_id,
                   dedupe_key=f"{dedupe_key}:o{org_id}" if dedupe_key else None)
        return len(audience.org_ids)
    users = list(db.session.scalars(audience.users()))
    keys = {uid: f"{dedupe_key}:u{uid}"[:200] if dedupe_key else None for uid in users}
    if dedupe_key:
        done = set(db.session.scalars(select(Notification.dedupe_key).where(
            Notification.dedupe_key.in_([k for k in keys.values()]))))
        users = [uid for uid in users if keys[uid] not in done]
    now = utcnow()
    rows = [{"kind": kind, "title": title[:500], "url": url, "body": body, "user_id": uid,
             "org_id": None, "dedupe_key": keys[uid], "created_at": now} for uid in users]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Notification), rows[start:start + 5000])
    return len(rows)


def _by_key(dedupe_key: str) -> Notification | None:
    return db.session.scalar(select(Notification).where(Notification.dedupe_key == dedupe_key))


def kinds_for(province_id: int | None) -> list[NotificationKind]:
    """The kinds of the core and of the plugins enabled for the province, by name, once each."""
    from core.plugins import collect

    seen: dict[str, NotificationKind] = {}
    for kind in collect("notification_kinds", province_id):
        seen.setdefault(kind.name, kind)
    return list(seen.values())


def _province(user) -> int | None:
    from core.plugins import current_province_id, province_of

    return current_province_id() if has_request_context() else province_of(user)


@dataclass(frozen=True)
class Choice:
    """One kind on the preferences page, with what the user chose (or its default)."""

    kind: NotificationKind
    enabled: bool


def choices(user) -> list[Choice]:
    chosen = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.enabled)
                                     .where(NotificationPreference.user_id == user.id)).all())
    return [Choice(kind, kind.required or chosen.get(kind.name, kind.default_on))
            for kind in kinds_for(_province(user))]


def save_choices(user, enabled: set[str]) -> None:
    """Store the choice for every kind offered (ticked: on; not ticked: off); a required kind
    cannot be turned off."""
    for kind in kinds_for(_province(user)):
        if kind.required:
            continue
        row = db.session.get(NotificationPreference, (user.id, kind.name))
        if row is None:
            row = NotificationPreference(user_id=user.id, kind=kind.name)
            db.session.add(row)
        row.enabled = kind.name in enabled
    db.session.commit()


def _chosen(enabled: bool):
    """The kinds the user turned on (or off): an uncorrelated subquery, evaluated once."""
    return select(NotificationPreference.kind).where(NotificationPreference.user_id == bindparam("uid"),
                                                     NotificationPreference.enabled.is_(enabled))


def _addressed(*extra):
    """The ids of the user's notifications as two selects, each on its own index: personal ones
    by user_id, and those of the organisations above the user's branch through the closure table
    (one OR of the two leaves PostgreSQL no index to use). Of a kind of an enabled feature the
    user did not turn off, or of one off by default that they turned on, or of a required kind."""
    wanted = or_(Notification.kind.in_(bindparam("must", expanding=True)),
                 and_(Notification.kind.in_(bindparam("on", expanding=True)),
                      Notification.kind.not_in(_chosen(False))),
                 and_(Notification.kind.in_(bindparam("off", expanding=True)),
                      Notification.kind.in_(_chosen(True))))
    common = (Notification.created_at >= bindparam("start"), wanted, *extra)
    personal = select(Notification.id).where(Notification.user_id == bindparam("uid"), *common)
    above = (select(Notification.id).join(OrgClosure, OrgClosure.ancestor_id == Notification.org_id)
             .where(OrgClosure.descendant_id == bindparam("home"), *common))
    return union_all(personal, above)


# Built once: building a statement costs SQLAlchemy more than the database takes to run it, and
# the count runs on every page.
@lru_cache(maxsize=1)
def _inbox_ids():
    return _addressed()


@lru_cache(maxsize=1)
def _count_statement():
    return select(func.count()).select_from(_addressed(~_read_by(bindparam("uid"))).subquery())


def _params(user, since: datetime | None = None) -> dict:
    """Addressed to `user` or above their branch, since their account exists (or `since`, if later)."""
    kinds = [k for k in kinds_for(_province(user)) if k.name != DIGEST_SMS]
    return {"uid": user.id, "home": user.home_org_id, "must": [k.name for k in kinds if k.required],
            "on": [k.name for k in kinds if k.default_on and not k.required],
            "off": [k.name for k in kinds if not k.default_on and not k.required],
            "start": max(user.created_at, since) if since else user.created_at}


def visible(user, since: datetime | None = None):
    """The WHERE clause of `user`'s inbox (see `_addressed`), its parameters bound."""
    return Notification.id.in_(_inbox_ids().params(**_params(user, since)))


def new_since() -> datetime:
    """Notifications older than this no longer count as new (nor in the menu's count): the
    count then costs the same after three years of use as after three weeks."""
    days = current_app.config.get("INBOX_NEW_DAYS", NEW_DAYS) if has_app_context() else NEW_DAYS
    return utcnow() - timedelta(days=days)


def _read_by(user_id):
    return exists().where(NotificationRead.user_id == user_id,
                          NotificationRead.notification_id == Notification.id)


def unread_count(user) -> int:
    """Unread recent notifications of `user`: one indexed COUNT, remembered for the request."""
    cache = g.setdefault("_sotay_unread", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = db.session.scalar(_count_statement(), _params(user, new_since())) or 0
    return cache[user.id]


def inbox(user):
    """The statement of `user`'s inbox, newest first (paginate it)."""
    return select(Notification).where(visible(user)).order_by(Notification.created_at.desc(),
                                                              Notification.id.desc())


def read_ids(user, ids: list[int]) -> set[int]:
    """Which of these notifications `user` has read."""
    if not ids:
        return set()
    return set(db.session.scalars(select(NotificationRead.notification_id).where(
        NotificationRead.user_id == user.id, NotificationRead.notification_id.in_(ids))))


def unread_among(user, notes: list[Notification]) -> set[int]:
    """The ids among `notes` shown as unread: recent, and not read by `user`."""
    since = new_since()
    read = read_ids(user, [note.id for note in notes])
    return {note.id for note in notes if note.id not in read and note.created_at >= since}


def open_for(user, notification_id: int) -> Notification | None:
    """The notification if `user` may see it, marked read; None otherwise."""
    note = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        visible(user)))
    if note is None:
        return None
    if notification_id not in read_ids(user, [notification_id]):
        db.session.add(NotificationRead(user_id=user.id, notification_id=note.id))
        try:
            db.session.commit()
        except IntegrityError:  # the same tap arrived twice
            db.session.rollback()
    return note


def mark_all_read(user) -> int:
    """Mark everything new in `user`'s inbox read: one INSERT … SELECT."""
    source = select(literal(user.id), Notification.id, literal(utcnow())).where(
        visible(user, new_since()), ~_read_by(user.id))
    result = db.session.execute(insert(NotificationRead).from_select(
        ["user_id", "notification_id", "read_at"], source))
    db.session.commit()
    return result.rowcount or 0
