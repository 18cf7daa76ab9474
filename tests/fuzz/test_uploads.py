"""Hostile files through the two upload forms: attachments of a news item (PDF, DOCX, pictures)
and the member import (CSV, Excel; JSONL is not an accepted format and must be refused).

Beyond the harness's checks: an accepted attachment is what it claims (a picture re-encoded,
small, without metadata; a PDF or a macro-free DOCX), a refused upload leaves no file behind,
a dry run writes nothing, and an applied list adds members only where the administrator may."""
from __future__ import annotations

import io
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select

from core.content.models import Attachment
from core.extensions import db
from tests.fuzz.files import attachment, member_list
from tests.fuzz.harness import Harness, Stats
from tests.fuzz.strategies import CSRF, Request, fuzz_settings, rounds, vietnamese
from tests.fuzz.test_forms import dialect
from tests.fuzz.world import org_id

ALLOWED = {"application/pdf", "image/jpeg", "image/png",
           "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ATTACHMENT_EXAMPLES = 40
IMPORT_EXAMPLES = 40


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def check_attachment(harness: Harness, item: int, stats: Stats, request: Request) -> None:
    """Every file of a published item is of an allowed kind and is what its type says."""
    with harness.app.app_context():
        found = [(a.id, a.mimetype) for a in db.session.scalars(
            select(Attachment).where(Attachment.item_id == item))]
        db.session.remove()
    for attachment_id, mimetype in found:
        if mimetype not in ALLOWED:
            stats.problem(f"stored a {mimetype}", request)
        response = harness.send(Request("GET", f"/c/{item}/files/{attachment_id}", source="content.download"))
        if response is None or response.status_code != 200:
            continue
        data = response.data
        if mimetype.startswith("image/"):
            picture = Image.open(io.BytesIO(data))
            if max(picture.size) > 1600 or picture.getexif() or "exif" in picture.info:
                stats.problem("picture served unshrunk or with metadata", request, str(picture.size))
        elif mimetype == "application/pdf" and not data.startswith(b"%PDF-"):
            stats.problem("PDF that is not one", request)
        elif mimetype.endswith("document"):
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
            if "word/document.xml" not in names or any("vbaproject" in n.lower() for n in names):
                stats.problem("DOCX that is not one, or with macros", request, str(names[:5]))


@pytest.mark.parametrize("round_", rounds())
def test_hostile_attachments(app, accounts, round_):
    """A secretary attaches hostile files to a news item."""
    stats = Stats(f"uploads-attachments-{dialect(app)}")
    uploads = Path(app.instance_path) / "files"  # the file service's folders, staging included
    branch = org_id(app, accounts["secretary"]["org"])
    with Harness(app, "secretary", stats, accounts["secretary"]) as harness:
        @fuzz_settings(ATTACHMENT_EXAMPLES)
        @given(st.lists(attachment(), min_size=1, max_size=3), vietnamese())
        def run(files, title):
            pairs = [("csrf_token", CSRF), ("idempotency_key", uuid.uuid4().hex), ("org_id", str(branch)),
                     ("title", title), ("when", "now")] + [("files", f) for f in files]
            request = Request("POST", "/publish/new/news", "", pairs, "multipart", "valid", "content.new")
            before = files_in(uploads)
            response = harness.send(request)
            if response is None:
                return
            if response.status_code == 302:
                item = int(re.search(r"/c/(\d+)$", response.headers["Location"]).group(1))
                check_attachment(harness, item, stats, request)
            elif files_in(uploads) != before:
                stats.problem(f"a refused upload ({response.status_code}) left files behind", request)

        run()
    stats.save()
    assert stats.requests >= ATTACHMENT_EXAMPLES, stats.report()
    assert not stats.problems, stats.report()


@pytest.mark.parametrize("round_", rounds())
def test_hostile_member_lists(app, accounts, round_):
    """A province administrator uploads hostile member lists, previews them and applies some."""
    stats = Stats(f"uploads-import-{dialect(app)}")
    imports = Path(app.instance_path) / "imports"  # the reports; the lists are in files/imports/
    lists = Path(app.instance_path) / "files"
    province = org_id(app, accounts["province_admin"]["org"])
    branch_name = accounts["secretary"]["org"]
    other = org_id(app, accounts["other_province_admin"]["org"])
    with Harness(app, "province_admin", stats, accounts["province_admin"]) as harness:
        @fuzz_settings(IMPORT_EXAMPLES)
        @given(member_list(branch_name), st.sampled_from([province] * 6 + [other, "2147483648", "x"]),
               st.booleans())
        def run(upload, target, apply):
            data, name = upload
            request = Request("POST", "/members/import/", "", [
                ("csrf_token", CSRF), ("org_id", str(target)), ("file", (data, name))], "multipart", "valid",
                "imports.start")
            before = files_in(imports) | files_in(lists)
            response = harness.send(request, may_write=False)
            if response is None or response.status_code != 302:
                if response is not None and (files_in(imports) | files_in(lists)) - before:
                    stats.problem(f"a refused list ({response.status_code}) left files behind", request)
                return
            preview = response.headers["Location"]
            page = harness.send(Request("GET", preview, source="imports.show"), may_write=False)
            token = re.search(r'name="token" value="([0-9a-f]{32})"', page.get_data(as_text=True) if page else "")
            if token and apply:
                harness.send(Request("POST", "/members/import/apply", "", [
                    ("csrf_token", CSRF), ("token", token.group(1))], "form", "valid", "imports.apply"))
                harness.send(Request("GET", preview, source="imports.show"))
            elif token:
                harness.send(Request("POST", "/members/import/discard", "", [
                    ("csrf_token", CSRF), ("token", token.group(1))], "form", "valid", "imports.discard"))

        run()
    stats.save()
    assert stats.requests >= IMPORT_EXAMPLES, stats.report()
    assert not stats.problems, stats.report()


def test_jsonl_is_not_an_import_format(app, accounts, as_role):
    """No import accepts JSONL (only xlsx and CSV): a JSON-lines member list is refused with a
    message, and nothing is kept."""
    from tests.fuzz.files import jsonl

    data = jsonl(accounts["secretary"]["org"])
    admin = as_role("province_admin")
    province = org_id(app, accounts["province_admin"]["org"])
    response = admin.submit("/members/import/", {"org_id": str(province), "file": (io.BytesIO(data), "ds.jsonl")},
                            form_page="/members/import/", content_type="multipart/form-data")
    assert response.status_code == 400
    assert re.search(r'<p class="error"[^>]*>[^<]*[À-ỹđĐ]', response.get_data(as_text=True))
    assert not files_in(Path(app.instance_path) / "imports") and not files_in(Path(app.instance_path) / "files")
