"""Backup codes for the staff second factor (`backup_code`), and the device that last used an
authenticator code (`user_account.totp_last_device`).

A plain ADD COLUMN, not a batch rebuild: rebuilding `user_account` on SQLite drops and
re-creates the table, and the ON DELETE CASCADE of `user_session` would end every session.

Revision ID: core_0009
Revises: core_0008
Create Date: 2026-12-03 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'core_0009'
down_revision = 'core_0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('backup_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_backup_code_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backup_code'))
    )
    op.create_index(op.f('ix_backup_code_user_id'), 'backup_code', ['user_id'], unique=False)
    op.add_column('user_account', sa.Column('totp_last_device', sa.String(length=32), nullable=True))


def downgrade():
    # SQLite (3.35+) drops a plain column without rebuilding the table, so sessions stay.
    op.drop_column('user_account', 'totp_last_device')
    op.drop_index(op.f('ix_backup_code_user_id'), table_name='backup_code')
    op.drop_table('backup_code')
