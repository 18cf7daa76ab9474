"""After the meeting: conclusions and resolution issued to every participant, minutes as a file
or phone photos, members' ratings without names, the report upward and the history kept after it."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from core.api import User, db
from core.notify.models import Notification
from plugins.meetings.models import MeetingFile, Participant, Rating, Revision
from tests import samples
from tests.plugins.meetings.hall_fixtures import make_meeting, meeting_row, member_id_of, org_id_of, participants


@pytest.fixture
def branch(app, accounts):
    return org_id_of(app, accounts["member"]["org"])


def held(app, branch, accounts, status="held", present=("member", "secretary")) -> int:
    meeting = make_meeting(app, branch, status=status, days_from_today=-1)
    ids = {member_id_of(app, accounts[role]["login"]) for role in present}
    with app.app_context():
        for p in db.session.scalars(select(Participant).where(Participant.meeting_id == meeting)):
            p.presence = "present" if p.member_id in ids else "excused"
        db.session.commit()
    return meeting


def test_resolution_is_issued_to_every_participant_and_shown_on_the_meeting_page(app, as_role, accounts, branch):
    meeting = held(app, branch, accounts)
    secretary, member = as_role("secretary"), as_role("member")
    long_text = "Nghị quyết: tập trung thu hoạch vụ đông.\n" + "Nội dung rất dài. " * 2000
    response = secretary.submit(f"/meetings/{meeting}/results",
                                {"conclusions": "Chi bộ thống nhất 3 nội dung.", "resolution": long_text})
    assert response.status_code == 302 and meeting_row(app, meeting)["resolution"] == long_text.strip()
    assert "thu hoạch vụ đông" not in member.text(f"/meetings/{meeting}")  # not issued yet
    for _n in range(2):  # pressed twice: everyone told once
        secretary.submit(f"/meetings/{meeting}/issue", {}, form_page=f"/meetings/{meeting}/results")
    assert meeting_row(app, meeting)["issued_at"] is not None
    with app.app_context():
        accounts_invited = db.session.scalar(select(func.count(User.id)).where(User.member_id.in_(
            select(Participant.member_id).where(Participant.meeting_id == meeting)), User.is_enabled.is_(True)))
        told = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meetings.resolution", Notification.url == f"/meetings/{meeting}"))
    assert told == accounts_invited >= 2
    page = member.text(f"/meetings/{meeting}")
    assert "Kết luận và nghị quyết" in page and "thu hoạch vụ đông" in page and "Chi bộ thống nhất" in page
    assert "Nghị quyết buổi họp" in member.text("/inbox/")
    # Neither a member nor another branch's secretary records results.
    assert member.submit(f"/meetings/{meeting}/results", {"resolution": "x"},
                         form_page=f"/meetings/{meeting}").status_code == 404
    assert as_role("secretary_other_branch").submit(f"/meetings/{meeting}/issue", {},
                                                    form_page="/account").status_code == 404


def test_results_wait_for_the_meeting_to_be_held(app, as_role, branch):
    meeting = make_meeting(app, branch)
    response = as_role("secretary").submit(f"/meetings/{meeting}/results", {"resolution": "Sớm quá"})
    assert response.status_code == 400 and meeting_row(app, meeting)["resolution"] is None


def test_minutes_as_a_pdf_or_several_phone_photos(app, as_role, accounts, branch):
    meeting = held(app, branch, accounts)
    secretary = as_role("secretary")
    page = secretary.text(f"/meetings/{meeting}/minutes")
    assert 'accept="image/*,.pdf,.docx"' in page and "capture" in page and "multiple" in page
    photos = [(io.BytesIO(samples.photo("JPEG")), f"IMG_{n}.jpg") for n in range(3)]
    response = secretary.submit(f"/meetings/{meeting}/minutes", {"pages": photos},
                                content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    response = secretary.submit(f"/meetings/{meeting}/minutes",
                                {"pages": [(io.BytesIO(samples.pdf("Bien ban hop chi bo")), "bien-ban.pdf")]},
                                content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        rows = list(db.session.scalars(select(MeetingFile).where(MeetingFile.meeting_id == meeting)
                                       .order_by(MeetingFile.position)))
    assert [r.role for r in rows] == ["minutes"] * 4 and rows[0].title == "Trang 1" and rows[3].title == "bien-ban.pdf"
    served = secretary.get(f"/meetings/{meeting}/minutes/{rows[0].id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg" and served.headers["Cache-Control"] == "no-store"
    assert len(served.get_data()) < len(samples.photo("JPEG"))  # resized and re-encoded
    member = as_role("member")
    assert member.get(f"/meetings/{meeting}/minutes/{rows[3].id}").status_code == 200  # a participant
    assert "bien-ban.pdf" in member.text(f"/meetings/{meeting}")
    for role in ("member_other_branch", "secretary_other_branch", "other_province_admin"):
        assert as_role(role).get(f"/meetings/{meeting}/minutes/{rows[3].id}").status_code == 404, role
    assert member.get(f"/meetings/{meeting}/minutes").status_code == 404  # uploading is the secretary's


def test_disguised_file_is_refused_with_a_message_and_nothing_kept(app, as_role, accounts, branch):
    meeting = held(app, branch, accounts)
    response = as_role("secretary").submit(
        f"/meetings/{meeting}/minutes", {"pages": [(io.BytesIO(b"MZ\x90\x00 not a picture"), "anh.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "anh.jpg" in response.get_data(as_text=True)
    empty = as_role("secretary").submit(f"/meetings/{meeting}/minutes", {})
    assert empty.status_code == 400 and "Đồng chí chọn tệp biên bản" in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(MeetingFile.id)).where(MeetingFile.meeting_id == meeting)) == 0


def test_members_rate_once_and_the_secretary_sees_no_names(app, as_role, accounts, branch):
    meeting = held(app, branch, accounts)
    member, secretary = as_role("member"), as_role("secretary")
    assert member.submit(f"/meetings/{meeting}/rating", {"score": "4", "comment": "Họp đúng giờ"}).status_code == 302
    assert member.submit(f"/meetings/{meeting}/rating", {"score": "2", "comment": "Nên ngắn hơn"}).status_code == 302
    secretary.submit(f"/meetings/{meeting}/rating", {"score": "5"})
    stored = meeting_row(app, meeting)
    assert (stored["rating_count"], stored["rating_sum"]) == (2, 7)  # one per member, updated
    with app.app_context():
        assert db.session.scalar(select(func.count(Rating.id)).where(Rating.meeting_id == meeting)) == 2
    page = secretary.text(f"/meetings/{meeting}/rating")
    assert "Điểm trung bình 3,5/5 từ 2 lượt đánh giá." in page and "Nên ngắn hơn" in page
    assert "Họp đúng giờ" not in page
    with app.app_context():
        name = db.session.scalar(select(User.display_name).where(User.login == accounts["member"]["login"]))
    assert name not in page.split("<main")[1].split("</main>")[0]
    bad = member.submit(f"/meetings/{meeting}/rating", {"score": "9"})
    assert bad.status_code == 400 and "Đồng chí chọn điểm từ 1 đến 5." in bad.get_data(as_text=True)
    assert as_role("family_helper").submit(f"/meetings/{meeting}/rating", {"score": "1"},
                                           form_page="/account").status_code == 404
    assert as_role("member_other_branch").get(f"/meetings/{meeting}/rating").status_code == 404
    assert meeting_row(app, meeting)["rating_sum"] == 7


def test_absent_members_do_not_rate(app, as_role, accounts, branch):
    meeting = held(app, branch, accounts, present=("secretary",))
    member = as_role("member")
    assert "Đồng chí có mặt ở buổi họp mới đánh giá được." in member.text(f"/meetings/{meeting}/rating")
    refused = member.submit(f"/meetings/{meeting}/rating", {"score": "5"}, form_page="/account")
    assert refused.status_code == 400 and "mới đánh giá được" in refused.get_data(as_text=True)
    assert as_role("grassroots_admin").submit(f"/meetings/{meeting}/rating", {"score": "5"},
                                              form_page="/account").status_code == 404
    assert meeting_row(app, meeting)["rating_count"] == 0


def test_report_goes_up_to_the_grassroots_and_later_edits_keep_history(app, as_role, accounts, branch):
    meeting = held(app, branch, accounts)
    secretary = as_role("secretary")
    secretary.submit(f"/meetings/{meeting}/results", {"conclusions": "Kết luận cũ", "resolution": ""})
    response = secretary.submit(f"/meetings/{meeting}/report", {}, form_page=f"/meetings/{meeting}/results")
    assert response.status_code == 302
    stored = meeting_row(app, meeting)
    assert stored["status"] == "reported" and stored["reported_at"] is not None
    grassroots = as_role("grassroots_admin")
    assert "Báo cáo sinh hoạt của" in grassroots.text("/inbox/")
    secretary.submit(f"/meetings/{meeting}/results", {"conclusions": "Kết luận mới", "resolution": ""})
    with app.app_context():
        changes = [(r.field, r.old_value, r.new_value) for r in db.session.scalars(
            select(Revision).where(Revision.meeting_id == meeting))]
    assert ("conclusions", "Kết luận cũ", "Kết luận mới") in changes
    # Sent twice: told once.
    secretary.submit(f"/meetings/{meeting}/report", {}, form_page=f"/meetings/{meeting}/results")
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meetings.report", Notification.url == f"/meetings/{meeting}")) >= 1
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meetings.report", Notification.url == f"/meetings/{meeting}")) == \
            len({n for n in db.session.scalars(select(Notification.user_id).where(
                Notification.kind == "meetings.report", Notification.url == f"/meetings/{meeting}"))})
    # A meeting not held yet cannot be reported.
    ahead = make_meeting(app, branch)
    assert secretary.submit(f"/meetings/{ahead}/report", {}, form_page="/account").status_code == 303
    assert meeting_row(app, ahead)["status"] == "invited"
    assert participants(app, meeting)
