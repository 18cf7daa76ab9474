"""notify_audience: one notification for everyone an Audience addresses — the secretaries of a
grassroots organisation, or a whole subtree — seen in each person's inbox, and sent once."""
from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from core.notify.models import Notification
from core.notify.service import notify_audience
from core.org.roster import Audience
from tests.core.test_notify import clear_inbox
from tests.plugins.support import org_named


def test_secretaries_only_and_once(app, as_role, accounts):
    clear_inbox(app)
    grassroots = org_named(app, accounts["grassroots_admin"]["org"]).id
    secretaries = Audience(org_ids=(grassroots,), roles=("secretary",))
    with app.app_context():
        sent = notify_audience("announcement", "Hội thi bí thư chi bộ giỏi mở đăng ký", secretaries,
                               url="/", dedupe_key="contest-7")
        db.session.commit()
        again = notify_audience("announcement", "Hội thi bí thư chi bộ giỏi mở đăng ký", secretaries,
                                url="/", dedupe_key="contest-7")
        db.session.commit()
        rows = db.session.scalar(select(func.count(Notification.id)))
    assert sent >= 2 and again == 0 and rows == sent  # the second run (a job run twice) adds nothing
    for role in ("secretary", "secretary_other_branch"):
        assert "Hội thi bí thư chi bộ giỏi" in as_role(role).text("/inbox/")
    for role in ("member", "member_other_branch", "family_helper"):
        assert "Hội thi bí thư chi bộ giỏi" not in as_role(role).text("/inbox/")


def test_a_whole_subtree_is_one_row_that_everyone_below_reads(app, as_role, accounts):
    clear_inbox(app)
    branch = org_named(app, accounts["member"]["org"]).id
    with app.app_context():
        assert notify_audience("announcement", "Chi bộ họp thường kỳ sáng thứ Bảy",
                               Audience(org_ids=(branch,), statuses=("active", "exempt"))) == 1
        db.session.commit()
        assert db.session.scalar(select(func.count(Notification.id))) == 1
    for role in ("member", "secretary", "family_helper"):
        assert "Chi bộ họp thường kỳ sáng thứ Bảy" in as_role(role).text("/inbox/")
    assert "Chi bộ họp thường kỳ" not in as_role("member_other_branch").text("/inbox/")
