"""The province administrator's read-aloud page: the engine, voice and speed saved for the
province (and refused when they do not fit), a sample heard on demand, vietTTS said plainly to
be missing, the queue with its failures, and "Làm lại" (a second press with the same key starts
nothing more). Other administrators and members get 404."""
from __future__ import annotations

import io
import re

from mutagen.oggopus import OggOpus
from sqlalchemy import func, select

from core.extensions import db
from core.jobs import JobRecord
from tests.plugins.readaloud.support import published, reading_of
from tests.plugins.support import org_named


def test_only_a_provinces_administrators_reach_the_page(as_role):
    for role in ("member", "family_helper", "secretary", "grassroots_admin", "district_admin"):
        assert as_role(role).get("/readaloud/admin").status_code == 404, role
        assert as_role(role).get("/readaloud/admin/sample").status_code == 404, role
    admin = as_role("province_admin")
    page = admin.text("/readaloud/admin")
    assert admin.last.status_code == 200 and "<h1>Nghe đọc</h1>" in page
    assert "vietTTS chưa được cài" in page  # no weights folder on this machine
    assert '<audio controls preload="none" src="/readaloud/admin/sample"' in page
    assert 'href="/readaloud/admin"' in admin.text("/manage")


def test_the_sample_is_real_speech_made_on_demand(as_role):
    answer = as_role("province_admin").get("/readaloud/admin/sample")
    assert answer.status_code == 200 and answer.mimetype == "audio/ogg"
    assert answer.headers["Cache-Control"] == "no-store"
    audio = OggOpus(io.BytesIO(answer.get_data()))
    assert audio.info.channels == 1 and 4 < audio.info.length < 25
    assert len(answer.get_data()) / 1024 / audio.info.length * 60 <= 150  # KB per minute


def test_the_voice_is_saved_for_the_province_and_bad_choices_are_refused(app, as_role, accounts):
    from plugins.readaloud.speech import Choice

    admin = as_role("province_admin")
    refused = admin.submit("/readaloud/admin", {"engine": "espeak", "voice": "infore", "rate": "145"})
    assert refused.status_code == 400
    assert "Giọng này không dùng được với bộ đọc đã chọn." in refused.get_data(as_text=True)
    refused = admin.submit("/readaloud/admin", {"engine": "espeak", "voice": "vi", "rate": "999"})
    assert refused.status_code == 400 and "Vui lòng chọn trong danh sách." in refused.get_data(as_text=True)
    saved = admin.submit("/readaloud/admin", {"engine": "espeak", "voice": "vi-vn-x-south", "rate": "160"})
    assert saved.status_code == 302
    assert "Đã lưu." in admin.text("/readaloud/admin")
    branch = org_named(app, accounts["member"]["org"]).id
    with app.app_context():
        assert Choice.for_org(branch) == Choice("espeak", "vi-vn-x-south", 160)
    # vietTTS may be chosen, and the page says at once that it cannot run here.
    admin.submit("/readaloud/admin", {"engine": "viettts", "voice": "infore", "rate": "145"})
    page = admin.text("/readaloud/admin")
    assert re.search(r'class="notice error" role="alert">vietTTS chưa được cài', page)


def test_a_failure_is_listed_with_its_error_and_made_again_once(app, as_role, monkeypatch):
    from plugins.readaloud import jobs
    from plugins.readaloud.engines import EngineFailed

    def broken(text, choice):
        raise EngineFailed("Máy đọc hỏng.")

    with monkeypatch.context() as patched:
        patched.setattr(jobs, "synthesise", broken)
        item = published(as_role, title="Thông báo lịch tiếp dân tháng 12")
    admin = as_role("province_admin")
    page = admin.text("/readaloud/admin")
    assert "Thông báo lịch tiếp dân tháng 12" in page and "Máy đọc hỏng." in page and "Bị lỗi" in page
    key = re.search(rf'action="/readaloud/admin/{item}/redo".*?name="idempotency_key" value="([^"]+)"',
                    page, re.S).group(1)
    first = admin.submit(f"/readaloud/admin/{item}/redo", {"idempotency_key": key}, form_page="/readaloud/admin")
    assert first.status_code == 302 and "/jobs/" in first.headers["Location"]
    assert "Đã xong." in admin.text(first.headers["Location"])
    made = reading_of(app, item)
    assert made["status"] == "ready" and made["attempts"] == 1 and made["error"] is None
    again = admin.submit(f"/readaloud/admin/{item}/redo", {"idempotency_key": key}, form_page="/readaloud/admin")
    assert again.headers["Location"] == first.headers["Location"]  # the same press, nothing more
    assert reading_of(app, item)["id"] == made["id"]
    with app.app_context():
        assert db.session.scalar(select(func.count(JobRecord.id)).where(
            JobRecord.name == "readaloud.make", JobRecord.user_id.is_not(None),
            JobRecord.args["item_id"].as_integer() == item)) == 2  # the publisher's, the administrator's
    assert "Máy đọc hỏng." not in admin.text("/readaloud/admin")
    assert as_role("member").get(f"/readaloud/{item}").status_code == 200


def test_others_cannot_make_an_items_audio_again(app, as_role):
    item = published(as_role)
    before = reading_of(app, item)
    for role in ("member", "secretary", "district_admin", "other_province_admin"):
        answer = as_role(role).submit(f"/readaloud/admin/{item}/redo", {"idempotency_key": "k" * 32},
                                      form_page="/account")
        assert answer.status_code == 404, role
    assert reading_of(app, item) == before
    # The other province's administrator has a page of their own, empty of this province's items.
    other = as_role("other_province_admin").text("/readaloud/admin")
    assert "Không có bài nào đang chờ hay bị lỗi." in other


def test_the_listening_page_offers_make_again_to_the_provinces_administrator_only(app, as_role):
    item = published(as_role)
    admin_page = as_role("province_admin").text(f"/readaloud/{item}")
    assert f'action="/readaloud/admin/{item}/redo"' in admin_page and "Làm lại" in admin_page
    for role in ("member", "secretary", "district_admin"):
        assert f'action="/readaloud/admin/{item}/redo"' not in as_role(role).text(f"/readaloud/{item}"), role


def test_seed_demo_makes_audio_for_a_few_demo_items(app, accounts, demo_content, as_role):
    from types import SimpleNamespace

    from core.content.models import ContentItem
    from plugins.readaloud.demo import DEMO_ITEMS, seed
    from plugins.readaloud.models import READY, ReadaloudReading
    from tests.plugins.support import province_of_role

    with app.app_context():
        seed(SimpleNamespace(province_id=province_of_role(app, accounts, "member"), content=True))
        ready = db.session.execute(select(ReadaloudReading.item_id, ContentItem.title).join(
            ContentItem, ContentItem.id == ReadaloudReading.item_id).where(ReadaloudReading.status == READY)).all()
        queued = db.session.scalar(select(func.count(JobRecord.id)).where(JobRecord.name == "readaloud.make"))
        db.session.remove()
    assert len(ready) == DEMO_ITEMS and queued == 0  # made at seed time, not left to a worker
    page = as_role("member").text(f"/readaloud/{ready[0][0]}")
    assert '<audio controls preload="none"' in page and "Đang chuẩn bị" not in page
