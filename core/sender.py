"""Text messages (SMS, Zalo) to members' phones through a pluggable backend.

MESSAGE_SENDER in the config names it: "log" (the default) only writes to the log; any other
value is "package.module:attribute", an object or class with `send(message) -> bool`."""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Protocol

from flask import current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One text to one phone; `text` may hold a secret (a code), so it is never logged."""

    phone: str
    text: str


class Sender(Protocol):
    def send(self, message: Message) -> bool: ...


class LogSender:
    """Writes only who would get a message: the text may carry a one-time code."""

    def send(self, message: Message) -> bool:
        log.info("would send SMS to %s", message.phone)
        return True


def sender() -> Sender:
    """The deployment's sender, built once per app."""
    cache = current_app.extensions.setdefault("sotay.sender", {})
    name = current_app.config.get("MESSAGE_SENDER") or "log"
    if name not in cache:
        cache[name] = LogSender() if name == "log" else _load(name)
    return cache[name]


def _load(path: str) -> Sender:
    module, _, attribute = path.partition(":")
    target = getattr(importlib.import_module(module), attribute or "sender")
    return target() if isinstance(target, type) else target


def send_text(phone: str | None, text: str) -> bool:
    """Send `text` to `phone`; a failing backend is logged, never an error for the user."""
    if not phone:
        return False
    try:
        return bool(sender().send(Message(phone, text)))
    except Exception:  # an SMS gateway being down must not break handing over the code
        log.exception("message sender failed for %s", phone)
        return False
