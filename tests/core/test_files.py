"""The file service (core.files), through a small plugin that uses it the way meetings, tasks,
read-aloud and eKYC will: uploads checked by content, served with ranges and the right cache
headers, sensitive files encrypted at rest, confidential copies watermarked, expired files swept.
Real files throughout (tests/samples.py)."""
from __future__ import annotations

import hashlib
import io
import os
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from flask import Blueprint, abort, request
from PIL import Image, ImageChops
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core import files
from core.extensions import db
from core.files.backends import LocalBackend
from core.files.kinds import CSV, DOCX, M4A, MP3, OGG, PDF, WEBM, XLSX
from core.files.models import StoredFile
from core.jobs import JobRecord, enqueue
from core.org.models import utcnow
from tests import samples
from tests.core.test_hooks import memory_plugin
from tests.core.test_import import csv_bytes, person, preview, tree  # noqa: F401  (tree: a fixture)
from tests.plugins.support import dispose, make_app
from tests.support import Visitor

MARK = "Nguyễn Văn A — 46012345 — 02/12/2026"
XLSX_TYPES = samples.DOCX_TYPES.replace("/word/document.xml", "/xl/workbook.xml").replace(
    "wordprocessingml.document.main", "spreadsheetml.sheet.main")


def box_blueprint() -> Blueprint:
    """A plugin's pages: save an upload, serve it (ranges, cache), serve a watermarked copy."""
    bp = Blueprint("box", __name__, url_prefix="/box")

    @bp.post("/")
    def save():
        args = request.args
        try:
            stored = files.save_upload(
                request.files["file"], namespace="box", accept=args.get("accept", "pdf").split(","),
                max_bytes=args.get("max", 10 ** 7, type=int), sensitive="sensitive" in args,
                image_max_px=args.get("px", 1600, type=int))
        except files.FileRejected as refused:
            return {"error": str(refused), "reason": refused.reason}, 400
        db.session.commit()
        return {"id": stored.id, "mimetype": stored.mimetype, "filename": stored.filename}, 201

    @bp.get("/<int:file_id>")
    def serve(file_id: int):
        stored = files.get(file_id, "box") or abort(404)
        return files.send(stored, private="year" not in request.args, download="download" in request.args)

    @bp.get("/<int:file_id>/marked")
    def marked(file_id: int):
        stored = files.get(file_id, "box") or abort(404)
        return files.send(stored, watermark=MARK)

    return bp


@pytest.fixture
def box(db_uri, tmp_path, monkeypatch):
    plugin = memory_plugin(monkeypatch, tmp_path, "box", register_blueprints=lambda: [box_blueprint()])
    app = make_app(db_uri, tmp_path / "instance", EXTRA_PLUGINS=plugin)
    yield app
    dispose(app)


def put(app, data: bytes, name: str, accept: str = "pdf", **args):
    """Upload through the plugin's form, as a phone would."""
    query = "&".join([f"accept={accept}"] + [f"{k}={v}" for k, v in args.items()])
    return Visitor(app.test_client()).submit(f"/box/?{query}", {"file": (io.BytesIO(data), name)},
                                             form_page="/login", content_type="multipart/form-data")


def saved(app, data: bytes, name: str, accept: str = "pdf", **args) -> int:
    response = put(app, data, name, accept, **args)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def row(app, file_id: int) -> StoredFile | None:
    with app.app_context():
        found = db.session.get(StoredFile, file_id)
        db.session.expunge_all()
        return found


def on_disk(app, namespace: str = "box") -> list[Path]:
    """Every file the service keeps in `namespace`, and any temporary file left behind."""
    root = Path(app.instance_path) / "files"
    return sorted(p for folder in (root / namespace, root / ".staging") if folder.exists()
                  for p in folder.iterdir())


def workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Họ và tên", "Số thẻ đảng viên"])
    book.active.append(["Nguyễn Văn An", "46000001"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- each kind, saved and served ----------------------------------------------------------------

@pytest.mark.parametrize("accept, data, name, mimetype, extension", [
    ("pdf", samples.pdf("Bien ban hop chi bo"), "Biên bản họp.pdf", PDF, ".pdf"),
    ("docx", samples.office("word/document.xml"), "tài liệu.zip", DOCX, ".docx"),
    ("xlsx", workbook(), "danh sách", XLSX, ".xlsx"),
    ("csv", "Họ và tên,Số thẻ\nNguyễn Văn An,46000001\n".encode(), "ds.txt", CSV, ".csv"),
    ("audio", samples.ogg_opus(), "doc bai.bin", OGG, ".ogg"),
    ("audio", samples.mp3(), "ghi am", MP3, ".mp3"),
    ("audio", samples.m4a(), "ghi âm.m4a", M4A, ".m4a"),
    ("audio", samples.webm(), "cau hoi.weba", WEBM, ".webm"),
])
def test_each_kind_is_saved_and_served(box, accept, data, name, mimetype, extension):
    response = put(box, data, name, accept=f"{accept},pdf" if accept != "pdf" else "pdf")
    assert response.status_code == 201, response.get_json()
    kept = response.get_json()
    assert kept["mimetype"] == mimetype and kept["filename"].endswith(extension)
    served = box.test_client().get(f"/box/{kept['id']}")
    assert served.status_code == 200 and served.data == data
    assert served.mimetype == mimetype
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Accept-Ranges"] == "bytes"
    assert served.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert served.headers["Cache-Control"] == "no-store"
    assert served.headers["Content-Disposition"].startswith("inline;")


@pytest.mark.parametrize("accept, data, name, reason, message", [
    ("image", b"MZ\x90\x00\x03" + b"\x00" * 500, "anh.jpg", "type",
     "Tệp anh.jpg không phải ảnh (JPEG, PNG, WebP, HEIC)."),  # a Windows program renamed
    ("pdf", b"<html><script>alert(1)</script></html>", "bien-ban.pdf", "type", "Tệp bien-ban.pdf không phải PDF."),
    ("pdf,docx", samples.ogg_opus(), "van-ban.pdf", "type", "không phải PDF hay văn bản Word (.docx)"),
    ("docx", samples.office("xl/workbook.xml", types=XLSX_TYPES), "van-ban.docx", "type", "không phải văn bản Word"),
    ("docx", samples.office("word/document.xml", types=samples.DOCX_TYPES.replace(
        "wordprocessingml.document.main+xml", "wordprocessingml.document.macroEnabled.main+xml")),
     "van-ban.docx", "macros", "có chứa macro"),
    ("xlsx,csv", samples.office("readme.txt"), "ds.xlsx", "zip", "là tệp nén ZIP, không phải tệp Excel (.xlsx) hay tệp CSV"),
    ("pdf", samples.pdf("Bien ban", pages=3)[:900], "cut.pdf", "corrupt", "Tệp cut.pdf bị hỏng, không mở được."),
    ("pdf,image", b"", "rong.pdf", "empty", "Tệp rong.pdf trống"),
    ("csv", "Họ và tên,Số thẻ\n".encode("utf-16"), "ds.csv", "encoding", "không được lưu dạng UTF-8"),
    ("docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "cu.doc", "old_format", "đời cũ (.doc, .xls)"),
])
def test_disguised_damaged_and_empty_files_are_refused_in_vietnamese(box, accept, data, name, reason, message):
    response = put(box, data, name, accept=accept)
    assert response.status_code == 400
    assert response.get_json()["reason"] == reason
    assert message in response.get_json()["error"]
    assert on_disk(box) == []  # nothing refused is kept, not even a temporary file
    with box.app_context():
        assert not db.session.scalars(select(StoredFile)).all()


class Endless:
    """A sender that never stops: the file must be refused without being read whole."""

    def __init__(self):
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        size = 65536 if size is None or size < 0 else size
        self.sent += size
        return b"%PDF-" + b"\x00" * (size - 5) if self.sent == size else b"\x00" * size


def test_too_large_files_are_refused_while_streaming(box):
    response = put(box, samples.pdf("x") + b"0" * 300_000, "lon.pdf", max=100_000)
    assert response.status_code == 400 and response.get_json()["reason"] == "too_large"
    assert "Tệp lon.pdf quá lớn: tối đa 98 KB." == response.get_json()["error"]
    sender = Endless()
    with box.test_request_context():
        with pytest.raises(files.FileRejected) as refused:
            files.save_upload(FileStorage(sender, "rat-lon.pdf"), namespace="box", accept=["pdf"],
                              max_bytes=10 ** 6)
    assert refused.value.reason == "too_large"
    assert sender.sent <= 10 ** 6 + 2 ** 16  # stopped one block past the limit
    assert on_disk(box) == []
    box.config["MAX_CONTENT_LENGTH"] = 50_000  # beyond what the server reads at all
    assert put(box, samples.pdf("x") + b"0" * 60_000, "lon.pdf").status_code == 413


# --- pictures -----------------------------------------------------------------------------------

def test_a_phone_photo_loses_its_place_and_shrinks(box):
    original = samples.photo("JPEG", (3000, 2000), gps=True, orientation=6)  # held upright
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS is there before
    file_id = saved(box, original, "IMG_2041.JPG", accept="image,pdf")
    served = box.test_client().get(f"/box/{file_id}")
    assert served.mimetype == "image/jpeg"
    picture = Image.open(io.BytesIO(served.data))
    assert picture.size == (1067, 1600)  # turned upright, then at most 1600 px
    assert not picture.getexif() and "exif" not in picture.info
    assert b"PhoneMaker" not in served.data and b"GPS" not in served.data
    assert len(served.data) < len(original) / 4
    assert row(box, file_id).filename == "IMG_2041.jpg"


def test_a_heic_photo_from_an_iphone_is_accepted(box):
    original = samples.photo("HEIF", (1200, 900))
    assert original[4:12] == b"ftypheic"
    file_id = saved(box, original, "IMG_0001.HEIC", accept="image", px=800)
    served = box.test_client().get(f"/box/{file_id}")
    picture = Image.open(io.BytesIO(served.data))
    assert served.mimetype == "image/jpeg" and picture.format == "JPEG" and picture.size == (800, 600)
    assert not picture.getexif()
    assert row(box, file_id).filename == "IMG_0001.jpg"


def test_a_zip_bomb_workbook_is_refused(box):
    bomb = samples.office("xl/workbook.xml", {"xl/worksheets/sheet1.xml": b" " * (40 * 2 ** 20)},
                          types=XLSX_TYPES)
    assert len(bomb) < 200_000
    response = put(box, bomb, "ds.xlsx", accept="xlsx,csv")
    assert response.status_code == 400 and response.get_json()["reason"] == "bomb"
    assert "giải nén ra dữ liệu lớn bất thường" in response.get_json()["error"]


# --- serving ------------------------------------------------------------------------------------

def test_ranges_etag_and_cache_headers(box):
    data = samples.pdf(*[f"Dong {n} cua bien ban" for n in range(30)], pages=8)
    size = len(data)
    file_id = saved(box, data, "biên bản.pdf")
    client = box.test_client()
    for wanted, start, end in (("0-99", 0, 99), ("1000-1999", 1000, 1999), ("-50", size - 50, size - 1)):
        part = client.get(f"/box/{file_id}", headers={"Range": f"bytes={wanted}"})
        assert part.status_code == 206, wanted
        assert part.data == data[start:end + 1]
        assert part.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    refused = client.get(f"/box/{file_id}", headers={"Range": f"bytes={size + 10}-"})
    assert refused.status_code == 416 and refused.headers["Content-Range"] == f"bytes */{size}"
    etag = client.get(f"/box/{file_id}").headers["ETag"]
    again = client.get(f"/box/{file_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    year = client.get(f"/box/{file_id}?year=1&download=1")
    assert year.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert year.headers["Content-Disposition"] == (
        "attachment; filename=\"bien ban.pdf\"; filename*=UTF-8''bi%C3%AAn%20b%E1%BA%A3n.pdf")


def test_a_sensitive_file_is_encrypted_on_disk_and_served_decrypted(box):
    secret = "Nguyễn Văn Bảo,46099999,Chi bộ 3\n"
    data = ("Họ và tên,Số thẻ,Chi bộ\n" + secret * 5000).encode()  # ~180 KB: three chunks
    file_id = saved(box, data, "ekyc.csv", accept="csv", sensitive=1)
    stored = row(box, file_id)
    assert stored.sensitive and stored.size == len(data)
    [kept] = on_disk(box)
    raw = kept.read_bytes()
    assert raw != data and b"46099999" not in raw and secret.encode() not in raw
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    key = Path(box.instance_path) / "files.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    with box.app_context():
        assert key.read_text().strip() not in str(db.session.execute(select(StoredFile.__table__)).all())
    client = box.test_client()
    served = client.get(f"/box/{file_id}?year=1")
    assert served.data == data
    assert served.headers["Cache-Control"] == "no-store"  # sensitive: never cached, whatever asked
    part = client.get(f"/box/{file_id}", headers={"Range": "bytes=65000-70000"})  # across a chunk end
    assert part.status_code == 206 and part.data == data[65000:70001]


def test_another_process_with_the_same_key_reads_sensitive_files(db_uri, tmp_path, monkeypatch):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    plugin = memory_plugin(monkeypatch, tmp_path, "box", register_blueprints=lambda: [box_blueprint()])
    first = make_app(db_uri, tmp_path / "web", EXTRA_PLUGINS=plugin, FILES_KEY=old,
                     FILES_DIR=str(tmp_path / "shared"))
    file_id = saved(first, b"%PDF-" + samples.pdf("Anh the")[5:], "the.pdf", sensitive=1)
    assert not (tmp_path / "web" / "files.key").exists()  # the key comes from the setting only
    # A worker elsewhere, after the key was rotated: the new key first, the old one still read.
    worker = make_app(db_uri, tmp_path / "worker", EXTRA_PLUGINS=plugin, FILES_KEY=f"{new},{old}",
                      FILES_DIR=str(tmp_path / "shared"))
    assert worker.test_client().get(f"/box/{file_id}").data == samples.pdf("Anh the")
    # A process given another key reads nothing: an error page, never bytes it cannot check.
    stranger = make_app(db_uri, tmp_path / "stranger", EXTRA_PLUGINS=plugin, FILES_KEY=new,
                        FILES_DIR=str(tmp_path / "shared"))
    refused = stranger.test_client().get(f"/box/{file_id}")
    assert refused.status_code == 500 and b"%PDF" not in refused.data
    for app in (first, worker, stranger):
        dispose(app)


# --- watermarks ---------------------------------------------------------------------------------

def test_a_confidential_pdf_is_served_with_the_readers_name_on_every_page(box):
    portrait = samples.pdf("Tai lieu mat cua chi bo", pages=3)
    file_id = saved(box, portrait, "tai lieu.pdf")
    served = box.test_client().get(f"/box/{file_id}/marked")
    assert served.status_code == 200 and served.mimetype == PDF
    assert served.headers["Cache-Control"] == "no-store"
    assert "Accept-Ranges" not in served.headers  # a copy made for this reader, served whole
    pages = PdfReader(io.BytesIO(served.data)).pages
    assert len(pages) == 3
    for number, page in enumerate(pages, 1):
        text = page.extract_text()
        assert MARK in text and f"Tai lieu mat cua chi bo (trang {number})" in text
    landscape = saved(box, samples.pdf("Bang tong hop", landscape=True), "bang.pdf")
    [page] = PdfReader(io.BytesIO(box.test_client().get(f"/box/{landscape}/marked").data)).pages
    assert MARK in page.extract_text()


def test_a_confidential_picture_is_marked_across(box):
    clean = Image.new("RGB", (1200, 900), (245, 245, 240))
    out = io.BytesIO()
    clean.save(out, "PNG")
    file_id = saved(box, out.getvalue(), "so-do.png", accept="image")
    plain = Image.open(io.BytesIO(box.test_client().get(f"/box/{file_id}").data)).convert("RGB")
    served = box.test_client().get(f"/box/{file_id}/marked")
    assert served.headers["Cache-Control"] == "no-store" and served.mimetype == "image/png"
    marked = Image.open(io.BytesIO(served.data)).convert("RGB")
    assert marked.size == plain.size
    changed = sum(1 for pixel in ImageChops.difference(plain, marked).convert("L").getdata() if pixel > 20)
    assert changed > 0.01 * 1200 * 900
    left, top, right, bottom = ImageChops.difference(plain, marked).getbbox()  # across, not a spot
    assert right - left > 800 and bottom - top > 600
    with box.app_context():
        with pytest.raises(ValueError):
            files.watermarked(files.save_bytes(b"x", namespace="box", filename="a.docx", mimetype=DOCX), MARK)


# --- retention and transactions -----------------------------------------------------------------

def test_the_sweep_deletes_expired_files_only(box):
    with box.app_context():
        kept = {name: files.save_bytes(name.encode(), namespace="box", filename=f"{name}.ogg", mimetype=OGG,
                                       retain=retain, sensitive=name == "face")
                for name, retain in (("card", timedelta(hours=1)), ("face", timedelta(days=30)),
                                     ("minutes", None))}
        db.session.commit()
        ids = {name: stored.id for name, stored in kept.items()}
        assert files.sweep_files(now=utcnow() + timedelta(hours=2)) == 1
        assert db.session.get(StoredFile, ids["card"]) is None
        assert db.session.get(StoredFile, ids["face"]) and db.session.get(StoredFile, ids["minutes"])
    assert len(on_disk(box)) == 2
    with box.app_context():  # the hourly core job does the same
        db.session.get(StoredFile, ids["face"]).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        record = enqueue("core.files.sweep")
        assert db.session.get(JobRecord, record.id).result == {"deleted": 1}
        assert [s.id for s in db.session.scalars(select(StoredFile))] == [ids["minutes"]]
    assert len(on_disk(box)) == 1


def test_files_follow_their_transaction(box):
    with box.app_context():
        files.save_bytes(b"never committed", namespace="box", filename="a.ogg", mimetype=OGG)
        assert len(on_disk(box)) == 1
        db.session.rollback()
        assert on_disk(box) == []
        stored = files.save_bytes(b"kept", namespace="box", filename="b.ogg", mimetype=OGG)
        db.session.commit()
        files.delete(stored)
        db.session.rollback()  # the deletion did not happen: the bytes stay
        assert len(on_disk(box)) == 1
        stored = db.session.scalar(select(StoredFile))
        files.delete(stored)
        db.session.commit()
        assert on_disk(box) == [] and db.session.scalar(select(StoredFile)) is None


def test_names_from_the_database_never_leave_the_files_folder(tmp_path):
    local = LocalBackend(tmp_path)
    for namespace, key in (("../etc", "0" * 32), ("box", "../../passwd"), ("box/..", "0" * 32),
                           ("box", "0" * 31 + "/"), ("", "0" * 32)):
        with pytest.raises(ValueError):
            local.path(namespace, key)
    assert local.path("meetings", "ab" * 16) == tmp_path / "meetings" / ("ab" * 16)


# --- the member import keeps its lists in the file service ----------------------------------------

def test_an_import_list_is_kept_encrypted_and_deleted_when_done(app, as_role, tree):  # noqa: F811
    admin = as_role("province_admin")
    data = csv_bytes([person(1, tree["a_name"]), person(2, tree["b_name"])])
    url, _text = preview(admin, tree["grassroots"], data)
    with app.app_context():
        stored = db.session.scalar(select(StoredFile).where(StoredFile.namespace == "imports"))
        assert stored.sensitive and stored.mimetype == CSV
        assert timedelta(hours=23) < stored.expires_at - utcnow() <= timedelta(hours=24)
    [kept] = on_disk(app, "imports")
    assert b"88000001" not in kept.read_bytes()  # card numbers are not readable on the disk
    token = re.search(r'name="token" value="([0-9a-f]{32})"', admin.text(url)).group(1)
    admin.submit("/members/import/discard", {"token": token}, form_page=url)
    assert on_disk(app, "imports") == []
    with app.app_context():
        assert db.session.scalar(select(StoredFile).where(StoredFile.namespace == "imports")) is None
    # Applied, or refused after it was kept (no header row): nothing stays either.
    url, _text = preview(admin, tree["grassroots"], data)
    token = re.search(r'name="token" value="([0-9a-f]{32})"', admin.text(url)).group(1)
    assert admin.submit("/members/import/apply", {"token": token}, form_page=url).status_code == 302
    assert on_disk(app, "imports") == []
    response = admin.submit("/members/import/", {"org_id": str(tree["grassroots"]),
                                                 "file": (io.BytesIO(b"ten\nAn\n"), "ds.csv")},
                            form_page="/members/import/", content_type="multipart/form-data")
    assert response.status_code == 400 and on_disk(app, "imports") == []
    assert not os.listdir(Path(app.instance_path) / "files" / ".staging")
