"""Organisation tree (with a closure table), members, roles, per-org settings and plugin state."""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Level(str, enum.Enum):
    """Levels of the tree, top to bottom; a sub-unit between grassroots and branch is optional."""

    PROVINCE = "province"
    DISTRICT = "district"
    GRASSROOTS = "grassroots"
    SUBUNIT = "subunit"
    BRANCH = "branch"


# Which level may sit directly under which.
CHILD_LEVELS = {
    Level.PROVINCE: (Level.DISTRICT,),
    Level.DISTRICT: (Level.GRASSROOTS,),
    Level.GRASSROOTS: (Level.SUBUNIT, Level.BRANCH),
    Level.SUBUNIT: (Level.BRANCH,),
    Level.BRANCH: (),
}


class Organisation(db.Model):
    __tablename__ = "org"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"), index=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    @property
    def is_branch(self) -> bool:
        return self.level == Level.BRANCH.value


class OrgClosure(db.Model):
    """One row per (ancestor, descendant) pair, itself included: subtrees are one indexed query."""

    __tablename__ = "org_closure"

    ancestor_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), primary_key=True)
    descendant_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), primary_key=True)
    depth: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_org_closure_descendant", "descendant_id", "ancestor_id"),)


class MemberKind(str, enum.Enum):
    OFFICIAL = "official"
    PROBATIONARY = "probationary"


class MemberStatus(str, enum.Enum):
    ACTIVE = "active"
    EXEMPT = "exempt"  # miễn sinh hoạt
    DECEASED = "deceased"
    REMOVED = "removed"  # xóa tên
    EXPELLED = "expelled"  # khai trừ


# Still a member of the Party: active, or exempt from activities (miễn sinh hoạt). The one
# definition, for Python (`Member.in_good_standing`) and for queries (`Member.status.in_(...)`).
IN_GOOD_STANDING = (MemberStatus.ACTIVE.value, MemberStatus.EXEMPT.value)


class Member(db.Model):
    __tablename__ = "member"
    # Lists are ordered by name: a province administrator's first page of 100,000 members walks
    # this index instead of sorting them all (44 ms → 0.7 ms on PostgreSQL at 100,000 members).
    # On PostgreSQL the order is Vietnamese (core/collation.py): migration core_0010 replaces it
    # there with ix_member_name_vi on the collated name (MEMBER_NAME_INDEXES in core/models.py).
    __table_args__ = (Index("ix_member_name", "full_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(255))
    card_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16), default=MemberKind.OFFICIAL.value)
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.ACTIVE.value, index=True)
    admission_date: Mapped[date | None] = mapped_column(Date)
    official_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    org: Mapped[Organisation] = relationship()

    @property
    def in_good_standing(self) -> bool:
        """Still a member of the Party (active or exempt from activities)."""
        return self.status in IN_GOOD_STANDING


class MemberEvent(db.Model):
    """The history of a member: admission, status changes and transfers, each with its date."""

    __tablename__ = "member_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    on_date: Mapped[date] = mapped_column(Date)
    from_org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"))
    to_org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"))
    value: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RoleAssignment(db.Model):
    """A role held over an organisation's whole subtree."""

    __tablename__ = "role_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    org: Mapped[Organisation] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "org_id", "role", name="uq_role_assignment"),)


class OrgSetting(db.Model):
    """A setting declared by the core or a plugin, set on an organisation and inherited below it."""

    __tablename__ = "org_setting"

    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class PluginState(db.Model):
    """Whether a loaded plugin is enabled for a province (absent row: the plugin's default)."""

    __tablename__ = "plugin_state"

    province_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
