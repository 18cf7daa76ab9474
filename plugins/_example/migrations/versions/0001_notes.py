"""The example plugin's first table: example_note.

Revision ID: example_0001
Revises:
Create Date: 2026-11-21 06:12:01.562618

The first migration of a plugin starts its own branch (branch_labels = the plugin's name) and
depends on the core's tables it refers to."""
from alembic import op
import sqlalchemy as sa


revision = 'example_0001'
down_revision = None
branch_labels = ('_example',)
depends_on = 'core_0001'


def upgrade():
    op.create_table('example_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_example_note_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_example_note_org_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_example_note'))
    )
    with op.batch_alter_table('example_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_example_note_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_example_note_org_id'), ['org_id'], unique=False)


def downgrade():
    with op.batch_alter_table('example_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_example_note_org_id'))
        batch_op.drop_index(batch_op.f('ix_example_note_created_at'))
    op.drop_table('example_note')
