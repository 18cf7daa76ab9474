"""Where each account stopped listening to an item (readaloud_position), so the player resumes
there on another visit.

Revision ID: readaloud_0002
Revises: readaloud_0001
Create Date: 2026-12-04 19:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'readaloud_0002'
down_revision = 'readaloud_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('readaloud_position',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_readaloud_position_item_id_content_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_readaloud_position_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'item_id', name=op.f('pk_readaloud_position'))
    )
    with op.batch_alter_table('readaloud_position', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readaloud_position_item_id'), ['item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('readaloud_position', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readaloud_position_item_id'))
    op.drop_table('readaloud_position')
