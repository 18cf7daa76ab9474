"""Where attachments' bytes live: a folder outside the web root, behind a small interface so
that S3-compatible object storage can replace it without touching the views."""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO

from flask import current_app

_KEY = re.compile(r"^[0-9a-f]{32}$")


class LocalStore:
    """Files named by random keys in one folder (instance/uploads by default)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        # Keys are ours, but a path built from a database value is checked all the same.
        if not _KEY.match(key):
            raise ValueError("not a storage key")
        return self.root / key

    def save(self, data: bytes) -> str:
        """Write `data` under a new random key and return the key."""
        self.root.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(16)
        target = self._path(key)
        partial = target.with_suffix(".part")
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(target)  # a reader never sees half a file
        return key

    def open(self, key: str) -> BinaryIO:
        """The stored bytes, as a file to stream (FileNotFoundError when gone)."""
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        """Remove a stored file; one already gone is not an error."""
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass


def store() -> LocalStore:
    """The store of this app: CONTENT_UPLOAD_DIR, else instance/uploads."""
    folder = current_app.config.get("CONTENT_UPLOAD_DIR") or os.path.join(current_app.instance_path,
                                                                          "uploads")
    return LocalStore(folder)
