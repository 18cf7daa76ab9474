"""The home-screen app: manifest, icons, the service worker's rules, and the offline page."""
from __future__ import annotations

import dataclasses
import json
import re

from core.pwa import precache


def sw_constants(text: str) -> tuple[str, list[str]]:
    cache = json.loads(re.search(r"var CACHE = (\"[^\"]+\");", text).group(1))
    urls = json.loads(re.search(r"var PRECACHE = (\[[^\]]*\]);", text).group(1))
    return cache, urls


def test_the_manifest_lets_a_phone_add_the_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    assert "Set-Cookie" not in response.headers
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "Sổ tay đảng viên" and len(manifest["short_name"]) <= 12
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    sizes = {icon["sizes"]: icon for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= set(sizes)
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/a/icons/")
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == icon["type"]
        assert "immutable" in image.headers["Cache-Control"]
    assert client.get(sizes["192x192"]["src"]).data[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_page_links_the_manifest(as_role):
    page = as_role("member").text("/")
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#a50000">' in page


def test_the_service_worker_keeps_only_static_files_and_the_offline_page(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"  # an upgrade is seen at once
    assert "Set-Cookie" not in response.headers
    text = response.get_data(as_text=True)
    cache, urls = sw_constants(text)
    assert cache.startswith("sotay-")
    assert urls[-1] == "/offline" and all(u.startswith("/a/") for u in urls[:-1])
    assert any(u.startswith("/a/app.") and u.endswith(".css") for u in urls)
    # The rules: only GETs of this site; /a/ from the cache; pages from the network only, the
    # offline page when it fails; cache.put is used for /a/ files alone.
    assert 'request.method !== "GET"' in text and "url.origin !== self.location.origin" in text
    assert text.count("cache.put(") == 1
    assets = text.index('url.pathname.indexOf("/a/") === 0')
    assert assets < text.index("cache.put(") < text.index('request.mode === "navigate"')
    navigate = text[text.index('request.mode === "navigate"'):]
    assert "fetch(request).catch(" in navigate and "cache.match(OFFLINE)" in navigate
    assert 'credentials: "omit"' in text  # the offline page is fetched without the session
    assert "<script" not in text and "eval(" not in text


def test_the_cache_name_changes_with_the_static_files(app, client):
    cache, _urls = sw_constants(client.get("/sw.js").get_data(as_text=True))
    assert sw_constants(client.get("/sw.js").get_data(as_text=True))[0] == cache  # stable
    by_theme, served = app.extensions["sotay.assets"]
    lite = by_theme["lite"]
    lite["app.css"] = dataclasses.replace(lite["app.css"], hashed="app.0123456789.css")
    changed, urls = sw_constants(client.get("/sw.js").get_data(as_text=True))
    assert changed != cache and "/a/app.0123456789.css" in urls


def test_the_offline_page_is_the_same_for_everyone(app, as_role, accounts):
    member = as_role("member")
    response = member.get("/offline")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Không có mạng" in page and "Thử lại" in page
    assert "Đăng xuất" not in page and "csrf_token" not in page and "<script" not in page
    with app.test_request_context():
        assert "/offline" in precache()


def test_the_worker_is_registered_by_the_scripts_not_inline(as_role):
    page = as_role("member").text("/")
    assert "serviceWorker" not in page  # no inline script: the CSP allows none
    js_url = re.search(r'src="(/a/app\.[0-9a-f]+\.js)"', page).group(1)
    js = as_role("member").get(js_url).get_data(as_text=True)
    assert '"serviceWorker" in navigator' in js and 'register("/sw.js")' in js
