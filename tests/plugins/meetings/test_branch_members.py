"""Materials (confidential ones watermarked and audited), members' answers and comments."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import delete, func, select

from core.audit import AuditEntry
from core.auth.models import User
from core.content.models import ContentItem
from core.extensions import db
from core.notify.models import Notification
from core.org.models import Member
from plugins.meetings.models import Comment, MeetingFile, Participant
from tests import samples
from tests.plugins.meetings.test_branch import app, branch, create, meeting_of  # noqa: F401  (fixtures)


def prepared(app, as_role, *, confidential=True) -> tuple[int, int]:
    """A meeting with a (confidential) PDF material, invited: (meeting id, material id)."""
    secretary = as_role("secretary")
    meeting_id = meeting_of(app, create(secretary))
    data = {"title": "Báo cáo nhân sự (mật)", "content_id": "", "idempotency_key": "f" * 32,
            "file": (io.BytesIO(samples.pdf("Tai lieu mat", pages=2)), "nhan-su.pdf")}
    if confidential:
        data["confidential"] = "y"
    response = secretary.submit(f"/meetings/{meeting_id}/materials", data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    secretary.submit(f"/meetings/{meeting_id}/invite", {}, form_page="/meetings/")
    with app.app_context():
        material = db.session.scalar(select(MeetingFile.id).where(MeetingFile.meeting_id == meeting_id))
    return meeting_id, material


def test_confidential_material_reaches_invitees_only_watermarked_and_audited(app, as_role, accounts):
    meeting_id, material = prepared(app, as_role)
    url = f"/meetings/{meeting_id}/materials/{material}"
    member = as_role("member")
    page = member.text(f"/meetings/{meeting_id}")
    assert "Báo cáo nhân sự (mật)" in page and f'href="{url}"' in page
    served = member.get(url)
    assert served.status_code == 200 and served.headers["Cache-Control"] == "no-store"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == accounts["member"]["login"]))
        card = db.session.get(Member, user.member_id).card_number
        name = user.display_name
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "meetings.confidential_view", AuditEntry.user_id == user.id)) == 1
        # The invitation of a meeting with confidential materials cannot be turned off.
        assert db.session.scalar(select(Notification.kind).where(
            Notification.url == f"/meetings/{meeting_id}", Notification.user_id == user.id)) == "meetings.confidential"
    pages = PdfReader(io.BytesIO(served.data)).pages
    assert len(pages) == 2
    for p in pages:
        text = p.extract_text()
        assert name in text and (card or accounts["member"]["login"]) in text
    helper = as_role("family_helper")
    assert f'href="{url}"' not in helper.text(f"/meetings/{meeting_id}")
    assert helper.get(url).status_code == 404
    for role in ("member_other_branch", "secretary_other_branch", "other_province_admin"):
        assert as_role(role).get(url).status_code == 404, role
    assert as_role("grassroots_admin").get(url).status_code == 200  # manages the branch
    with app.app_context():  # a member of the branch who was not invited
        db.session.execute(delete(Participant).where(Participant.meeting_id == meeting_id,
                                                     Participant.member_id == user.member_id))
        db.session.commit()
    assert member.get(url).status_code == 404


def test_ordinary_material_library_document_and_refusals(app, as_role, demo_content):
    secretary = as_role("secretary")
    meeting_id = meeting_of(app, create(secretary))
    url = f"/meetings/{meeting_id}/materials"
    form = secretary.text(url)
    with app.app_context():
        document = db.session.scalar(select(ContentItem).where(ContentItem.kind == "document",
                                                               ContentItem.status == "published"))
        doc_id, doc_title = document.id, document.title
    assert f'value="{doc_id}"' in form
    response = secretary.submit(url, {"title": "", "content_id": str(doc_id), "idempotency_key": "a" * 32})
    assert response.status_code == 302
    page = secretary.text(f"/meetings/{meeting_id}")
    assert doc_title[:40] in page and f"/c/{doc_id}" in page
    docx = samples.office("word/document.xml")
    refusals = [
        ({"content_id": "", "file": (io.BytesIO(docx), "mat.docx"), "confidential": "y"}, "PDF hoặc ảnh"),
        ({"content_id": str(doc_id), "confidential": "y"}, "không đánh dấu mật"),
        ({"content_id": ""}, "hãy chọn tệp"),
        ({"content_id": "999999999"}, "chọn trong danh sách"),
        ({"content_id": "", "file": (io.BytesIO(b"MZ\x90\x00 program"), "tai-lieu.pdf")}, "tai-lieu.pdf"),
    ]
    for data, message in refusals:
        response = secretary.submit(url, {"title": "Tài liệu", **data}, content_type="multipart/form-data")
        assert response.status_code == 400 and message in response.get_data(as_text=True), message
    with app.app_context():
        assert db.session.scalar(select(func.count(MeetingFile.id)).where(MeetingFile.meeting_id == meeting_id)) == 1
    response = secretary.submit(url, {"title": "Kế hoạch", "content_id": "", "idempotency_key": "b" * 32,
                                      "file": (io.BytesIO(docx), "ke-hoach.docx")}, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.scalar(select(MeetingFile.id).where(MeetingFile.title == "Kế hoạch"))
    served = as_role("secretary").get(f"/meetings/{meeting_id}/materials/{plan}")
    assert served.status_code == 200 and served.headers["Cache-Control"] == "no-store"
    assert as_role("member").get(f"/meetings/{meeting_id}/materials/{plan}").status_code == 404  # not invited yet


def test_member_answers_and_a_retry_changes_nothing(app, as_role, accounts):
    meeting_id, _material = prepared(app, as_role, confidential=False)
    member = as_role("member")
    url = f"/meetings/{meeting_id}/rsvp"
    response = member.submit(url, {"answer": "no", "reason": " "}, form_page=f"/meetings/{meeting_id}")
    assert response.status_code == 400 and "ghi lý do vắng mặt" in response.get_data(as_text=True)
    for _ in range(2):
        response = member.submit(url, {"answer": "no", "reason": "Đi viện thăm mẹ"}, form_page=f"/meetings/{meeting_id}")
        assert response.status_code == 302
    page = member.text(f"/meetings/{meeting_id}")
    assert "Đồng chí đã báo vắng. Lý do: Đi viện thăm mẹ" in page
    assert "xin vắng: 1" in as_role("secretary").text(f"/meetings/{meeting_id}")
    member.submit(url, {"answer": "yes", "reason": ""}, form_page=f"/meetings/{meeting_id}")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == accounts["member"]["login"]))
        mine = db.session.scalar(select(Participant).where(Participant.meeting_id == meeting_id,
                                                           Participant.member_id == user.member_id))
        assert mine.rsvp == "yes" and mine.rsvp_reason is None
    assert member.submit(url, {"answer": "maybe"}, form_page="/meetings/").status_code == 400
    assert as_role("member_other_branch").submit(url, {"answer": "yes"}, form_page="/meetings/").status_code == 404
    assert as_role("grassroots_admin").submit(url, {"answer": "yes"}, form_page="/meetings/").status_code == 404


def test_comments_on_the_draft_resolution_long_and_once(app, as_role):
    meeting_id, _material = prepared(app, as_role, confidential=False)
    member = as_role("member")
    url = f"/meetings/{meeting_id}/comments"
    long_text = "Đề nghị bổ sung chỉ tiêu trồng rừng. " * 400  # no small limit
    data = {"body": long_text, "idempotency_key": "c" * 32}
    first = member.submit(url, data, form_page=f"/meetings/{meeting_id}")
    second = member.submit(url, data, form_page=f"/meetings/{meeting_id}")
    assert first.status_code == second.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Comment.id)).where(Comment.meeting_id == meeting_id)) == 1
        assert len(db.session.scalar(select(Comment.body).where(Comment.meeting_id == meeting_id))) > 10000
    assert "Đề nghị bổ sung chỉ tiêu trồng rừng." in as_role("secretary").text(f"/meetings/{meeting_id}")
    response = member.submit(url, {"body": "  ", "idempotency_key": "d" * 32}, form_page=f"/meetings/{meeting_id}")
    assert response.status_code == 400 and "viết nội dung góp ý" in response.get_data(as_text=True)
    assert as_role("family_helper").submit(url, {"body": "x"}, form_page="/meetings/").status_code == 404
    assert as_role("member_other_branch").submit(url, {"body": "x"}, form_page="/meetings/").status_code == 404
