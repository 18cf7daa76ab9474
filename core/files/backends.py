"""Where the file service keeps bytes: a `Backend` interface and the local-disk backend.

An S3-compatible backend (MinIO, Ceph, a cloud bucket) would implement the same four methods:
`staging()` a local temporary folder (uploads are checked there before they are kept);
`put()` an upload of the finished file to `<bucket>/<prefix>/<namespace>/<key>` (multipart
for large ones), then the local file removed; `open()` the object as a seekable binary file
(ranged GETs, or a download spooled to a temporary file: zipfile and pypdf seek); `delete()`
a DeleteObject, a missing object being no error. Keys are random and never reused, so no
backend needs to overwrite. The database row (core.files.models) stays the source of truth."""
from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app

NAMESPACE = re.compile(r"[a-z_][a-z0-9_]{0,39}")
KEY = re.compile(r"[0-9a-f]{32}")


def check_name(namespace: str, key: str | None = None) -> None:
    """Refuse a namespace or key that could name anything but a file of ours (`..`, `/`)."""
    if not NAMESPACE.fullmatch(namespace or ""):
        raise ValueError(f"not a file namespace: {namespace!r}")
    if key is not None and not KEY.fullmatch(key or ""):
        raise ValueError("not a file key")


class Backend(ABC):
    """Keeps the bytes of stored files; the rows are the file service's business."""

    @abstractmethod
    def staging(self) -> Path:
        """A local folder for temporary files (on the same disk as the files, for a local
        backend, so that keeping a checked upload is a rename)."""

    @abstractmethod
    def put(self, namespace: str, key: str, source: Path) -> None:
        """Keep the finished local file `source` as (namespace, key); `source` is consumed."""

    @abstractmethod
    def open(self, namespace: str, key: str) -> BinaryIO:
        """The kept bytes as a seekable binary file; FileNotFoundError when they are gone."""

    @abstractmethod
    def delete(self, namespace: str, key: str) -> None:
        """Remove the kept bytes; bytes already gone are not an error."""


class LocalBackend(Backend):
    """Files under `root` (outside the web root), one folder per namespace, named by their
    random keys, written atomically (a reader never sees half a file), readable by this
    user only."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, namespace: str, key: str) -> Path:
        check_name(namespace, key)
        return self.root / namespace / key

    def staging(self) -> Path:
        folder = self.root / ".staging"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    def put(self, namespace: str, key: str, source: Path) -> None:
        target = self.path(namespace, key)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(source, "rb") as written:
            os.fsync(written.fileno())
        os.chmod(source, 0o600)
        os.replace(source, target)
        # The rename itself survives a power cut only once the folder is on disk too.
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def open(self, namespace: str, key: str) -> BinaryIO:
        return open(self.path(namespace, key), "rb")

    def delete(self, namespace: str, key: str) -> None:
        self.path(namespace, key).unlink(missing_ok=True)


def files_dir(app: Flask) -> Path:
    """FILES_DIR, else instance/files."""
    return Path(app.config.get("FILES_DIR") or Path(app.instance_path) / "files")


def backend() -> Backend:
    """This app's backend, made once per app."""
    app = current_app
    found = app.extensions.get("sotay.files")
    if found is None:
        found = app.extensions["sotay.files"] = LocalBackend(files_dir(app))
    return found
