"""The provincial portal's feed, served for real on loopback: RSS and Atom with Vietnamese titles,
repeated entries, a malformed feed, a slow server, redirects — and who may manage feeds."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from core.content.models import ContentItem, FeedSource
from core.extensions import db
from core.notify.models import Notification
from tests.core.test_notify import province_id, real_queue
from tests.plugins.support import dispose, make_app

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Cổng TTĐT Đảng bộ tỉnh Thái Nguyên</title>
<link>http://portal.example/</link><description>Tin tức</description>
{items}
</channel></rss>"""
RSS_ITEM = """<item><title>{title}</title><link>http://portal.example/tin/{guid}</link>
<guid>portal-{guid}</guid><pubDate>Mon, 17 Nov 2025 08:00:00 +0700</pubDate>
<description><![CDATA[{summary}]]></description></item>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Cổng TTĐT Đảng bộ tỉnh</title>
<id>urn:portal</id><updated>2025-11-18T09:00:00Z</updated>
<entry><title>Đại hội đại biểu Đảng bộ tỉnh lần thứ XXI thành công tốt đẹp</title>
<id>urn:portal:atom-1</id><link href="http://portal.example/atom/1"/>
<updated>2025-11-18T09:00:00Z</updated><summary type="html">&lt;p&gt;Đại hội đã bầu Ban Chấp hành.&lt;/p&gt;</summary></entry>
</feed>"""


def rss(*entries: tuple[str, str, str]) -> str:
    return RSS.format(items="".join(RSS_ITEM.format(guid=g, title=t, summary=s) for g, t, s in entries))


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    delay: float = 0.0
    location: str | None = None


@dataclass
class Portal:
    """A web server on 127.0.0.1 that answers what `routes` says."""

    base: str = ""
    routes: dict = field(default_factory=dict)

    def serve(self, path: str, body: str = "", **kwargs) -> str:
        self.routes[path] = Route(body.encode("utf-8"), **kwargs)
        return self.base + path


@pytest.fixture
def portal():
    state = Portal()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            route = state.routes.get(self.path) or Route(b"not found", 404, "text/plain")
            if route.delay:
                time.sleep(route.delay)
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.location:
                    self.send_header("Location", route.location)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the importer gave up waiting, as it should

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def app(db_uri, tmp_path):
    """The tests' portal is on loopback, which a real deployment refuses (see the last test)."""
    app = make_app(db_uri, tmp_path / "instance", FEED_ALLOW_PRIVATE=True, FEED_TIMEOUT=1, **real_queue())
    yield app
    dispose(app)


def add_feed(admin, url: str, name: str = "Cổng TTĐT Đảng bộ tỉnh"):
    return admin.submit("/feeds/", {"name": name, "url": url, "org_id": admin_province(admin),
                                    "idempotency_key": ""}, form_page="/feeds/")


def admin_province(admin) -> str:
    import re

    return re.search(r'name="org_id" value="(\d+)"', admin.text("/feeds/")).group(1)


def feed_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(FeedSource.id).order_by(FeedSource.id.desc()))


def check_now(admin, app) -> str:
    """Press "Check now" and read the job's page."""
    response = admin.submit(f"/feeds/{feed_id(app)}/check", {}, form_page="/feeds/")
    assert response.status_code == 303 and "/jobs/" in response.location
    return admin.text(response.location)


def news(app) -> list[ContentItem]:
    with app.app_context():
        items = list(db.session.scalars(select(ContentItem).where(  # imported, not the demo's
            ContentItem.kind == "news", ContentItem.external_id.is_not(None)).order_by(ContentItem.id)))
        db.session.expunge_all()
        return items


def test_rss_is_imported_once_credited_and_announced(app, portal, as_role, accounts):
    url = portal.serve("/rss", rss(("1", "Tỉnh ủy Thái Nguyên triển khai Nghị quyết 57", "<p>Sáng 17/11, <b>Tỉnh ủy</b> đã họp.</p>"),
                                   ("2", "Hội nghị học tập chuyên đề năm 2025", "Nội dung <script>alert(1)</script><a href='#' hx-get='/x'>xem</a>")))
    admin = as_role("province_admin")
    response = add_feed(admin, url)
    assert response.status_code == 303
    page = check_now(admin, app)
    assert "Đã xong." in page and "Cổng TTĐT Đảng bộ tỉnh: 2 tin mới." in page
    items = news(app)
    assert [i.title for i in items] == ["Tỉnh ủy Thái Nguyên triển khai Nghị quyết 57", "Hội nghị học tập chuyên đề năm 2025"]
    first, second = items
    assert first.status == "published" and first.org_id == province_id(app, accounts)
    assert first.summary == "Sáng 17/11, Tỉnh ủy đã họp."
    assert "nghi quyet 57" in first.search_text
    assert first.source_name == "Cổng TTĐT Đảng bộ tỉnh" and first.source_url == "http://portal.example/tin/1"
    assert first.body == "<p>Sáng 17/11, <b>Tỉnh ủy</b> đã họp.</p>"
    page = as_role("member").text(f"/c/{first.id}")  # the member reads it, credited
    assert "Cổng TTĐT Đảng bộ tỉnh" in page and 'href="http://portal.example/tin/1"' in page
    assert "script" not in second.body and "alert" not in second.body and "hx-get" not in second.body
    # Every member of the province is told, once per item.
    inbox = as_role("member").text("/inbox/")
    assert "Tỉnh ủy Thái Nguyên triển khai Nghị quyết 57" in inbox and "Tin tức" in inbox
    assert "Nghị quyết 57" not in as_role("other_province_admin").text("/inbox/")
    # The portal keeps entry 2 and adds entry 3: one new item, nothing twice.
    portal.serve("/rss", rss(("2", "Hội nghị học tập chuyên đề năm 2025", "x"),
                             ("3", "Kỷ niệm 95 năm Ngày thành lập Đảng", "y")))
    assert "Cổng TTĐT Đảng bộ tỉnh: 1 tin mới." in check_now(admin, app)
    assert len(news(app)) == 3
    with app.app_context():  # one notification per imported item, none twice
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.dedupe_key.in_([f"content:{i.id}" for i in news(app)]))) == 3


def test_atom_is_imported(app, portal, as_role):
    admin = as_role("province_admin")
    add_feed(admin, portal.serve("/atom", ATOM, content_type="application/atom+xml"))
    assert "1 tin mới" in check_now(admin, app)
    [item] = news(app)
    assert item.title == "Đại hội đại biểu Đảng bộ tỉnh lần thứ XXI thành công tốt đẹp"
    assert item.summary == "Đại hội đã bầu Ban Chấp hành." and item.source_url == "http://portal.example/atom/1"


def test_a_malformed_feed_is_an_error_shown_not_a_crash(app, portal, as_role):
    admin = as_role("province_admin")
    add_feed(admin, portal.serve("/broken", "<rss><channel><item><title>Thiếu thẻ đóng", content_type="text/xml"))
    check_now(admin, app)
    page = admin.text("/feeds/")
    assert "Lần lấy tin gần nhất không thành công" in page
    assert "không đọc được tin nào" in page or "không phải là nguồn tin RSS" in page
    add_feed(admin, portal.serve("/html", "<html><body>Trang chủ</body></html>", content_type="text/html"))
    check_now(admin, app)
    assert "Đây không phải là nguồn tin RSS hoặc Atom." in admin.text("/feeds/")
    assert news(app) == []


def test_a_slow_portal_times_out(app, portal, as_role):
    admin = as_role("province_admin")
    add_feed(admin, portal.serve("/slow", rss(("1", "Tin chậm", "x")), delay=3))
    started = time.monotonic()
    check_now(admin, app)
    assert time.monotonic() - started < 2.5  # FEED_TIMEOUT is 1 s here
    assert "Cổng thông tin không trả lời trong vòng 1 giây." in admin.text("/feeds/")


def test_redirects_are_followed_three_times_and_only_to_http(app, portal, as_role):
    admin = as_role("province_admin")
    portal.serve("/real", rss(("1", "Tin sau chuyển hướng", "x")))
    portal.serve("/r1", status=302, location="/real")
    add_feed(admin, portal.serve("/r0", status=301, location="/r1"))
    assert "1 tin mới" in check_now(admin, app)
    for n in range(5):
        portal.serve(f"/loop{n}", status=302, location=f"/loop{n + 1}")
    add_feed(admin, portal.base + "/loop0")
    check_now(admin, app)
    assert "Nguồn tin chuyển hướng quá nhiều lần." in admin.text("/feeds/")
    add_feed(admin, portal.serve("/tofile", status=302, location="file:///etc/passwd"))
    check_now(admin, app)
    assert "chuyển hướng sang một địa chỉ không phải http(s)" in admin.text("/feeds/")


def test_only_http_addresses_are_accepted(app, as_role):
    admin = as_role("province_admin")
    bad = ("ftp://portal.example/rss", "file:///etc/passwd", "javascript:alert(1)", "portal.example/rss")
    for url in bad:
        response = add_feed(admin, url)
        assert response.status_code == 400, url
        assert "bắt đầu bằng http:// hoặc https://" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(FeedSource.id)).where(FeedSource.url.in_(bad))) == 0


def test_only_a_province_administrator_manages_its_feeds(app, portal, as_role):
    admin = as_role("province_admin")
    assert "Nguồn tin từ Cổng thông tin" in admin.text("/manage")
    add_feed(admin, portal.serve("/rss", rss(("1", "Tin", "x"))))
    feed = feed_id(app)
    for role in ("district_admin", "grassroots_admin", "secretary", "member", "other_province_admin"):
        person = as_role(role)
        if role != "other_province_admin":  # who manages the feeds of their own province
            assert person.get("/feeds/").status_code == 404, role
        assert person.submit(f"/feeds/{feed}/check", {}, form_page="/account").status_code == 404, role
        assert person.submit(f"/feeds/{feed}/remove", {}, form_page="/account").status_code == 404, role
    assert "Nguồn tin từ Cổng thông tin" not in as_role("district_admin").text("/manage")
    # The other province's administrator manages their own feeds, and sees none of ours.
    other = as_role("other_province_admin").text("/feeds/")
    assert "Chưa có nguồn tin nào." in other and f"/feeds/{feed}/" not in other
    response = admin.submit(f"/feeds/{feed}/remove", {}, form_page="/feeds/", follow_redirects=True)
    assert "Đã thôi lấy tin từ nguồn này" in response.get_data(as_text=True)


def test_a_retried_add_creates_one_feed(app, portal, as_role):
    admin = as_role("province_admin")
    html = admin.text("/feeds/")
    import re

    from tests.support import csrf_from

    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    data = {"csrf_token": csrf_from(html), "name": "Cổng", "url": portal.base + "/rss",
            "org_id": admin_province(admin), "idempotency_key": key}
    assert admin.client.post("/feeds/", data=data).status_code == 303
    assert admin.client.post("/feeds/", data=data).status_code == 302  # the retry goes where the first went
    with app.app_context():
        assert db.session.scalar(select(func.count(FeedSource.id)).where(FeedSource.url == data["url"])) == 1


def test_the_scheduled_import_reads_every_active_feed(app, portal, as_role):
    from core.jobs import enqueue

    admin = as_role("province_admin")
    add_feed(admin, portal.serve("/a", rss(("a1", "Tin A", "x"))))
    add_feed(admin, portal.serve("/b", ATOM, content_type="application/atom+xml"))
    with app.app_context():
        record = enqueue("content.feeds")
        assert db.session.get(type(record), record.id).result["created"] == 2


def test_a_real_deployment_refuses_addresses_of_its_own_network(db_uri, tmp_path, portal, accounts):
    from tests.support import Visitor

    app = make_app(db_uri, tmp_path / "strict", REDIS_URL="")
    try:
        admin = Visitor(app.test_client())
        admin.login(accounts["province_admin"])
        add_feed(admin, portal.serve("/rss", rss(("1", "Tin", "x"))))
        check_now(admin, app)
        assert "Địa chỉ này không thuộc mạng Internet công cộng." in admin.text("/feeds/")
        assert news(app) == []
    finally:
        dispose(app)


def _strict(db_uri, tmp_path, accounts, name: str):
    from tests.support import Visitor

    app = make_app(db_uri, tmp_path / name, REDIS_URL="", FEED_TIMEOUT=2)
    admin = Visitor(app.test_client())
    admin.login(accounts["province_admin"])
    return app, admin


def test_the_host_is_looked_up_once_and_the_checked_address_is_the_one_dialled(db_uri, tmp_path, portal,
                                                                                accounts, monkeypatch):
    """DNS rebinding: the portal's name answers a public address to the check, then loopback.
    Before, the check and the connection looked the name up separately and the second answer
    (the server's own network) was fetched."""
    import socket

    real_lookup, real_connect = socket.getaddrinfo, socket.create_connection
    answers, lookups, dialled = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1"]), [], []

    def lookup(host, port=None, *args, **kwargs):
        if host != "rebind.example":
            return real_lookup(host, port, *args, **kwargs)
        lookups.append(next(answers))
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (lookups[-1], port or 80))]

    def connect(address, *args, **kwargs):
        if address[0] == "93.184.216.34":  # the public answer: unreachable from the test machine
            dialled.append(address[0])
            raise ConnectionRefusedError("no route in the test")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket, "create_connection", connect)
    app, admin = _strict(db_uri, tmp_path, accounts, "rebind")
    try:
        url = portal.serve("/rss", rss(("1", "Tin nội bộ", "x"))).replace("127.0.0.1", "rebind.example")
        add_feed(admin, url)
        check_now(admin, app)
        assert lookups == ["93.184.216.34"] and dialled == ["93.184.216.34"]
        assert news(app) == []
        assert "Không kết nối được với cổng thông tin." in admin.text("/feeds/")
    finally:
        dispose(app)


EMBEDDED_LOOPBACK = ["::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1",
                     "2001:0:4136:e378:8000:63bf:80ff:fffe", "64:ff9b:1::a00:1", "::ffff:10.0.0.5",
                     "2002:c0a8:101::1"]


def test_ipv6_forms_carrying_an_ipv4_address_are_judged_by_it():
    from core.content.feeds import is_public

    for address in EMBEDDED_LOOPBACK:
        assert not is_public(address), address
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34",
                    "2002:5db8:d822::1", "64:ff9b::5db8:d822"):
        assert is_public(address), address


@pytest.mark.parametrize("address", EMBEDDED_LOOPBACK[:5])
def test_a_feed_whose_name_answers_an_embedded_private_address_is_refused(db_uri, tmp_path, portal, accounts,
                                                                          monkeypatch, address):
    import socket

    real_lookup = socket.getaddrinfo

    def lookup(host, port=None, *args, **kwargs):
        if host != "sneaky.example":
            return real_lookup(host, port, *args, **kwargs)
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port or 80, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    app, admin = _strict(db_uri, tmp_path, accounts, "sneaky")
    try:
        add_feed(admin, "http://sneaky.example/rss")
        check_now(admin, app)
        assert "Địa chỉ này không thuộc mạng Internet công cộng." in admin.text("/feeds/")
    finally:
        dispose(app)
