"""An applied member import kept as one batch (member_import) with what it did to each member
(member_import_change: created, or fields updated with old and new values), so it can be undone.

Revision ID: core_0006
Revises: core_0004
Create Date: 2026-12-02 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'core_0006'
down_revision = 'core_0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'member_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('undone_at', sa.DateTime(), nullable=True),
        sa.Column('undone_by_id', sa.Integer(), nullable=True),
        sa.Column('undo_report', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_member_import_org_id_org')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_member_import_user_id_user_account')),
        sa.ForeignKeyConstraint(['undone_by_id'], ['user_account.id'],
                                name=op.f('fk_member_import_undone_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_member_import')),
        sa.UniqueConstraint('token', name=op.f('uq_member_import_token')),
    )
    with op.batch_alter_table('member_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_import_org_id'), ['org_id'], unique=False)
    op.create_table(
        'member_import_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('row', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.Column('result', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(['import_id'], ['member_import.id'], ondelete='CASCADE',
                                name=op.f('fk_member_import_change_import_id_member_import')),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='SET NULL',
                                name=op.f('fk_member_import_change_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_member_import_change')),
    )
    with op.batch_alter_table('member_import_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_import_change_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_import_change_member_id'), ['member_id'], unique=False)


def downgrade():
    op.drop_table('member_import_change')
    op.drop_table('member_import')
