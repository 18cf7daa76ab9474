"""Typed events passed to the `track_event` hook after the change that caused them commits."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base of every event: which province it happened in and who did it."""

    province_id: int | None
    actor_id: int | None


@dataclass(frozen=True)
class UserLoggedIn(Event):
    user_id: int


@dataclass(frozen=True)
class MemberChanged(Event):
    """A member was added, edited, transferred or changed status (`change` says which); a
    transfer names where from and where to, a status change or transfer the date it took effect."""

    member_id: int
    change: str
    from_org_id: int | None = None
    to_org_id: int | None = None
    on_date: date | None = None


@dataclass(frozen=True)
class OrgChanged(Event):
    org_id: int
    change: str


@dataclass(frozen=True)
class PluginToggled(Event):
    plugin: str
    enabled: bool


@dataclass(frozen=True)
class ContentPublished(Event):
    """An item became visible to members: published now, or its scheduled time came."""

    item_id: int
    org_id: int
    kind: str


@dataclass(frozen=True)
class ContentChanged(Event):
    """A published item was edited (a new version) or withdrawn (`change` says which)."""

    item_id: int
    org_id: int
    change: str


def emit(event: Event) -> None:
    """Tell every plugin enabled for the event's province; call only after committing.

    Each listener is called on its own: the change is already saved, so one failing plugin
    is logged and neither stops the others nor turns the user's request into an error."""
    from core.plugins import hook

    kwargs = {"event": event}
    for impl in hook("track_event", province_id=event.province_id).get_hookimpls():
        try:
            impl.function(*[kwargs[arg] for arg in impl.argnames])
        except Exception:
            log.exception("track_event of %s failed on %r", impl.plugin_name, event)
