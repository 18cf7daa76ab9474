"""The weekly summary: one notification per branch with the right counts, once per week however
often the job runs, hidden from those who turned it off, texted to those who asked for it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.jobs import JobRecord, enqueue
from core.notify.models import Notification
from core.org.models import Organisation, utcnow
from tests.core.test_notify import clear_inbox, count_menu, org_id, province_id, publish, real_queue
from tests.plugins.support import dispose, make_app

SENT: list = []
# The digest runs "at" a moment well ahead, with the test's items dated in the week before it:
# the demo's own content (published when the demo was seeded) is then not this week's news.
LATER = utcnow() + timedelta(days=100)


def this_week(days: float = 1):
    return LATER - timedelta(days=days)


class Recorder:
    """A message sender (MESSAGE_SENDER) that keeps what it would have sent."""

    def send(self, message) -> bool:
        SENT.append(message)
        return True


@pytest.fixture
def app(db_uri, tmp_path):
    SENT.clear()
    app = make_app(db_uri, tmp_path / "instance", MESSAGE_SENDER="tests.core.test_digest:Recorder",
                   **real_queue())
    clear_inbox(app)
    yield app
    dispose(app)


def digests(app) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(select(Notification.org_id, Notification.title)
                                       .where(Notification.kind == "digest")).all())


def branches_of(app, province: int) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Organisation.id).where(
            Organisation.province_id == province, Organisation.level == "branch")))


def run_digest(app) -> dict:
    with app.app_context():
        record = enqueue("notify.digest", now=LATER.isoformat())
        return db.session.get(JobRecord, record.id).result


def test_the_digest_counts_per_branch_and_runs_once_a_week(app, as_role, accounts):
    province = province_id(app, accounts)
    branch_a, branch_b = org_id(app, accounts, "member"), org_id(app, accounts, "member_other_branch")
    publish(app, province, "document", "Nghị quyết của Tỉnh ủy về chuyển đổi số", publish_at=this_week(1))
    publish(app, province, "document", "Chỉ thị về công tác phòng, chống thiên tai", publish_at=this_week(6))
    publish(app, province, "news", "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 20", publish_at=this_week(2))
    publish(app, branch_a, "document", "Tài liệu sinh hoạt chi bộ tháng 11", publish_at=this_week(3))
    publish(app, branch_a, "announcement", "Họp chi bộ ngày 5", publish_at=this_week(1))  # not counted
    publish(app, province, "document", "Văn bản cũ", publish_at=this_week(10))
    publish(app, province, "document", "Văn bản hẹn giờ", publish_at=this_week(-1))
    first = run_digest(app)
    assert first["created"] == len(branches_of(app, province))  # every branch got province news
    again = run_digest(app)
    assert again["created"] == 0
    found = digests(app)
    assert set(found) == branches_of(app, province)  # nothing for the other province's branches
    assert found[branch_a] == "Tuần này có 3 văn bản, 1 tin mới"
    assert found[branch_b] == "Tuần này có 2 văn bản, 1 tin mới"
    member = as_role("member")
    inbox = member.text("/inbox/")
    assert "Tuần này có 3 văn bản, 1 tin mới" in inbox and "Bản tin tổng hợp văn bản mới hằng tuần" in inbox
    assert "Tuần này có 2 văn bản" in as_role("member_other_branch").text("/inbox/")
    assert "Tuần này có" not in as_role("other_province_admin").text("/inbox/")
    # Turned off: gone from the inbox and from the count.
    before = count_menu(member.text("/"))
    member.submit("/inbox/prefs", {"kinds": ["new_document", "new_news", "announcement"]})
    assert "Tuần này có" not in member.text("/inbox/")
    assert count_menu(member.text("/")) == before - 1


def test_the_digest_leads_to_the_documents(app, as_role, accounts):
    publish(app, province_id(app, accounts), "document", "Quy định về kiểm tra, giám sát", publish_at=this_week())
    run_digest(app)
    member = as_role("member")
    with app.app_context():
        note = db.session.scalar(select(Notification.id).where(Notification.kind == "digest",
                                                               Notification.org_id == org_id(app, accounts, "member")))
    assert member.get(f"/inbox/{note}").location.endswith("/documents/")


def test_nothing_new_means_no_digest(app, accounts):
    assert run_digest(app)["created"] == 0
    assert digests(app) == {}


def test_members_who_asked_get_the_digest_by_text_once(app, as_role, accounts):
    publish(app, org_id(app, accounts, "member"), "news", "Chi bộ ra quân làm đường giao thông nông thôn",
            publish_at=this_week())
    member = as_role("member")
    prefs = member.text("/inbox/prefs")
    assert "Nhận cả bản tin hằng tuần qua tin nhắn điện thoại" in prefs
    member.submit("/inbox/prefs", {"kinds": ["new_document", "new_news", "announcement", "digest",
                                             "digest_sms"]})
    run_digest(app)
    run_digest(app)
    assert [m.text for m in SENT] == ["Tuần này có 0 văn bản, 1 tin mới"]


def test_the_digest_counts_with_two_grouped_queries(app, accounts):
    """5,000 branches must not mean 5,000 queries: the statements do not grow with the tree."""
    from sqlalchemy import event

    publish(app, province_id(app, accounts), "document", "Hướng dẫn số 12", publish_at=this_week())
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        run_digest(app)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    counting = [s for s in seen if "FROM content_item" in s]
    assert len(counting) == 2  # one per province
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id))) > 1
