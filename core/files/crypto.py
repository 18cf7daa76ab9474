"""Encryption at rest for sensitive files: Fernet (AES-128-CBC + HMAC-SHA256, from the
maintained `cryptography` package) over 64 KiB chunks, so that a file is encrypted and
decrypted as a stream (a range request reads only the chunks it needs, memory stays small).

Layout on disk: MAGIC, then per chunk a 4-byte length and the raw Fernet token of
(8-byte chunk number, 1-byte "last chunk" flag, the chunk's bytes): chunks cannot be
reordered, dropped or cut short unnoticed. Every chunk but the last is full, so the chunk
holding any plaintext offset is found by arithmetic.

The key is FILES_KEY (the environment, or the config; several keys separated by commas rotate: the
first encrypts, all decrypt), else one generated once into instance/files.key (mode 0600).
It is never stored in the database; web processes and workers on other machines need the
same FILES_KEY."""
from __future__ import annotations

import base64
import io
import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

MAGIC = b"SOTAYF1\n"
CHUNK = 64 * 1024
_HEADER = struct.Struct(">QB")  # chunk number, last-chunk flag
_LENGTH = struct.Struct(">I")
# A Fernet token: version (1), time (8), IV (16), the AES-CBC ciphertext padded to 16, HMAC (32).
FULL_TOKEN = 57 + ((CHUNK + _HEADER.size) // 16 + 1) * 16


class DamagedFile(ValueError):
    """Stored bytes that do not decrypt: a wrong key, or a file changed on disk."""


def _keys() -> MultiFernet:
    app = current_app
    found = app.extensions.get("sotay.files.key")
    if found is None:
        raw = app.config.get("FILES_KEY") or _instance_key(
            Path(app.instance_path) / "files.key")
        found = MultiFernet([Fernet(k.strip()) for k in raw.split(",") if k.strip()])
        app.extensions["sotay.files.key"] = found
    return found


def _instance_key(path: Path) -> str:
    """The instance's key, made on first use; two processes starting at once agree on one."""
    if not path.exists():
        temp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(Fernet.generate_key().decode())
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)  # fails if another process made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    return path.read_text().strip()


def encrypt(source: BinaryIO, target: BinaryIO) -> None:
    """Write `source`'s bytes to `target`, encrypted chunk by chunk."""
    keys = _keys()
    target.write(MAGIC)
    number, block = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if len(block) == CHUNK else b""
        last = not following
        token = base64.urlsafe_b64decode(keys.encrypt(_HEADER.pack(number, last) + block))
        target.write(_LENGTH.pack(len(token)) + token)
        if last:
            return
        number, block = number + 1, following


class DecryptingReader(io.RawIOBase):
    """The plaintext of an encrypted file of `size` bytes, readable and seekable."""

    def __init__(self, raw: BinaryIO, size: int):
        self.raw, self.size, self.position = raw, size, 0
        self.keys = _keys()
        self.chunks = max(1, -(-size // CHUNK))
        self.cached: tuple[int, bytes] | None = None
        if raw.read(len(MAGIC)) != MAGIC:
            raise DamagedFile("not an encrypted file")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def _chunk(self, number: int) -> bytes:
        if self.cached and self.cached[0] == number:
            return self.cached[1]
        self.raw.seek(len(MAGIC) + number * (_LENGTH.size + FULL_TOKEN))
        length = _LENGTH.unpack(self.raw.read(_LENGTH.size) or b"\0\0\0\0")[0]
        token = self.raw.read(length)
        try:
            plain = self.keys.decrypt(base64.urlsafe_b64encode(token))
        except InvalidToken:
            raise DamagedFile("a chunk does not decrypt") from None
        found, last = _HEADER.unpack_from(plain)
        if found != number or bool(last) != (number == self.chunks - 1):
            raise DamagedFile("chunks out of order or missing")
        self.cached = number, plain[_HEADER.size:]
        return self.cached[1]

    def readinto(self, buffer) -> int:
        if self.position >= self.size:
            return 0
        number, offset = divmod(self.position, CHUNK)
        data = self._chunk(number)[offset:offset + len(buffer)]
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


def decrypting(raw: BinaryIO, size: int) -> BinaryIO:
    return io.BufferedReader(DecryptingReader(raw, size), buffer_size=CHUNK)
