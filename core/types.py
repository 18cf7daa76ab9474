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
    icon: str = ""  # a name from core/icons.py, drawn on the home and management tiles


@dataclass(frozen=True)
class HomeCard:
    """A card on the home page: a title, short text or rendered HTML, and where it leads."""

    title: str
    url: str | None = None
    body: str = ""
    html: str | None = None  # already-escaped Markup from the plugin's own template
    weight: int = 100  # below 20: urgent (next meeting, unread notice), shown above the tiles
    badge: str | None = None
    icon: str = ""  # a name from core/icons.py


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
class PublishedAnswer:
    """A question answered and published by a level (the asker's name removed), offered to other
    plugins (the assistant quotes it) through `published_answers`."""

    question: str
    answer: str
    url: str
    source: str
    org_id: int | None = None


@dataclass(frozen=True)
class SpokenText:
    """Text a plugin's page offers to be read aloud that is not a library item (an assistant's
    answer, a survey's questions), returned by `spoken_text` to a user who may read it."""

    title: str
    text: str
    org_id: int | None = None  # whose read-aloud voice and speed it is spoken with


@dataclass(frozen=True)
class NotificationKind:
    """A kind of inbox notification a member may turn off on /inbox/prefs, unless it is
    `required` (a confidential meeting notice): then it always reaches them, and the page lists
    it as always on."""

    name: str
    title: str  # or a lazy translation
    default_on: bool = True
    required: bool = False
