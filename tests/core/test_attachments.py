"""Attachments: checked by content, pictures re-encoded, stored outside the web root, served only
to those who may read the item, with ranges."""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from core.content.models import Attachment
from core.extensions import db
from tests import samples
from tests.core.test_content import DEFAULTS, errors, item_id, key_on, publish

PDF = samples.pdf("Nghi quyet so 57 - noi dung mau", pages=2)
NOT_FOUND = 404


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document><w:body>Tài liệu sinh hoạt</w:body></w:document>")
    return out.getvalue()


def content_files(app) -> Path:
    """Where the file service keeps the attachments' bytes."""
    return Path(app.instance_path) / "files" / "content"


def upload(person, *files, kind="document", **changes):
    return publish(person, kind, files=[(io.BytesIO(data), name) for data, name in files], **changes)


def attachments(app, new: int) -> list[Attachment]:
    with app.app_context():
        found = list(db.session.scalars(select(Attachment).where(Attachment.item_id == new)
                                        .order_by(Attachment.id)))
        db.session.expunge_all()
        return found


def test_pdf_is_served_to_readers_only(as_role, app):
    new = item_id(upload(as_role("secretary"), (PDF, "Nghị quyết 57 (bản chính).pdf")))
    [pdf] = attachments(app, new)
    assert pdf.mimetype == "application/pdf" and pdf.size == len(PDF)
    assert pdf.sha256 == hashlib.sha256(PDF).hexdigest()
    url = f"/c/{new}/files/{pdf.id}"
    member = as_role("member")
    page = member.text(f"/c/{new}")
    assert url in page and "Nghị quyết 57 (bản chính).pdf" in page
    response = member.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Nghi quyet 57 (ban chinh).pdf"' in disposition
    assert "filename*=UTF-8''Ngh%E1%BB%8B%20quy%E1%BA%BFt%2057%20%28b%E1%BA%A3n%20ch%C3%ADnh%29.pdf" in disposition
    assert "no-store" in response.headers["Cache-Control"] or "private" in response.headers["Cache-Control"]
    # The bytes live outside the web root, under a random name.
    stored = content_files(app) / pdf.file.key
    assert stored.read_bytes() == PDF
    assert as_role("family_helper").get(url).status_code == 200
    for outsider in ("member_other_branch", "secretary_other_branch", "other_province_admin"):
        assert as_role(outsider).get(url).status_code == NOT_FOUND, outsider


def test_range_request_resumes_a_download(as_role, app):
    new = item_id(upload(as_role("secretary"), (PDF, "tai-lieu.pdf")))
    [pdf] = attachments(app, new)
    member = as_role("member")
    response = member.get(f"/c/{new}/files/{pdf.id}", headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.data == PDF[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(PDF)}"
    assert response.headers["Cache-Control"] == "no-store"  # a confidential paper stays nowhere
    again = member.get(f"/c/{new}/files/{pdf.id}", headers={"If-None-Match": f'"{pdf.sha256}"'})
    assert again.status_code == 304


def test_docx_is_accepted_by_its_content(as_role, app):
    data = docx()
    new = item_id(upload(as_role("grassroots_admin"), (data, "tai lieu sinh hoat.zip")))
    [word] = attachments(app, new)
    assert word.filename == "tai lieu sinh hoat.docx"
    response = as_role("member").get(f"/c/{new}/files/{word.id}")
    assert response.status_code == 200 and response.data == data
    assert response.mimetype.endswith("wordprocessingml.document")
    assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("fmt, name", [("PNG", "so-do.png"), ("JPEG", "anh chụp hội nghị.jpg"),
                                       ("WEBP", "anh.webp")])
def test_pictures_are_reencoded_without_metadata(as_role, app, fmt, name):
    original = samples.photo(fmt, gps=False)  # with the phone's EXIF, as it sends it
    assert Image.open(io.BytesIO(original)).getexif()  # the phone's EXIF is there before
    new = item_id(upload(as_role("secretary"), (original, name), kind="news"))
    [image] = attachments(app, new)
    response = as_role("member").get(f"/c/{new}/files/{image.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("inline;")
    served = Image.open(io.BytesIO(response.data))
    assert max(served.size) == 1600 and served.size == (1600, 1067)
    assert not served.getexif() and "exif" not in served.info
    assert response.mimetype == image.mimetype in ("image/png", "image/jpeg")
    assert image.size == len(response.data)
    if fmt != "WEBP":  # WebP is already smaller than JPEG at the same quality
        assert image.size < len(original)


@pytest.mark.parametrize("data, name", [
    (b"MZ\x90\x00\x03" + b"\x00" * 200, "nghi-quyet.pdf"),  # a Windows program renamed
    (b"<html><script>alert(1)</script></html>", "anh.png"),
    (b"<html><body>hello</body></html>", "trang.html"),
    (b"PK\x03\x04not really a zip", "van-ban.docx"),
    (b"", "rong.pdf"),
])
def test_other_files_are_refused(as_role, app, data, name):
    response = upload(as_role("secretary"), (data, name))
    assert response.status_code == 400
    assert "không phải PDF, văn bản Word (.docx) hay ảnh" in errors(response)
    assert not list(content_files(app).glob("*"))


def test_docx_with_macros_is_refused(as_role):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\x00macro")
    assert upload(as_role("secretary"), (out.getvalue(), "van-ban.docx")).status_code == 400


def test_oversized_file_is_refused(as_role, app):
    app.config["CONTENT_MAX_UPLOAD"] = 2000
    response = upload(as_role("secretary"), (PDF + b"0" * 3000, "lon.pdf"))
    assert response.status_code == 400
    assert "Tệp lon.pdf quá lớn: tối đa 2 KB." in errors(response)
    app.config["MAX_CONTENT_LENGTH"] = 4000  # beyond what the server reads at all
    assert upload(as_role("secretary"), (PDF + b"0" * 5000, "lon.pdf")).status_code == 413


def test_file_names_are_cleaned(as_role, app):
    new = item_id(upload(as_role("secretary"), (PDF, "../../etc/Báo cáo: quý <IV>.exe")))
    [pdf] = attachments(app, new)
    assert pdf.filename == "Báo cáo quý IV.pdf"


def test_files_of_an_item_stay_with_it(as_role, app):
    secretary = as_role("secretary")
    first = item_id(upload(secretary, (PDF, "a.pdf")))
    second = item_id(publish(as_role("secretary_other_branch"), "news"))
    [pdf] = attachments(app, first)
    # The other branch's item, with this file's id: not found.
    assert as_role("member_other_branch").get(f"/c/{second}/files/{pdf.id}").status_code == NOT_FOUND


def test_edit_adds_and_removes_files(as_role, app):
    secretary = as_role("secretary")
    new = item_id(upload(secretary, (PDF, "a.pdf")))
    url = f"/publish/{new}/edit"
    html = secretary.text(url)
    data = {"org_id": re.search(r'<option selected value="(\d+)"', html).group(1), "when": "now",
            **DEFAULTS["document"], "files": [(io.BytesIO(docx()), "b.docx")]}
    assert secretary.submit(url, data, form_page=url).status_code == 302
    pdf, word = attachments(app, new)
    assert word.filename == "b.docx"
    stored = content_files(app) / pdf.file.key
    response = secretary.submit(f"/publish/{new}/files/{pdf.id}/remove", {}, form_page=url)
    assert response.status_code == 302
    assert "Đã gỡ tệp a.pdf." in secretary.text(url)
    assert not stored.exists()
    assert [a.filename for a in attachments(app, new)] == ["b.docx"]
    assert as_role("member").get(f"/c/{new}/files/{pdf.id}").status_code == NOT_FOUND
    # Another branch's secretary cannot remove what is left.
    other = as_role("secretary_other_branch")
    assert other.submit(f"/publish/{new}/files/{word.id}/remove", {}, form_page="/publish/").status_code == 404


def test_retried_upload_stores_the_file_once(as_role, app):
    secretary = as_role("secretary")
    html = secretary.text("/publish/new/document")
    data = {"idempotency_key": key_on(html), "when": "now", **DEFAULTS["document"],
            "org_id": re.search(r'<option selected value="(\d+)"', html).group(1)}
    first = secretary.submit("/publish/new/document", {**data, "files": [(io.BytesIO(PDF), "a.pdf")]})
    again = secretary.submit("/publish/new/document", {**data, "files": [(io.BytesIO(PDF), "a.pdf")]})
    assert first.headers["Location"] == again.headers["Location"]
    assert len(list(content_files(app).glob("*"))) == 1
