"""News from the provincial Party portal, imported from its RSS/Atom feed on a schedule.

The fetch is careful because an administrator types the address: http(s) only, a time limit
for the whole download, a size limit, at most three redirects, and (unless the deployment
allows it) no addresses inside the server's own network. Each host is looked up once and the
connection goes to the very address that was checked (a second lookup could answer otherwise:
DNS rebinding); an IPv6 address carrying an IPv4 one (IPv4-mapped or -compatible, NAT64, 6to4,
Teredo) is judged by the IPv4 address it carries. Proxies from the environment are not used. Entries are de-duplicated per
province by their id (or link), their text sanitised, and each credited to its source: the item
page shows `source_name` ("Nguồn: Cổng TTĐT Đảng bộ tỉnh") and links to `source_url`."""
from __future__ import annotations

import calendar
import html
import http.client
import ipaddress
import logging
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import feedparser
import nh3
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.content.models import ContentItem, FeedSource, Kind, Status
from core.events import ContentPublished, emit
from core.extensions import db
from core.jobs import JobContext
from core.org.models import Level, Organisation, utcnow
from core.org.scope import granted_org_ids
from core.text import fold

log = logging.getLogger(__name__)
PUBLISH = "content.publish"
MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3
BASIC_TAGS = {"p", "br", "b", "strong", "i", "em", "ul", "ol", "li"}


class FeedError(Exception):
    """Why a feed could not be read, in words an administrator understands (translated)."""


@dataclass(frozen=True)
class Entry:
    external_id: str
    title: str
    link: str | None
    summary: str  # plain text
    body: str  # sanitised HTML: basic text only
    published: datetime | None


def check_url(url: str) -> str | None:
    """Why `url` cannot be a feed address (a message), or None when it can."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Give a web address starting with http:// or https://.")
    return None


NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: a network's own translator


def embedded_ipv4(ip) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to, by every standard way of carrying one."""
    if ip.version == 4:
        return []
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip.teredo:
        return list(ip.teredo)
    if ip in NAT64 or ip in NAT64_LOCAL:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if int(ip) >> 32 == 0 and int(ip) > 1:  # IPv4-compatible ::a.b.c.d (not :: nor ::1)
        return [ipaddress.IPv4Address(int(ip))]
    return []


def is_public(address: str) -> bool:
    """Is `address` on the public internet (judged by the IPv4 address it carries, if any)?"""
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip in NAT64_LOCAL:
        return False
    carried = embedded_ipv4(ip)
    return all(v4.is_global for v4 in carried) if carried else ip.is_global


def resolve(host: str, port: int, allow_private: bool) -> str:
    """The one address to connect to: looked up once, every answer checked."""
    try:
        addresses = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    except (OSError, UnicodeError):
        raise FeedError(_("The address of the feed could not be found.")) from None
    if not addresses:
        raise FeedError(_("The address of the feed could not be found."))
    if not allow_private and not all(is_public(a) for a in addresses):
        raise FeedError(_("This address is not on the public internet."))
    return addresses[0]


def _pinned(connection_class, allow_private: bool):
    """A connection class whose connections go to the checked address of their host (TLS
    still checks the certificate against the host's name)."""
    def connect_to(host, **kwargs):
        connection = connection_class(host, **kwargs)
        address = resolve(connection.host, connection.port, allow_private)

        def create_connection(where, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
            return socket.create_connection((address, where[1]), timeout, source_address)

        connection._create_connection = create_connection
        return connection
    return connect_to


class _PinnedHTTP(urllib.request.HTTPHandler):
    def __init__(self, allow_private: bool):
        super().__init__()
        self.allow_private = allow_private

    def http_open(self, req):
        return self.do_open(_pinned(http.client.HTTPConnection, self.allow_private), req)


class _PinnedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, allow_private: bool):
        super().__init__()
        self.allow_private = allow_private

    def https_open(self, req):
        return self.do_open(_pinned(http.client.HTTPSConnection, self.allow_private), req,
                            context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if check_url(newurl):
            raise FeedError(_("The feed redirects to an address that is not http(s)."))
        # The new address is looked up and checked when its connection opens (_pinned).
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str) -> bytes:
    """The feed's bytes, within the time and size limits; FeedError otherwise."""
    if check_url(url):
        raise FeedError(check_url(url))
    timeout = float(current_app.config.get("FEED_TIMEOUT", 10))
    limit = int(current_app.config.get("FEED_MAX_BYTES", MAX_BYTES))
    allow_private = bool(current_app.config.get("FEED_ALLOW_PRIVATE"))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _PinnedHTTP(allow_private),
                                         _PinnedHTTPS(allow_private), _Redirects())
    request = urllib.request.Request(url, headers={
        "User-Agent": "SoTayDangVien/1.0 (feed import)",
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            chunks, size = [], 0
            while True:
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise FeedError(_("The feed is larger than %(mb)s MB.", mb=limit // (1024 * 1024)))
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunks.append(chunk)
            return b"".join(chunks)
    except FeedError:
        raise
    except urllib.error.HTTPError as error:
        if error.code in (301, 302, 303, 307, 308):
            # urllib refuses a redirect to file:, data: and the like before asking our handler.
            target = urljoin(error.url or url, (error.headers or {}).get("Location", ""))
            if check_url(target):
                raise FeedError(_("The feed redirects to an address that is not http(s).")) from None
            raise FeedError(_("The feed redirects too many times.")) from None
        raise FeedError(_("The portal answered with error %(code)s.", code=error.code)) from None
    except (TimeoutError, socket.timeout):
        raise FeedError(_("The portal did not answer within %(s)s seconds.", s=int(timeout))) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, FeedError):
            raise error.reason from None
        if isinstance(error.reason, (TimeoutError, socket.timeout)):
            raise FeedError(_("The portal did not answer within %(s)s seconds.", s=int(timeout))) from None
        raise FeedError(_("The portal could not be reached.")) from None
    except (OSError, ValueError):
        raise FeedError(_("The portal could not be reached.")) from None


def _text(value: str | None) -> str:
    """Plain text of a piece of HTML: every tag stripped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(nh3.clean(value or "", tags=set())).split())


def _when(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    moment = datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc).replace(tzinfo=None)
    return min(moment, utcnow())  # a portal's clock ahead of ours does not schedule the news


def parse(data: bytes) -> list[Entry]:
    """The entries of an RSS or Atom document; FeedError if it is neither."""
    parsed = feedparser.parse(data)
    if not parsed.get("version") and not parsed.entries:
        raise FeedError(_("This is not an RSS or Atom feed."))
    entries = []
    for item in parsed.entries:
        link = item.get("link") or None
        if link and check_url(link):
            link = None
        external_id = (item.get("id") or link or "").strip()
        title = _text(item.get("title"))[:500]
        if not external_id or not title:
            continue
        content = item.get("summary") or ""
        entries.append(Entry(external_id, title, link, _text(content),
                             nh3.clean(content, tags=BASIC_TAGS, attributes={}), _when(item)))
    if parsed.bozo and not entries:
        raise FeedError(_("The feed is malformed and has no readable entry."))
    return entries


@dataclass(frozen=True)
class ImportResult:
    created: list[int]
    error: str | None = None


def import_feed(feed: FeedSource) -> ImportResult:
    """Fetch and import one feed; its error is recorded on the feed, never raised."""
    feed.last_checked_at = utcnow()
    try:
        entries = parse(fetch(feed.url))
    except FeedError as error:
        feed.last_error = str(error)
        db.session.commit()
        log.info("feed %s: %s", feed.id, error)
        return ImportResult([], feed.last_error)
    # Per province, not per feed: renaming or re-adding the feed imports nothing twice.
    keys = {f"{feed.org_id}:{entry.external_id}"[:500]: entry for entry in entries}
    known = set(db.session.scalars(select(ContentItem.external_id).where(
        ContentItem.org_id == feed.org_id, ContentItem.external_id.in_(list(keys)))))
    items = [ContentItem(org_id=feed.org_id, kind=Kind.NEWS.value, title=entry.title,
                         summary=entry.summary or None, body=entry.body or None,
                         status=Status.PUBLISHED.value, publish_at=entry.published,
                         search_text=fold(f"{entry.title} {entry.summary}"),
                         source_name=feed.name[:255], source_url=entry.link, external_id=key)
             for key, entry in keys.items() if key not in known]
    db.session.add_all(items)
    feed.last_error = None
    feed_id, org_id = feed.id, feed.org_id
    try:
        db.session.flush()
        created = [item.id for item in items]  # read before the commit expires them
        province_id = db.session.get(Organisation, org_id).province_id
        for item_id in created:  # told once the items are saved, with them
            emit(ContentPublished(province_id=province_id, actor_id=None, item_id=item_id,
                                  org_id=org_id, kind=Kind.NEWS.value))
        db.session.commit()
    except IntegrityError:  # another import of the same feed committed first; the next run catches up
        db.session.rollback()
        feed = db.session.get(FeedSource, feed_id)
        feed.last_checked_at, feed.last_error = utcnow(), _("Another import was running; tried again later.")
        db.session.commit()
        return ImportResult([], feed.last_error)
    return ImportResult(created)


def import_feeds(ctx: JobContext, feed_id: int | None = None) -> dict:
    """Job: import one feed (the "check now" button) or every active feed (the schedule)."""
    stmt = select(FeedSource).where(FeedSource.active.is_(True)).order_by(FeedSource.id)
    if feed_id is not None:
        stmt = select(FeedSource).where(FeedSource.id == feed_id)
    feeds = list(db.session.scalars(stmt))
    created, errors = 0, 0
    for done, feed in enumerate(feeds, 1):
        name = feed.name
        result = import_feed(feed)
        created += len(result.created)
        errors += result.error is not None
        message = (_("%(name)s: %(error)s", name=name, error=result.error) if result.error else
                   _("%(name)s: %(n)s new items.", name=name, n=len(result.created)))
        ctx.progress(done * 100 // len(feeds), message)
    return {"created": created, "errors": errors, "url": "/feeds/"}


def feed_provinces(user) -> list[int]:
    """Provinces where `user` may publish at the top level (and so manage the portal feed)."""
    return [org_id for org_id in granted_org_ids(user, PUBLISH)
            if (org := db.session.get(Organisation, org_id)) is not None and org.level == Level.PROVINCE.value]


def may_manage_feeds(user) -> bool:
    return bool(feed_provinces(user))
