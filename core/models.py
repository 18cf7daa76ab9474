"""Imports every core model so that db.metadata (and Alembic) knows the core's tables."""
from core.audit import AuditEntry  # noqa: F401
from core.auth.models import AccountName, ResetRequest, Throttle, User, UserSession  # noqa: F401
from core.content.models import Attachment, Bookmark, ContentItem, ContentRevision, FeedSource  # noqa: F401
from core.files.models import StoredFile  # noqa: F401
from core.jobs import JobRecord  # noqa: F401
from core.members.batches import MemberImport, MemberImportChange  # noqa: F401
from core.notify.models import Notification, NotificationPreference, NotificationRead  # noqa: F401
from core.outbox import OutboxEntry  # noqa: F401
from core.org.models import (  # noqa: F401
    MemberEvent, Member, OrgClosure, Organisation, OrgSetting, PluginState, RoleAssignment,
)
from core.web import IdempotencyKey  # noqa: F401


# The member-name index is per dialect (migration core_0010): (full_name, id) on SQLite,
# (full_name COLLATE "vi-x-icu", id) on PostgreSQL, which the model cannot declare.
MEMBER_NAME_INDEXES = ("ix_member_name", "ix_member_name_vi")


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: the search index's own tables (SQLite FTS5) are made by migration
    core_0003 with raw SQL and have no model, so autogenerate must not offer to drop them; the
    member-name index differs per dialect."""
    if type_ == "index" and name in MEMBER_NAME_INDEXES:
        return False
    return not (type_ == "table" and reflected and compare_to is None
                and name.startswith("content_search"))
