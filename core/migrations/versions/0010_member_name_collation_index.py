"""On PostgreSQL, member lists are ordered by name in Vietnamese (collation "vi-x-icu", core/collation.py):
the index on member (full_name, id) orders by code points and no longer serves them, so a province
administrator's first page sorted the whole province again. Index the collated name instead.

SQLite keeps core_0004's index: its "vi" collation is registered by the app on each connection, and
an index built on it would make the file unwritable for any tool that opens it without the app.

Revision ID: core_0010
Revises: core_0009
Create Date: 2026-12-04 19:40:00

"""
from alembic import op

revision = 'core_0010'
down_revision = 'core_0009'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute('CREATE INDEX ix_member_name_vi ON member (full_name COLLATE "vi-x-icu", id)')
    op.drop_index('ix_member_name', table_name='member')


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index('ix_member_name', 'member', ['full_name', 'id'])
    op.drop_index('ix_member_name_vi', table_name='member')
