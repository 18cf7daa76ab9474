"""Saving, opening, deleting and expiring stored files.

Files follow the database transaction they were saved or deleted in: a file saved in a
transaction that rolls back (or is never committed) is removed from the backend, and a
deleted file's bytes go only once its deletion commits. Callers commit as usual."""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Iterable

from flask_babel import gettext as _
from sqlalchemy import delete as delete_rows
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.files import crypto, images
from core.files.backends import backend, check_name
from core.files.kinds import (EXTENSIONS, KINDS, FileRejected, Received, clean_filename, human_size,
                              recognise)
from core.files.models import StoredFile
from core.org.models import utcnow

log = logging.getLogger(__name__)
BLOCK = 2 ** 16
IMAGE_MAX_PX = 1600  # enough to read a scanned page on a phone; far less to fetch over 3G
SWEEP_BATCH = 500
STAGING_HOURS = 24  # a temporary file older than this was left by a process that died


def save_upload(upload, *, namespace: str, accept: Iterable[str], max_bytes: int,
                sensitive: bool = False, retain: timedelta | None = None, owner_id: int | None = None,
                image_max_px: int = IMAGE_MAX_PX) -> StoredFile:
    """Check an uploaded file by its content and keep it; FileRejected (with the Vietnamese
    message for the form) when it is not one of the `accept`ed kinds, is empty, damaged, or
    larger than `max_bytes` (found while streaming: a huge upload is never read whole)."""
    accept = tuple(accept)
    check_name(namespace)
    if not accept or set(accept) - set(KINDS):
        raise ValueError(f"accept must name some of {KINDS}")
    stream = getattr(upload, "stream", upload)
    name = clean_filename(getattr(upload, "filename", None), "")
    staging = backend().staging()
    received = _receive(stream, staging, max_bytes, name)
    made = None
    try:
        with open(received, "rb") as f:
            head = f.read(4096)
        checked = Received(received, head, name, accept)
        if not head:
            raise checked.refuse("empty")
        kind, mimetype = recognise(checked)
        if kind == "image":
            made, mimetype = images.reencode(checked, image_max_px, staging)
        return _keep(made or received, namespace=namespace, mimetype=mimetype,
                     filename=clean_filename(getattr(upload, "filename", None), EXTENSIONS[mimetype]),
                     sensitive=sensitive, retain=retain, owner_id=owner_id)
    finally:
        for path in (received, made):
            if path is not None:
                path.unlink(missing_ok=True)


def save_bytes(data: bytes, *, namespace: str, filename: str, mimetype: str, sensitive: bool = False,
               retain: timedelta | None = None, owner_id: int | None = None) -> StoredFile:
    """Keep a file the app made itself (audio from a job, an export): no checks."""
    check_name(namespace)
    fd, temp = tempfile.mkstemp(dir=backend().staging(), prefix="app-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    try:
        return _keep(Path(temp), namespace=namespace, mimetype=mimetype,
                     filename=clean_filename(filename, ""), sensitive=sensitive, retain=retain,
                     owner_id=owner_id)
    finally:
        Path(temp).unlink(missing_ok=True)


def _receive(stream, staging: Path, limit: int, name: str) -> Path:
    """Copy the upload block by block into a temporary file, stopping past `limit` bytes."""
    fd, temp = tempfile.mkstemp(dir=staging, prefix="up-")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while block := stream.read(BLOCK):
                size += len(block)
                if size > limit:
                    raise FileRejected("too_large", _too_large(name, limit))
                out.write(block)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def _too_large(name: str, limit: int) -> str:
    return _("The file %(name)s is too large: at most %(size)s.", name=name, size=human_size(limit))


def _keep(path: Path, *, namespace: str, mimetype: str, filename: str, sensitive: bool,
          retain: timedelta | None, owner_id: int | None) -> StoredFile:
    """Hash the final bytes, encrypt them if sensitive, hand them to the backend, add the row."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
            size += len(block)
    store, key = backend(), secrets.token_hex(16)
    source = path
    if sensitive:
        fd, name = tempfile.mkstemp(dir=store.staging(), prefix="enc-")
        source = Path(name)
        with open(path, "rb") as plain, os.fdopen(fd, "wb") as out:
            crypto.encrypt(plain, out)
    try:
        store.put(namespace, key, source)
    finally:
        if source != path:
            source.unlink(missing_ok=True)
    _pending()["new"].append((store, namespace, key))
    now = utcnow()
    row = StoredFile(namespace=namespace, key=key, filename=filename[:255], mimetype=mimetype,
                     size=size, sha256=digest.hexdigest(), sensitive=sensitive,
                     owner_user_id=owner_id, created_at=now, expires_at=now + retain if retain else None)
    db.session.add(row)
    db.session.flush()
    return row


def get(file_id: int | None, namespace: str | None = None) -> StoredFile | None:
    """The stored file with this id (in `namespace`, when given), or None."""
    found = db.session.get(StoredFile, file_id) if file_id else None
    if found is None or (namespace is not None and found.namespace != namespace):
        return None
    return found


def open_file(stored: StoredFile) -> BinaryIO:
    """The file's bytes (decrypted if sensitive) as a seekable binary file; the caller closes
    it. FileNotFoundError when the bytes are gone."""
    raw = backend().open(stored.namespace, stored.key)
    return crypto.decrypting(raw, stored.size) if stored.sensitive else raw


def delete(stored: StoredFile) -> None:
    """Delete the row now, the bytes once the deletion commits (rows that refer to the file
    must go first, or carry ondelete="CASCADE"/"SET NULL")."""
    _pending()["gone"].append((backend(), stored.namespace, stored.key))
    db.session.delete(stored)


def sweep_files(namespace: str | None = None, now: datetime | None = None) -> int:
    """Delete every file whose `expires_at` has passed, bytes first (a crash leaves a row the
    next sweep deletes again, never bytes without a row); returns how many."""
    now = now or utcnow()
    store, count = backend(), 0
    while True:
        stmt = select(StoredFile).where(StoredFile.expires_at <= now).order_by(StoredFile.id)
        if namespace:
            stmt = stmt.where(StoredFile.namespace == namespace)
        rows = db.session.scalars(stmt.limit(SWEEP_BATCH)).all()
        for row in rows:
            store.delete(row.namespace, row.key)
        ids = [row.id for row in rows]
        try:
            db.session.execute(delete_rows(StoredFile).where(StoredFile.id.in_(ids)))
            db.session.commit()
        except IntegrityError:  # a row still refers to one of them without ondelete
            db.session.rollback()
            ids = _delete_one_by_one(ids)
        count += len(ids)
        if len(rows) < SWEEP_BATCH or not ids:
            break
    _clear_staging(store.staging())
    return count


def _delete_one_by_one(ids: list[int]) -> list[int]:
    deleted = []
    for file_id in ids:
        try:
            db.session.execute(delete_rows(StoredFile).where(StoredFile.id == file_id))
            db.session.commit()
            deleted.append(file_id)
        except IntegrityError:
            db.session.rollback()
            log.error("expired file %s is still referred to; its bytes were deleted", file_id)
    return deleted


def _clear_staging(folder: Path) -> None:
    cutoff = utcnow().timestamp() - STAGING_HOURS * 3600
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


def sweep_job(ctx) -> dict:
    """Job (hourly): delete expired files — imports after IMPORT_KEEP_HOURS, plugins' files
    after the retention they set."""
    return {"deleted": sweep_files()}


# --- files follow the transaction -------------------------------------------------------------

_STATE = "sotay.files"


def _pending() -> dict:
    """This session's files saved and deleted since its transaction began."""
    session = db.session()
    state = session.info.get(_STATE)
    if state is None:
        state = session.info[_STATE] = {"new": [], "gone": []}
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_transaction_end", _ended)
    return state


def _committed(session) -> None:
    state = session.info[_STATE]
    state["new"].clear()
    gone, state["gone"] = state["gone"], []
    for store, namespace, key in gone:
        _quietly(store.delete, namespace, key)


def _ended(session, transaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    state = session.info[_STATE]
    new, state["new"] = state["new"], []
    state["gone"].clear()  # not committed: the files stay
    for store, namespace, key in new:
        _quietly(store.delete, namespace, key)


def _quietly(action, *args) -> None:
    try:
        action(*args)
    except OSError as exc:  # the database already says what happened; a leftover is logged
        log.warning("file %s not deleted: %s", "/".join(args), exc)
