"""The app's database session: Flask-SQLAlchemy's, plus what `core.outbox` needs of it.

`emit`, `enqueue` and the like record their work in the caller's transaction; it must be handed
on once that transaction has committed, and never if it rolls back. SQLAlchemy forbids SQL in its
`after_commit` event, and handing on writes (the outbox row is deleted, a listener saves its own
rows), so the place is `commit()` itself: once the database has committed, `commit()` dispatches
what the transaction recorded (`core.outbox.dispatch`). One place for views, jobs and commands
alike, with nothing to remember at the end of a request or a job. The session also notes whether
the current transaction wrote anything, so that a record made after the caller's own commit
(nothing else to save) can be saved and dispatched at once."""
from __future__ import annotations

import logging

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import inspect

log = logging.getLogger(__name__)
PENDING = "sotay.outbox.pending"  # (object, what to do with it) recorded in this session
WROTE = "sotay.outbox.wrote"  # the root transaction that flushed or ran a DML statement
_DML = ("INSERT", "UPDATE", "DELETE")


class Session(FlaskSession):
    """Installed through `SQLAlchemy(session_options={"class_": Session})` (core.extensions)."""

    def commit(self) -> None:
        super().commit()
        if self.info.get(PENDING):
            from core.outbox import dispatch

            dispatch(self)

    def rollback(self) -> None:
        super().rollback()
        self._forget_discarded()

    def close(self) -> None:
        self._warn_uncommitted()
        super().close()

    def reset(self) -> None:
        self._warn_uncommitted()
        super().reset()

    def flush(self, objects=None) -> None:
        changes = bool(self.new or self.deleted or self.dirty)
        super().flush(objects)
        if changes:
            self.info[WROTE] = self.get_transaction()

    def execute(self, statement, *args, **kwargs):
        result = super().execute(statement, *args, **kwargs)
        if getattr(statement, "is_dml", False) or (
                hasattr(statement, "text") and statement.text.lstrip()[:6].upper() in _DML):
            self.info[WROTE] = self.get_transaction()
        return result

    def has_writes(self) -> bool:
        """Has the transaction in progress anything to save (flushed or not yet)?"""
        transaction = self.get_transaction()
        wrote = transaction is not None and self.info.get(WROTE) is transaction
        return wrote or bool(self.new or self.deleted or self.dirty)

    def record(self, obj, action) -> None:
        """Add `obj` and call `action(obj)` once the transaction it is added in has committed."""
        self.add(obj)
        self.info.setdefault(PENDING, []).append((obj, action))

    def savepoint(self):
        """`begin_nested()`, made safe on SQLite: pysqlite opens its transaction only at the first
        write, so a SAVEPOINT issued before it would be the outermost one, and its RELEASE would
        commit at once what the caller might still roll back."""
        self.flush()
        connection = self.connection()
        if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN")
        return self.begin_nested()

    def _warn_uncommitted(self) -> None:
        """Records still waiting when the session ends were never committed: say so, since a
        view or job that forgot its commit would otherwise lose an event or a job in silence."""
        for obj, _action in self.info.pop(PENDING, ()):
            state = inspect(obj)
            if state.pending or (state.persistent and self.in_transaction()):
                log.warning("%s %r was recorded but never committed (no commit after it)",
                            type(obj).__name__, state.dict.get("name"))

    def _forget_discarded(self) -> None:
        """Drop what a rollback discarded (objects added in it are transient again)."""
        pending = self.info.get(PENDING)
        if pending:
            self.info[PENDING] = [(obj, action) for obj, action in pending if inspect(obj).persistent]
