"""Read-aloud of another plugin's text that is not a library item, through the core's
`spoken_text` hook: a published answer (feedback) offers the browser's own player; its audio is
made on demand, kept, sent with an ETag and ranges, only to those who may read the answer."""
from __future__ import annotations

import io
import re

from mutagen.oggopus import OggOpus

from core.extensions import db
from plugins.feedback.models import FeedbackFaq
from tests.plugins.feedback.support import org_id
from tests.plugins.support import province_of_role, switch


def published_answer(app, accounts, role="district_admin") -> int:
    with app.app_context():
        item = FeedbackFaq(org_id=org_id(app, accounts, role), topic="Đảng phí của đảng viên hưu trí",
                           question_text="Đảng viên nghỉ hưu đóng đảng phí bao nhiêu?",
                           answer_text="Đảng viên hưu trí đóng 0,5% lương hưu mỗi tháng.",
                           search_text="dang phi huu tri")
        db.session.add(item)
        db.session.commit()
        return item.id


def player_src(html: str) -> str | None:
    found = re.search(r'<audio controls preload="none" src="([^"]+)"', html)
    return found.group(1) if found else None


def test_member_listens_to_a_published_answer(app, as_role, accounts):
    faq = published_answer(app, accounts)
    member = as_role("member")
    page = member.text(f"/feedback/faq/{faq}")
    src = player_src(page)
    assert src == f"/readaloud/say/feedback:faq:{faq}.ogg" and "Tải bản đọc về" in page
    answer = member.get(src)
    assert answer.status_code == 200 and answer.mimetype == "audio/ogg"
    assert answer.headers["Cache-Control"] == "no-store"  # personal, as every page that depends on the reader
    audio = OggOpus(io.BytesIO(answer.data))
    assert 3 < audio.info.length < 30  # the topic, the question and the answer, spoken
    # Asked again: the same file, from the server's cache; a copy is confirmed by its ETag; ranges work.
    assert member.get(src).data == answer.data
    assert member.get(src, headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304
    part = member.get(src, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100


def test_only_those_who_may_read_the_answer_hear_it(app, as_role, accounts):
    faq = published_answer(app, accounts)
    src = f"/readaloud/say/feedback:faq:{faq}.ogg"
    outsider = as_role("other_province_admin")
    assert outsider.get(f"/feedback/faq/{faq}").status_code == 404
    assert outsider.get(src).status_code == 404
    member = as_role("member")
    for forged in ("feedback:faq:abc", f"feedback:faq:{faq + 1000}", "feedback:survey:1", "nobody:faq:1",
                   "feedback:faq:" + "9" * 300, "feedback:faq:" + "9" * 30, "feedback:faq:-1", f"feedback:faq:{faq}/../1"):
        assert member.get(f"/readaloud/say/{forged}.ogg").status_code == 404, forged


def test_no_player_and_no_audio_where_read_aloud_is_off(app, as_role, accounts):
    faq = published_answer(app, accounts)
    member = as_role("member")
    switch(app, province_of_role(app, accounts, "member"), "readaloud", False)
    page = member.text(f"/feedback/faq/{faq}")
    assert "Đảng viên hưu trí đóng 0,5% lương hưu" in page and player_src(page) is None
    assert member.get(f"/readaloud/say/feedback:faq:{faq}.ogg").status_code == 404
    switch(app, province_of_role(app, accounts, "member"), "readaloud", True)
    assert player_src(member.text(f"/feedback/faq/{faq}")) is not None


def test_hook_spoken_text(app, accounts):
    """core.api.spoken_text_for asks the plugin owning the key, for a reader it lets read the text."""
    from core.api import spoken_text_for
    from tests.plugins.feedback.support import user_named

    faq = published_answer(app, accounts)
    with app.test_request_context():
        member = db.session.merge(user_named(app, accounts, "member"))
        found = spoken_text_for(f"feedback:faq:{faq}", member)
        assert found.title == "Đảng phí của đảng viên hưu trí" and "0,5% lương hưu" in found.text
        assert found.org_id == org_id(app, accounts, "district_admin")
        outsider = db.session.merge(user_named(app, accounts, "other_province_admin"))
        assert spoken_text_for(f"feedback:faq:{faq}", outsider) is None
        assert spoken_text_for("", member) is None and spoken_text_for("x" * 201, member) is None
    switch(app, province_of_role(app, accounts, "member"), "feedback", False)
    with app.test_request_context():
        assert spoken_text_for(f"feedback:faq:{faq}", db.session.merge(user_named(app, accounts, "member"))) is None
