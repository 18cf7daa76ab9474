"""The outbox: side effects recorded in the caller's transaction and carried out once it commits.

`emit(event)` adds a `core_outbox` row, `enqueue(...)` its `job_record` row (whose `dispatched`
flag has always been the jobs' outbox), to the caller's session. Neither is handed on before the
transaction commits, so a refused or failed request that rolls back tells nobody and starts
nothing; and both are rows in the database from the commit on, so a process that dies between
its commit and the dispatch loses nothing: `flask jobs tick` (and each worker as it starts)
queues the job records left undispatched (`core.jobs.flush_pending`) and delivers the events
left behind (`deliver_due`).

Where the dispatch happens: SQLAlchemy forbids SQL in its `after_commit` event, and delivering
writes (a listener's own rows, the row's removal). So the app's session class
(core/session.py, installed through Flask-SQLAlchemy's `session_options`) overrides `commit()`:
once `super().commit()` has returned, it calls `dispatch`. That holds wherever the commit is
made (a view, a job, a command, a test) with nothing to call at the end of a request or a job,
and a commit that fails dispatches nothing. A commit made while dispatching (by a listener, or
the delivery's own) only commits; the loop then picks up what it recorded. Recorded after the
caller's own commit, with nothing else to save in the transaction (how `emit` and `enqueue` were
always called until now), a record is saved and dispatched at once (`commit_if_alone`).

Delivering an event: each listener (each enabled plugin's `track_event`) runs in a transaction of
its own, committed together with the mark that it was delivered, so one that fails is rolled
back alone, logged, and neither stops the others nor fails the user's request; a listener marked
delivered is never called again for that event. A row with a failed listener is tried again by
the tick after a growing pause, at most MAX_ATTEMPTS times, then left as "failed" for an operator.
A row is leased while it is delivered (its `due_at` moves on), so a tick never delivers it at the
same time as the process that committed it; a fully delivered row is deleted."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, delete, inspect, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.events import Event, from_payload, to_payload
from core.extensions import db
from core.org.models import utcnow
from core.session import PENDING, WROTE

log = logging.getLogger(__name__)
DISPATCHING = "sotay.outbox.dispatching"
MAX_ATTEMPTS = 5
LEASE_SECONDS = 120  # OUTBOX_LEASE_SECONDS: how long a delivery in progress holds its row
BATCH = 200  # rows a tick delivers at most


class OutboxEntry(db.Model):
    """An event recorded by `emit`, until every listener has had it."""

    __tablename__ = "core_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(JSON)
    province_id: Mapped[int | None] = mapped_column(Integer)
    # "pending" until delivered (then deleted), "failed" after MAX_ATTEMPTS.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[list] = mapped_column(JSON, default=list)  # listeners that had it
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Not before: the lease of the delivery in progress, or the next try after a failure.
    due_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_core_outbox_due", "status", "due_at"),)


def lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("OUTBOX_LEASE_SECONDS", LEASE_SECONDS))


def backoff(attempts: int) -> timedelta:
    """The pause before try `attempts + 1`: 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** attempts)


def record_event(event: Event) -> OutboxEntry:
    """Add the event to the caller's transaction; it is delivered once that commits."""
    from core.plugins import host

    if host().events.get(event.name) is not type(event):
        raise LookupError(f"event {type(event).__name__} ({event.name!r}) is not declared: "
                          "return its class from register_events()")
    entry = OutboxEntry(name=event.name, payload=to_payload(event), province_id=event.province_id,
                        due_at=utcnow() + lease())
    db.session().record(entry, lambda row: _deliver(inspect(row).identity[0], event, [], 0))
    commit_if_alone()
    return entry


def commit_if_alone() -> None:
    """After a record: when the transaction holds nothing else to save (a call made after the
    caller's own commit), save it now, and so dispatch it at once."""
    session = db.session()
    recorded = {id(obj) for obj, _action in session.info.get(PENDING, ())}
    if session.dirty or session.deleted or any(id(obj) not in recorded for obj in session.new):
        return
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(WROTE) is transaction:
        return
    session.commit()


def dispatch(session) -> None:
    """Carry out what the transaction that just committed recorded (from Session.commit).

    OUTBOX_DISPATCH = False leaves it to the tick: what a process killed right after its
    commit leaves behind (the tests use it to prove that nothing is lost)."""
    if session.info.get(DISPATCHING):
        return  # a commit made while dispatching: the loop below picks up its records
    if not current_app.config.get("OUTBOX_DISPATCH", True):
        session.info.pop(PENDING, None)
        return
    session.info[DISPATCHING] = True
    try:
        while True:
            # Committed records are persistent; those a savepoint's rollback discarded are not.
            batch = [(obj, action) for obj, action in session.info.pop(PENDING, ())
                     if inspect(obj).persistent]
            if not batch:
                return
            for obj, action in batch:
                try:
                    action(obj)
                except Exception:  # saved already: the tick carries it out later
                    log.exception("%r left for the next tick", obj)
                    _rollback(session)
    finally:
        session.info.pop(DISPATCHING, None)


def _rollback(session) -> None:
    try:
        session.rollback()
    except Exception:  # the database itself is gone: the tick will find the row
        log.exception("rollback failed")


def _deliver(entry_id: int, event: Event, delivered: list[str], attempts: int) -> bool:
    """Hand `event` to each listener not yet `delivered`; True when all have had it."""
    from core.plugins import hook

    session = db.session()
    done, failed = list(delivered), []
    kwargs = {"event": event}
    for impl in hook("track_event", province_id=event.province_id).get_hookimpls():
        if impl.plugin_name in done:
            continue
        try:
            impl.function(*[kwargs[arg] for arg in impl.argnames])
            if session.has_writes():  # its rows and the mark, in one commit
                session.execute(update(OutboxEntry).where(OutboxEntry.id == entry_id)
                                .values(delivered=done + [impl.plugin_name]))
                session.commit()
        except Exception as exc:
            _rollback(session)
            failed.append(f"{impl.plugin_name}: {exc!r}")
            log.exception("track_event of %s failed on %r (try %s)", impl.plugin_name, event,
                          attempts + 1)
            continue
        done.append(impl.plugin_name)
    if not failed:
        session.execute(delete(OutboxEntry).where(OutboxEntry.id == entry_id))
    else:
        attempts += 1
        give_up = attempts >= MAX_ATTEMPTS
        if give_up:
            log.error("event %s (%s) given up after %s tries", entry_id, event.name, attempts)
        session.execute(update(OutboxEntry).where(OutboxEntry.id == entry_id).values(
            delivered=done, attempts=attempts, last_error="\n".join(failed)[:4000],
            status="failed" if give_up else "pending", due_at=utcnow() + backoff(attempts)))
    session.commit()
    return not failed


def deliver_due(now: datetime | None = None) -> int:
    """Deliver the events a crash or a failing listener left behind (from `flask jobs tick` and
    each worker as it starts); returns how many were delivered to every listener."""
    from core.plugins import host

    now = now or utcnow()
    ids = db.session.scalars(select(OutboxEntry.id).where(
        OutboxEntry.status == "pending", OutboxEntry.due_at <= now)
        .order_by(OutboxEntry.id).limit(BATCH)).all()
    db.session.commit()
    count = 0
    for entry_id in ids:
        # Leased in one statement: another tick, or the process that committed it, may hold it.
        claimed = db.session.execute(update(OutboxEntry).where(
            OutboxEntry.id == entry_id, OutboxEntry.status == "pending", OutboxEntry.due_at <= now)
            .values(due_at=now + lease()).execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if not claimed:
            continue
        entry = db.session.get(OutboxEntry, entry_id)
        cls = host().events.get(entry.name)
        try:
            if cls is None:
                raise LookupError(f"no event is named {entry.name!r} (its plugin is not loaded)")
            event = from_payload(cls, entry.payload)
        except (LookupError, TypeError, ValueError) as exc:
            log.error("event %s cannot be read back: %s", entry_id, exc)
            entry.status, entry.last_error = "failed", repr(exc)
            db.session.commit()
            continue
        try:
            count += _deliver(entry_id, event, list(entry.delivered or ()), entry.attempts)
        except Exception:  # the database went away mid-delivery: the lease runs out, then again
            log.exception("event %s not delivered", entry_id)
            _rollback(db.session)
    return count
