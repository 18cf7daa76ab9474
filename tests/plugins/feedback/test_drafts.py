"""Comments on a draft document: opened by an administrator for a period, commented section by
section by members, read grouped by section and organisation, exported to Excel."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.content.models import ContentItem
from core.extensions import db
from plugins.feedback.models import FeedbackDraft, FeedbackDraftComment
from tests.plugins.feedback.support import org_id, user_named
from tests.plugins.support import dispose, make_app, province_of_role, switch
from tests.support import local_today


@pytest.fixture
def app(db_uri, tmp_path, accounts):
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="")
    switch(app, province_of_role(app, accounts, "member"), "feedback", True)
    yield app
    dispose(app)


@pytest.fixture
def document(app, accounts) -> int:
    with app.app_context():
        item = ContentItem(org_id=org_id(app, accounts, "grassroots_admin"), kind="document", status="published",
                           title="Dự thảo Báo cáo chính trị Đại hội Đảng bộ xã nhiệm kỳ 2025-2030",
                           body="<p>Phần I...</p>")
        db.session.add(item)
        db.session.commit()
        return item.id


def open_draft(admin, app, accounts, document, opens=0, closes=10) -> int:
    today = local_today()
    response = admin.submit("/feedback/drafts/new", {
        "content_id": str(document), "org_id": str(org_id(app, accounts, "grassroots_admin")), "title": "",
        "sections": "Phần I. Đánh giá kết quả nhiệm kỳ\nPhần II. Phương hướng, nhiệm vụ\nPhần III. Xây dựng Đảng",
        "opens_on": (today + timedelta(days=opens)).isoformat(),
        "closes_on": (today + timedelta(days=closes)).isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(response.location.rsplit("/", 1)[1])


def test_members_comment_by_section_and_the_admin_reads_them_grouped(app, as_role, accounts, document):
    admin = as_role("grassroots_admin")
    did = open_draft(admin, app, accounts, document)
    member, other = as_role("member"), as_role("member_other_branch")
    assert "Dự thảo Báo cáo chính trị" in member.text("/feedback/drafts")
    page = member.text(f"/feedback/drafts/{did}")
    assert "Phần II. Phương hướng, nhiệm vụ" in page and f'href="/c/{document}"' in page
    response = member.submit(f"/feedback/drafts/{did}", {"s0": "Cần nêu rõ kết quả xây dựng nông thôn mới.",
                                                         "s2": "Bổ sung chỉ tiêu kết nạp đảng viên trẻ."})
    assert response.status_code == 302
    assert "Cảm ơn đồng chí, góp ý đã được ghi nhận." in member.text(f"/feedback/drafts/{did}")
    other.submit(f"/feedback/drafts/{did}", {"s0": "Đánh giá thêm về giảm nghèo."})
    page = admin.text(f"/feedback/drafts/{did}/comments")
    assert "3 ý kiến góp ý." in page
    first = page.index("Phần I. Đánh giá kết quả nhiệm kỳ")
    assert first < page.index("Cần nêu rõ kết quả") < page.index("Phần II.") < page.index("Bổ sung chỉ tiêu")
    assert accounts["member"]["org"] in page and accounts["member_other_branch"]["org"] in page
    assert "Phần này chưa có góp ý." in page
    rows = list(load_workbook(io.BytesIO(admin.get(f"/feedback/drafts/{did}/comments.xlsx").data)).active.iter_rows(values_only=True))
    name = user_named(app, accounts, "member").display_name
    assert ("Phần III. Xây dựng Đảng", accounts["member"]["org"], name, "Bổ sung chỉ tiêu kết nạp đảng viên trẻ.") in rows
    for role in ("member", "secretary", "other_province_admin"):
        assert as_role(role).get(f"/feedback/drafts/{did}/comments").status_code == 404, role
    assert as_role("other_province_admin").get(f"/feedback/drafts/{did}").status_code == 404


def test_comments_outside_the_period_and_empty_ones_are_refused_with_the_text_kept(app, as_role, accounts, document):
    admin, member = as_role("grassroots_admin"), as_role("member")
    did = open_draft(admin, app, accounts, document)
    response = member.submit(f"/feedback/drafts/{did}", {"s0": "  "})
    assert response.status_code == 400 and "Đồng chí hãy góp ý ít nhất một phần." in response.get_data(as_text=True)
    with app.app_context():
        draft = db.session.get(FeedbackDraft, did)
        draft.opens_on, draft.closes_on = local_today() - timedelta(days=9), local_today() - timedelta(days=1)
        db.session.commit()
    response = member.submit(f"/feedback/drafts/{did}", {"s1": "Góp ý muộn"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Chỉ nhận góp ý từ" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(FeedbackDraftComment.id))) == 0
    response = admin.submit("/feedback/drafts/new", {"content_id": "999999", "org_id": "x", "sections": "",
                                                     "opens_on": "2026-12-10", "closes_on": "2026-12-01"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for message in ("Đồng chí chọn văn bản dự thảo.", "Đồng chí chọn tổ chức lấy ý kiến.",
                    "Đồng chí ghi các phần của dự thảo", "Ngày đóng không được trước ngày mở."):
        assert message in page, message
    assert member.get("/feedback/drafts/new").status_code == 404
