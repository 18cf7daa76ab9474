"""Static files and the shared bodies go out compressed for the browser that asks, compressed once.

What a browser gets is read from the bytes the app sends: Content-Encoding, the body decoded
with that encoding, Vary, ETag and a revalidation's 304."""
from __future__ import annotations

import gzip
import re

import brotli
import pytest
from flask import Response

from core import assets as assets_module

CHROME = "gzip, deflate, br, zstd"
OLD_BROWSER = "gzip, deflate"
SCRIPTS = re.compile(r'(?:src|href)="(/a/[^"]+\.(?:js|css))"')


def decoded(response) -> bytes:
    data = response.get_data()
    coding = response.headers.get("Content-Encoding", "identity")
    return {"br": brotli.decompress, "gzip": gzip.decompress, "identity": bytes}[coding](data)


def page_assets(as_role) -> list[str]:
    found = SCRIPTS.findall(as_role("member").text("/"))
    assert any(".js" in u for u in found) and any(".css" in u for u in found), found
    return found


def test_every_script_and_stylesheet_goes_out_compressed(app, client, as_role):
    urls = page_assets(as_role)
    _by_theme, served = app.extensions["sotay.assets"]
    assert any("htmx" in u for u in urls)
    for url in urls:
        original = served[url.removeprefix("/a/")].read_bytes()
        for header, coding in ((CHROME, "br"), (OLD_BROWSER, "gzip"), ("", None)):
            response = client.get(url, headers={"Accept-Encoding": header})
            assert response.status_code == 200, url
            assert response.headers.get("Content-Encoding") == coding, (url, header)
            assert decoded(response) == original, url
            assert "accept-encoding" in response.headers["Vary"].lower()
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            if coding:
                assert len(response.get_data()) < len(original) * 0.6, url


def test_htmx_is_sent_at_a_fraction_of_its_size(client, as_role):
    htmx = next(u for u in page_assets(as_role) if "htmx" in u)
    plain = client.get(htmx, headers={"Accept-Encoding": "identity"})
    brotli_sent = client.get(htmx, headers={"Accept-Encoding": CHROME})
    gzip_sent = client.get(htmx, headers={"Accept-Encoding": OLD_BROWSER})
    assert plain.mimetype in ("text/javascript", "application/javascript")
    assert len(plain.get_data()) > 40_000
    assert len(brotli_sent.get_data()) < len(gzip_sent.get_data()) < len(plain.get_data()) / 3


def test_a_revalidation_gets_304_for_the_same_encoding_only(client, as_role):
    url = next(u for u in page_assets(as_role) if u.endswith(".js"))
    first = client.get(url, headers={"Accept-Encoding": CHROME})
    etag = first.headers["ETag"]
    assert etag != client.get(url, headers={"Accept-Encoding": OLD_BROWSER}).headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": CHROME, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag and "accept-encoding" in again.headers["Vary"].lower()
    # The gzip copy's validator must not make a brotli browser keep a gzip body, nor the reverse.
    other = client.get(url, headers={"Accept-Encoding": OLD_BROWSER, "If-None-Match": etag})
    assert other.status_code == 200 and other.headers["Content-Encoding"] == "gzip"


def test_a_browser_refusing_brotli_gets_gzip(client, as_role):
    url = next(u for u in page_assets(as_role) if u.endswith(".css"))
    response = client.get(url, headers={"Accept-Encoding": "br;q=0, gzip;q=0.5"})
    assert response.headers["Content-Encoding"] == "gzip"
    response = client.get(url, headers={"Accept-Encoding": "gzip;q=0.2, br;q=0.9"})
    assert response.headers["Content-Encoding"] == "br"


def test_each_file_is_compressed_once_per_process(client, as_role, monkeypatch):
    url = next(u for u in page_assets(as_role) if "htmx" in u)
    assets_module._encoded.clear()
    calls = []
    real = assets_module.brotli.compress
    monkeypatch.setattr(assets_module.brotli, "compress",
                        lambda data, **kw: calls.append(len(data)) or real(data, **kw))
    bodies = {client.get(url, headers={"Accept-Encoding": CHROME}).get_data() for _ in range(4)}
    assert len(calls) == 1 and len(bodies) == 1


def test_images_are_not_compressed_again(app, client):
    _by_theme, served = app.extensions["sotay.assets"]
    png = next(name for name in served if name.endswith(".png"))
    response = client.get(f"/a/{png}", headers={"Accept-Encoding": CHROME})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("url", ["/sw.js", "/manifest.webmanifest", "/offline"])
def test_the_worker_manifest_and_offline_page_go_out_compressed(client, url):
    plain = client.get(url, headers={"Accept-Encoding": ""})
    assert "Content-Encoding" not in plain.headers
    response = client.get(url, headers={"Accept-Encoding": CHROME})
    assert response.headers["Content-Encoding"] == "br"
    assert decoded(response) == plain.get_data()
    assert "accept-encoding" in response.headers["Vary"].lower()
    assert "Set-Cookie" not in response.headers
    again = client.get(url, headers={"Accept-Encoding": CHROME,
                                     "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_pages_and_javascript_made_per_request_are_compressed(app):
    @app.get("/_test/script")
    def script():
        return Response("var x = 1;\n" * 200, mimetype="text/javascript")

    client = app.test_client()
    response = client.get("/_test/script", headers={"Accept-Encoding": OLD_BROWSER})
    assert response.headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(response.get_data()) == b"var x = 1;\n" * 200
    page = client.get("/login", headers={"Accept-Encoding": OLD_BROWSER})
    assert page.headers.get("Content-Encoding") == "gzip"
