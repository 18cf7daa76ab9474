"""Content (news, documents, announcements, pages, attachments, bookmarks, feeds), the
notification inbox, and one-use authenticator codes.

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-11-21 07:05:45.497581

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'core_0002'
down_revision = 'core_0001'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('content_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_checked_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_content_feed_org_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_feed'))
    )
    with op.batch_alter_table('content_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_feed_org_id'), ['org_id'], unique=False)

    op.create_table('content_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=True),
    sa.Column('issuer', sa.String(length=255), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('publish_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=True),
    sa.Column('source_url', sa.String(length=1000), nullable=True),
    sa.Column('external_id', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_content_item_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_content_item_org_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_item')),
    sa.UniqueConstraint('source_name', 'external_id', name='uq_content_item_source')
    )
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_item_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_item_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_item_org_id'), ['org_id'], unique=False)
        batch_op.create_index('ix_content_item_visible', ['org_id', 'status', 'publish_at'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_notification_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notification_dedupe_key'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_org', ['org_id', 'created_at'], unique=False)
        batch_op.create_index('ix_notification_user', ['user_id', 'created_at'], unique=False)

    op.create_table('notification_pref',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_pref_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_pref'))
    )
    op.create_table('content_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_content_attachment_item_id_content_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_attachment')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_content_attachment_storage_key'))
    )
    with op.batch_alter_table('content_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_attachment_item_id'), ['item_id'], unique=False)

    op.create_table('content_bookmark',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_content_bookmark_item_id_content_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_content_bookmark_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'item_id', name=op.f('pk_content_bookmark'))
    )
    op.create_table('content_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('edited_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['edited_by_id'], ['user_account.id'], name=op.f('fk_content_revision_edited_by_id_user_account')),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_content_revision_item_id_content_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_revision'))
    )
    with op.batch_alter_table('content_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_revision_item_id'), ['item_id'], unique=False)

    op.create_table('notification_read',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_notification_read_notification_id_notification'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_read_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'notification_id', name=op.f('pk_notification_read'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))




def downgrade():

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')

    op.drop_table('notification_read')
    with op.batch_alter_table('content_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_revision_item_id'))

    op.drop_table('content_revision')
    op.drop_table('content_bookmark')
    with op.batch_alter_table('content_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_attachment_item_id'))

    op.drop_table('content_attachment')
    op.drop_table('notification_pref')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user')
        batch_op.drop_index('ix_notification_org')

    op.drop_table('notification')
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.drop_index('ix_content_item_visible')
        batch_op.drop_index(batch_op.f('ix_content_item_org_id'))
        batch_op.drop_index(batch_op.f('ix_content_item_kind'))
        batch_op.drop_index(batch_op.f('ix_content_item_category'))

    op.drop_table('content_item')
    with op.batch_alter_table('content_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_feed_org_id'))

    op.drop_table('content_feed')

