"""Typed events passed to the `track_event` hook once the transaction that caused them commits.

Every event class has a stable `name` ("org.moved"): the outbox (core.outbox) keeps an event as
its name and fields until it is delivered, and the registry (`host().events`: the core's
`core_events()` and the classes plugins return from `register_events`) turns the row back into
the class. A plugin's events are named after it ("meetings.held"); another plugin subscribes by
name (`if event.name == "meetings.held"`) and reads the fields, without importing it."""
from __future__ import annotations

import logging
import typing
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from typing import ClassVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base of every event: which province it happened in and who did it."""

    name: ClassVar[str] = ""
    province_id: int | None
    actor_id: int | None


@dataclass(frozen=True)
class UserLoggedIn(Event):
    name = "user.logged_in"
    user_id: int


@dataclass(frozen=True)
class MemberChanged(Event):
    """A member was added, edited, transferred or changed status (`change` says which); a
    transfer names where from and where to, a status change or transfer the date it took effect."""

    name = "member.changed"
    member_id: int
    change: str
    from_org_id: int | None = None
    to_org_id: int | None = None
    on_date: date | None = None


@dataclass(frozen=True)
class OrgChanged(Event):
    name = "org.changed"
    org_id: int
    change: str


@dataclass(frozen=True)
class OrgMoved(Event):
    """An organisation (with its whole subtree) now stands under another parent."""

    name = "org.moved"
    org_id: int
    from_parent_id: int | None
    to_parent_id: int


@dataclass(frozen=True)
class OrgsMerged(Event):
    """`source_id` was folded into `target_id` and closed; its members and units moved there."""

    name = "orgs.merged"
    source_id: int
    target_id: int
    members_moved: int


@dataclass(frozen=True)
class RoleGranted(Event):
    name = "role.granted"
    user_id: int
    org_id: int
    role: str


@dataclass(frozen=True)
class RoleRevoked(Event):
    name = "role.revoked"
    user_id: int
    org_id: int
    role: str


@dataclass(frozen=True)
class MembersImported(Event):
    """A member list was applied to `org_id`: `created` new members, `updated` changed ones."""

    name = "members.imported"
    org_id: int
    created: int
    updated: int
    batch_id: int | None = None  # the import batch (core.members.batches) that can be undone


@dataclass(frozen=True)
class PluginToggled(Event):
    name = "plugin.toggled"
    plugin: str
    enabled: bool


@dataclass(frozen=True)
class ContentPublished(Event):
    """An item became visible to members: published now, or its scheduled time came."""

    name = "content.published"
    item_id: int
    org_id: int
    kind: str


@dataclass(frozen=True)
class ContentChanged(Event):
    """A published item was edited (a new version) or withdrawn (`change` says which)."""

    name = "content.changed"
    item_id: int
    org_id: int
    change: str


def core_events() -> list[type[Event]]:
    return [UserLoggedIn, MemberChanged, OrgChanged, OrgMoved, OrgsMerged, RoleGranted, RoleRevoked,
            MembersImported, PluginToggled, ContentPublished, ContentChanged]


def registry(declared) -> dict[str, type[Event]]:
    """{name: class} of the core's events and those declared by (owner, classes) pairs; a
    plugin's names start with its own name and a dot, and no name is taken twice."""
    from core.plugins import CORE, CORE_MODULES

    found: dict[str, type[Event]] = {}
    for owner, classes in [(CORE, core_events()), *declared]:
        for cls in classes:
            if not (isinstance(cls, type) and issubclass(cls, Event) and is_dataclass(cls) and cls.name):
                raise RuntimeError(f"{owner}: {cls!r} is not an Event dataclass with a name")
            if owner != CORE and owner not in CORE_MODULES and not cls.name.startswith(owner + "."):
                raise RuntimeError(f"{owner}: event {cls.name!r} must be named {owner}.<something>")
            if cls.name in found and found[cls.name] is not cls:
                raise RuntimeError(f"{owner}: event name {cls.name!r} is already taken")
            found[cls.name] = cls
    return found


def to_payload(event: Event) -> dict:
    """The event's fields as JSON-ready values (dates and times as ISO text)."""
    return {f.name: _plain(getattr(event, f.name)) for f in fields(event)}


def from_payload(cls: type[Event], payload: dict) -> Event:
    """The event again, from what `to_payload` made; dates and times come back by the class's
    annotations. A field missing from an older row takes its default."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that does not resolve: take the values as stored
        hints = {}
    values = {}
    for f in fields(cls):
        if f.name in payload:
            values[f.name] = _typed(payload[f.name], hints.get(f.name))
    return cls(**values)


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _typed(value, hint):
    if not isinstance(value, str) or hint is None:
        return value
    kinds = typing.get_args(hint) or (hint,)
    if datetime in kinds:
        return datetime.fromisoformat(value)
    if date in kinds:
        return date.fromisoformat(value)
    return value


def emit(event: Event) -> None:
    """Tell every plugin enabled for the event's province once the caller's transaction commits.

    The event is recorded in that transaction (core.outbox): nothing is told if it rolls back,
    and nothing is lost if the process dies after the commit. Called after the caller's own
    commit (nothing else to save), it is saved and told at once. Each listener is called on its
    own: one that fails is logged and tried again later, and neither stops the others nor turns
    the user's request into an error."""
    from core.outbox import record_event

    record_event(event)
