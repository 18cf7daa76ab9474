"""Publishing behind the publishers' pages: safe text, state-secret stamps, attachments (kept and
checked by the file service, core.files), the changes with their history and audit, and the
events told after the commit.

Queries start from core.content.query; the callers call `announce`, then commit once."""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import nh3
from flask import current_app
from flask_babel import gettext as _

from core import files
from core.audit import audit
from core.content.models import Attachment, ContentItem, ContentRevision, Kind, Status
from core.content.search import index_text
from core.events import ContentChanged, ContentPublished, emit
from core.extensions import db
from core.org.models import Organisation, utcnow

DEFAULT_MAX_UPLOAD = 15 * 1024 * 1024

# The formatting a body may keep; nh3 drops everything else, hx-* and on* attributes included.
TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "blockquote", "a",
        "table", "thead", "tbody", "tr", "th", "td", "caption"}
ATTRIBUTES = {"a": {"href"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^>]*)?/?>")
_BLANK_LINES = re.compile(r"\n\s*\n")


class ContentError(ValueError):
    """A change refused for a reason shown on the form's `field`."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


# --- text -------------------------------------------------------------------------------------

def sanitise(markup: str | None) -> str:
    """Keep only the simple formatting of TAGS; links only to http(s) addresses."""
    return nh3.clean(markup or "", tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https"},
                     link_rel="noopener noreferrer nofollow")


def to_html(text: str | None) -> str | None:
    """What a publisher typed, as safe HTML: formatted text is sanitised; plain text becomes
    paragraphs (a blank line between them) with its line breaks kept."""
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n")).strip()
    if not text:
        return None
    if _TAG.search(text):
        return sanitise(text).strip() or None
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]
    return "".join("<p>" + html.escape(p, quote=False).replace("\n", "<br>") + "</p>" for p in paragraphs)


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


def editable_text(markup: str | None) -> str:
    """A body back in the form it was typed: plain paragraphs as plain text, else the HTML."""
    if not markup:
        return ""
    paragraphs = _PARAGRAPH.findall(markup)
    if "".join(f"<p>{p}</p>" for p in paragraphs) != markup or any(
            re.search(r"<(?!br>)", p) for p in paragraphs):
        return markup
    return "\n\n".join(html.unescape(p.replace("<br>", "\n")) for p in paragraphs)


def plain_text(markup: str | None) -> str:
    """The words of a body without its tags (for search and for short previews)."""
    spaced = re.sub(r"<(br|/p|/li|/h[23]|/tr|/blockquote)\s*/?>", " ", markup or "")
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())


def search_text(item: ContentItem) -> str:
    """What the library searches: the words of the title, number, issuer, summary and body,
    without diacritics (core.content.search decides what a word is)."""
    return index_text(item.title, item.number, item.issuer, item.summary, plain_text(item.body))


_SECRET_PHRASE = re.compile(r"\b(tối|tuyệt)\s+mật\b", re.I)
# "Mật" standing alone between brackets, dashes or colons, or at either end beside one: "(MẬT)",
# "Mật - Kế hoạch …", "12-KH/TU-MẬT". "Mật ong", "bí mật", "mật thiết" are words, not stamps.
_SECRET_ALONE = re.compile(r"(?:^|[(\[{«“\"'\-–—:|/])\s*mật\s*(?:$|[)\]}»”\"'\-–—:|/.,;])", re.I)
_UPPER_MAT = re.compile(r"(?<!\w)MẬT(?!\w)")
_BI = re.compile(r"(?<!\w)BÍ\s+$")


def has_secret_stamp(text: str | None) -> bool:
    """Does a title or number carry a state-secret stamp (Mật, Tối mật, Tuyệt mật)?"""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        return False
    if _SECRET_PHRASE.search(text) or _SECRET_ALONE.search(text):
        return True
    letters = [ch for ch in text if ch.isalpha()]
    shouting = sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)
    for match in _UPPER_MAT.finditer(text):
        if _BI.search(text[:match.start()]):
            continue  # "BÍ MẬT": the word "secret", as in "bảo vệ bí mật nhà nước"
        if not shouting:
            return True  # "MẬT" in capitals amid ordinary text is a stamp
        if match.start() == 0 or match.end() == len(text):
            return True  # an all-capitals title: only a "MẬT" at either end stands alone
    return False


def refuse_secrets(title: str | None, number: str | None) -> None:
    """State secrets may never be placed on a networked system (DESIGN.md): refuse the item."""
    for name, value in (("title", title), ("number", number)):
        if has_secret_stamp(value):
            raise ContentError(name, secret_message())


def secret_message() -> str:
    return _("Documents classified as state secrets (Mật, Tối mật, Tuyệt mật) may not be placed "
             "on a networked system. Please do not publish this document here.")


# --- the changes ------------------------------------------------------------------------------

NOW, LATER, DRAFT = "now", "later", "draft"


@dataclass
class ItemData:
    """What a publishing form holds; `when` is NOW, LATER (at `publish_at`, UTC) or DRAFT, or
    None to keep the item's state (a withdrawn item is edited without re-publishing it)."""

    org_id: int
    title: str
    summary: str | None = None
    body: str | None = None
    when: str | None = NOW
    publish_at: datetime | None = None
    number: str | None = None
    issuer: str | None = None
    issued_on: date | None = None
    level: str | None = None
    category: str | None = None


def is_visible(item: ContentItem) -> bool:
    """Do members see the item now (published, and its time has come)?"""
    return item.status == Status.PUBLISHED.value and (item.publish_at is None
                                                      or item.publish_at <= utcnow())


def state_of(item: ContentItem) -> str:
    """draft, scheduled, published or archived: what the publisher's list shows."""
    if item.status == Status.PUBLISHED.value and not is_visible(item):
        return "scheduled"
    return item.status


def _apply(item: ContentItem, data: ItemData) -> None:
    refuse_secrets(data.title, data.number)
    for name in ("org_id", "title", "number", "issuer", "issued_on", "level", "category"):
        setattr(item, name, getattr(data, name))
    item.summary = (data.summary or "").strip() or None
    item.body = to_html(data.body)
    if data.when == DRAFT:
        item.status = Status.DRAFT.value
    elif data.when == LATER:
        item.status, item.publish_at = Status.PUBLISHED.value, data.publish_at
    elif data.when == NOW and not is_visible(item):
        item.status, item.publish_at = Status.PUBLISHED.value, utcnow()
    item.search_text = search_text(item)


def create_item(kind: Kind, data: ItemData, user) -> ContentItem:
    """A new item of `kind` from `org_id` (the caller checked the user may publish there)."""
    item = ContentItem(kind=kind.value, created_by_id=user.id, version=1)
    _apply(item, data)
    db.session.add(item)
    db.session.flush()
    audit("content.publish", f"content:{item.id}", kind=item.kind, org=item.org_id,
          state=state_of(item))
    return item


def update_item(item: ContentItem, data: ItemData, user) -> ContentItem:
    """Save an edit; the text before it is kept as a revision and the version goes up."""
    db.session.add(ContentRevision(item_id=item.id, version=item.version, title=item.title,
                                   summary=item.summary, body=item.body, edited_by_id=user.id))
    item.version += 1
    item.updated_at = utcnow()
    _apply(item, data)
    audit("content.edit", f"content:{item.id}", version=item.version, state=state_of(item))
    return item


def withdraw(item: ContentItem) -> None:
    item.status = Status.ARCHIVED.value
    audit("content.withdraw", f"content:{item.id}")


def republish(item: ContentItem) -> None:
    """Put a withdrawn item back; it keeps its first publishing time unless that never came."""
    item.status = Status.PUBLISHED.value
    if item.publish_at is None or item.publish_at > utcnow():
        item.publish_at = utcnow()
    audit("content.republish", f"content:{item.id}")


def announce(item: ContentItem, was_visible: bool, actor_id: int) -> None:
    """Tell the plugins, once the caller commits, that an item became visible, changed or was
    withdrawn. A scheduled item is announced by the notify job when its time comes, not here."""
    province_id = db.session.get(Organisation, item.org_id).province_id
    visible = is_visible(item)
    if visible and not was_visible:
        emit(ContentPublished(province_id, actor_id, item.id, item.org_id, item.kind))
    elif was_visible:
        emit(ContentChanged(province_id, actor_id, item.id, item.org_id,
                            "edited" if visible else "withdrawn"))


# --- attachments ------------------------------------------------------------------------------

ACCEPT = ("pdf", "docx", "image")  # by their content; pictures re-encoded by the file service


def max_upload() -> int:
    return int(current_app.config.get("CONTENT_MAX_UPLOAD") or DEFAULT_MAX_UPLOAD)


def store_upload(upload, owner_id: int) -> files.StoredFile:
    """Keep an uploaded attachment (FileRejected, with the form's message, when it may not be
    one); it goes again if the transaction does not commit."""
    return files.save_upload(upload, namespace="content", accept=ACCEPT, max_bytes=max_upload(),
                             owner_id=owner_id)


def attach(item: ContentItem, stored: list[files.StoredFile]) -> None:
    """Record kept files as the attachments of `item`."""
    for kept in stored:
        db.session.add(Attachment(item_id=item.id, file=kept))


def remove_attachment(attachment: Attachment) -> None:
    """Remove an attachment; its file is deleted once the caller commits."""
    audit("content.file_removed", f"content:{attachment.item_id}", file=attachment.filename)
    stored = attachment.file
    db.session.delete(attachment)
    files.delete(stored)
