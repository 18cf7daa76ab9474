"""The read-aloud plugin's tables: readings (the audio of one text version of a content item)
and their sections (stored files).

Revision ID: readaloud_0001
Revises:
Create Date: 2026-12-04 15:25:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'readaloud_0001'
down_revision = None
branch_labels = ('readaloud',)
depends_on = 'core_0009'


def upgrade():
    op.create_table('readaloud_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_readaloud_reading_item_id_content_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_readaloud_reading_org_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readaloud_reading')),
    sa.UniqueConstraint('item_id', 'text_hash', name=op.f('uq_readaloud_reading_item_id'))
    )
    with op.batch_alter_table('readaloud_reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readaloud_reading_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_readaloud_reading_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_readaloud_reading_status'), ['status'], unique=False)

    op.create_table('readaloud_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reading_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['core_file.id'], name=op.f('fk_readaloud_section_file_id_core_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reading_id'], ['readaloud_reading.id'], name=op.f('fk_readaloud_section_reading_id_readaloud_reading'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readaloud_section')),
    sa.UniqueConstraint('reading_id', 'number', name=op.f('uq_readaloud_section_reading_id'))
    )
    with op.batch_alter_table('readaloud_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readaloud_section_reading_id'), ['reading_id'], unique=False)


def downgrade():
    with op.batch_alter_table('readaloud_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readaloud_section_reading_id'))
    op.drop_table('readaloud_section')
    with op.batch_alter_table('readaloud_reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readaloud_reading_status'))
        batch_op.drop_index(batch_op.f('ix_readaloud_reading_org_id'))
        batch_op.drop_index(batch_op.f('ix_readaloud_reading_item_id'))
    op.drop_table('readaloud_reading')
