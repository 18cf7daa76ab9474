"""A member listens to an item: "Nghe" on its page, the listening page with a plain <audio
controls> and a download link per part, the audio with ranges, an ETag and a year's caching; the
other branch and the other province get 404; while the audio is made, after it failed, or when
there is nothing to say, the member reads why."""
from __future__ import annotations

import io
import re

from mutagen.oggopus import OggOpus
from sqlalchemy import update

from core.extensions import db
from plugins.readaloud.models import MAX_ATTEMPTS, ReadaloudReading, ReadaloudSection
from tests.plugins.readaloud.support import published, reading_of

LONG = "".join(f"<p>Đoạn {n}: chi bộ bàn việc làm đường bê tông liên thôn, mỗi hộ góp ngày công, "
               f"kinh phí 150 triệu đồng, hoàn thành trước ngày 30/4/2025.</p>" for n in range(1, 30))


def audio_links(html: str) -> list[str]:
    return [src.replace("&amp;", "&") for src in re.findall(r'<audio controls preload="none" src="([^"]+)"', html)]


def test_member_taps_listen_and_hears_every_part(app, as_role):
    item = published(as_role, body=LONG)
    member = as_role("member")
    page = member.text(f"/c/{item}")
    assert f'href="/readaloud/{item}"' in page and ">Nghe<" in page
    listening = member.text(f"/readaloud/{item}")
    assert member.last.status_code == 200 and member.last.headers["Cache-Control"] == "no-store"
    reading = reading_of(app, item)
    links = audio_links(listening)
    assert reading["status"] == "ready" and len(links) == reading["total"] >= 3  # the title, then two parts
    assert f"Phần 1/{reading['total']}" in listening and "Tải về phần 1" in listening
    assert "<script" in listening and "readaloud/player." in listening
    for number, link in enumerate(links):
        answer = member.get(link)
        assert answer.status_code == 200, link
        assert answer.mimetype == "audio/ogg"
        assert answer.headers["Cache-Control"] == "private, max-age=31536000, immutable"
        assert answer.headers["Accept-Ranges"] == "bytes" and answer.headers["ETag"]
        audio = OggOpus(io.BytesIO(answer.get_data()))
        assert audio.info.channels == 1 and abs(audio.info.length - reading["seconds"][number]) < 0.3


def test_audio_answers_ranges_etags_and_downloads(app, as_role):
    item = published(as_role)
    member = as_role("member")
    link = audio_links(member.text(f"/readaloud/{item}"))[1]
    whole = member.get(link)
    size = len(whole.get_data())
    part = member.client.get(link, headers={"Range": "bytes=100-599"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-599/{size}"
    assert part.get_data() == whole.get_data()[100:600]
    tail = member.client.get(link, headers={"Range": f"bytes={size - 10}-"})
    assert tail.status_code == 206 and len(tail.get_data()) == 10
    assert member.client.get(link, headers={"Range": f"bytes={size + 5}-"}).status_code == 416
    again = member.client.get(link, headers={"If-None-Match": whole.headers["ETag"]})
    assert again.status_code == 304
    download = member.get(link + "&download=1")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert ".ogg" in download.headers["Content-Disposition"]
    # The bare address sends the player to the current version's (the cached one never changes).
    bare = member.get(f"/readaloud/{item}/1.ogg")
    assert bare.status_code == 302 and f"v={reading_of(app, item)['id']}" in bare.headers["Location"]


def test_other_branch_and_other_province_get_404(app, as_role):
    item = published(as_role)  # the secretary's branch: the demo member's
    link = audio_links(as_role("member").text(f"/readaloud/{item}"))[0]
    for role in ("member_other_branch", "secretary_other_branch", "other_province_admin"):
        person = as_role(role)
        assert person.get(f"/readaloud/{item}").status_code == 404, role
        assert person.get(link).status_code == 404, role
        assert person.get(link + "&download=1").status_code == 404, role
        assert person.submit(f"/readaloud/{item}/position", {"section": "1"},
                             form_page="/account").status_code == 404, role
    # The levels above read what the branch published: they may listen too.
    assert as_role("grassroots_admin").get(link).status_code == 200
    assert as_role("family_helper").get(link).status_code == 200
    assert as_role("member").get("/readaloud/999999").status_code == 404
    assert app.test_client().get(link).status_code in (302, 401)


def test_while_the_audio_is_made_the_member_sees_how_far_it_got(app, as_role):
    item = published(as_role, body=LONG)
    with app.app_context():  # as a worker leaves it halfway: the first part made, two to go
        reading = db.session.get(ReadaloudReading, reading_of(app, item)["id"])
        parts = db.session.scalars(db.select(ReadaloudSection).where(ReadaloudSection.reading_id == reading.id)
                                   .order_by(ReadaloudSection.number)).all()
        for part in parts[1:]:
            db.session.delete(part)
        reading.status = "working"
        db.session.commit()
        total = reading.total
    page = as_role("member").text(f"/readaloud/{item}")
    assert "Đang chuẩn bị bản đọc…" in page
    assert f'<progress max="{total}" value="1">' in page and f"Đã xong 1/{total} phần" in page
    assert len(audio_links(page)) == 1  # the part made already plays


def test_a_failed_reading_says_why_and_the_page_still_works(app, as_role, monkeypatch):
    from plugins.readaloud import jobs
    from plugins.readaloud.engines import EngineFailed

    def broken(text, choice):
        raise EngineFailed("Bộ đọc bị lỗi.")

    monkeypatch.setattr(jobs, "synthesise", broken)
    item = published(as_role)
    member = as_role("member")
    page = member.text(f"/readaloud/{item}")
    assert member.last.status_code == 200
    assert "Chưa làm được bản đọc (Bộ đọc bị lỗi.). Hệ thống sẽ tự thử lại sau ít phút." in page
    with app.app_context():
        db.session.execute(update(ReadaloudReading).where(ReadaloudReading.item_id == item)
                           .values(attempts=MAX_ATTEMPTS))
        db.session.commit()
    page = member.text(f"/readaloud/{item}")
    assert "Không làm được bản đọc của bài này: Bộ đọc bị lỗi." in page
    assert member.get(f"/c/{item}").status_code == 200  # the text itself is untouched


def test_an_item_with_nothing_to_say(app, as_role):
    item = published(as_role, title="…", summary="", body="<p>— … —</p>")
    page = as_role("member").text(f"/readaloud/{item}")
    assert "Bài này không có nội dung nào đọc thành tiếng được." in page
    assert reading_of(app, item)["status"] == "empty" and not audio_links(page)
