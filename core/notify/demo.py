"""Demo data for the inbox: the demo's published content announced, a weekly summary, a personal
notice for the branch secretary, and a portal feed the province administrator can try."""
from __future__ import annotations

from sqlalchemy import select

from core.content.models import ContentItem, FeedSource, Status
from core.extensions import db
from core.notify.digest import weekly_digest
from core.notify.hooks import KIND_OF, announce
from core.notify.service import ANNOUNCEMENT, notify
from core.org.models import Organisation


class _Quiet:
    """A JobContext stand-in for running a job's function inline."""

    def progress(self, percent: int, message: str | None = None) -> None:
        db.session.commit()


def seed_demo_notifications(province_id: int, branch_id: int, secretary_user_id: int | None = None) -> None:
    """Call after the demo's content is seeded (it announces what is published)."""
    items = db.session.scalars(select(ContentItem.id).join(Organisation, Organisation.id == ContentItem.org_id)
                               .where(Organisation.province_id == province_id,
                                      ContentItem.status == Status.PUBLISHED.value,
                                      ContentItem.kind.in_(list(KIND_OF))).order_by(ContentItem.id)).all()
    for item_id in items:
        announce(item_id)  # once per item (dedupe key); scheduled items wait for their time
    notify(ANNOUNCEMENT, "Chi bộ họp thường kỳ lúc 8 giờ sáng thứ Bảy, tại nhà văn hóa xóm",
           body="Đề nghị các đồng chí đảng viên dự họp đầy đủ, đúng giờ.", org_id=branch_id,
           dedupe_key=f"demo:meeting:{branch_id}")
    if secretary_user_id:
        notify(ANNOUNCEMENT, "Đồng chí có 1 yêu cầu cấp lại mật khẩu đang chờ", url="/members/resets",
               user_id=secretary_user_id, dedupe_key=f"demo:resets:{secretary_user_id}")
    db.session.commit()
    weekly_digest(_Quiet())
    if db.session.scalar(select(FeedSource.id).where(FeedSource.org_id == province_id)) is None:
        # Inactive: the demo has no network to the portal; "Check now" shows how an error looks.
        db.session.add(FeedSource(org_id=province_id, name="Cổng TTĐT Đảng bộ tỉnh",
                                  url="https://tinhuy.example.vn/rss", active=False))
        db.session.commit()
