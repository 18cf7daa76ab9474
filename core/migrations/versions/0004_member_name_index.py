"""An index on member (full_name, id): member lists are ordered by name, and a province
administrator's first page no longer sorts the whole province.

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-11-21 09:30:00

"""
from alembic import op

revision = 'core_0004'
down_revision = 'core_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_member_name', 'member', ['full_name', 'id'])


def downgrade():
    op.drop_index('ix_member_name', table_name='member')
