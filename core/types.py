"""Dataclasses that cross the boundary between the core and plugins."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class NavLink:
    """A menu entry: `section` "main" (everyone's menu) or "manage" (the management menu)."""

    label: str
    url: str
    weight: int = 100
    section: str = "main"
    description: str = ""


@dataclass(frozen=True)
class HomeCard:
    """A card on the home page: a title, short text or rendered HTML, and where it leads."""

    title: str
    url: str | None = None
    body: str = ""
    html: str | None = None  # already-escaped Markup from the plugin's own template
    weight: int = 100
    badge: str | None = None


@dataclass(frozen=True)
class CalendarEntry:
    """A dated item in a member's personal calendar (a meeting, a task deadline)."""

    title: str
    starts_at: datetime
    url: str
    ends_at: datetime | None = None
    location: str = ""
    uid: str = ""


@dataclass(frozen=True)
class ReportSection:
    """A section of an organisation's report: figures and an optional alert."""

    title: str
    figures: dict[str, int | float | str] = field(default_factory=dict)
    alerts: tuple[str, ...] = ()
    weight: int = 100


@dataclass(frozen=True)
class Question:
    """A member's question handed from one plugin (the assistant) to another (feedback)."""

    text: str
    asker_id: int
    org_id: int
    source: str


@dataclass(frozen=True)
class NotificationKind:
    """A kind of inbox notification a member may turn off on /inbox/prefs."""

    name: str
    title: str  # or a lazy translation
    default_on: bool = True
