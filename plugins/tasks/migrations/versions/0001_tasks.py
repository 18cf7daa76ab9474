"""The tasks plugin's tables: tasks with their files, the rows by which they reach members and
branches, the rows' history (reports, decisions, extensions), personal calendar entries, feeds.

Revision ID: tasks_0001
Revises:
Create Date: 2026-12-03 16:43:12.464857

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tasks_0001'
down_revision = None
branch_labels = ('tasks',)
depends_on = 'core_0009'


def upgrade():
    op.create_table('tasks_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_tasks_entry_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks_entry'))
    )
    with op.batch_alter_table('tasks_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_entry_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_entry_user_id'), ['user_id'], unique=False)

    op.create_table('tasks_feed',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_tasks_feed_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_tasks_feed')),
    sa.UniqueConstraint('token', name=op.f('uq_tasks_feed_token'))
    )
    op.create_table('tasks_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('repeat', sa.String(length=20), nullable=False),
    sa.Column('repeat_of_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_tasks_task_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_tasks_task_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['province_id'], ['org.id'], name=op.f('fk_tasks_task_province_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['repeat_of_id'], ['tasks_task.id'], name=op.f('fk_tasks_task_repeat_of_id_tasks_task'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks_task')),
    sa.UniqueConstraint('repeat_of_id', name=op.f('uq_tasks_task_repeat_of_id'))
    )
    with op.batch_alter_table('tasks_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_task_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_task_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_task_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_task_province_id'), ['province_id'], unique=False)

    op.create_table('tasks_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['core_file.id'], name=op.f('fk_tasks_file_file_id_core_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks_task.id'], name=op.f('fk_tasks_file_task_id_tasks_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks_file'))
    )
    with op.batch_alter_table('tasks_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_file_task_id'), ['task_id'], unique=False)

    op.create_table('tasks_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('branch_row_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_tasks_row_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_tasks_row_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['branch_row_id'], ['tasks_row.id'], name=op.f('fk_tasks_row_branch_row_id_tasks_row'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks_task.id'], name=op.f('fk_tasks_row_task_id_tasks_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks_row')),
    sa.UniqueConstraint('task_id', 'org_id', 'member_id', name='uq_tasks_row_task_org_member')
    )
    with op.batch_alter_table('tasks_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_row_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_tasks_row_member_state_due', ['member_id', 'state', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_row_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_row_branch_row_id'), ['branch_row_id'], unique=False)
        batch_op.create_index('ix_tasks_row_task_state_due', ['task_id', 'state', 'due_on'], unique=False)

    op.create_table('tasks_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('asked_due_on', sa.Date(), nullable=True),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_tasks_report_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['core_file.id'], name=op.f('fk_tasks_report_file_id_core_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['row_id'], ['tasks_row.id'], name=op.f('fk_tasks_report_row_id_tasks_row'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks_report'))
    )
    with op.batch_alter_table('tasks_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_report_row_id'), ['row_id'], unique=False)



def downgrade():
    with op.batch_alter_table('tasks_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_report_row_id'))

    op.drop_table('tasks_report')
    with op.batch_alter_table('tasks_row', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_row_task_state_due')
        batch_op.drop_index(batch_op.f('ix_tasks_row_branch_row_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_row_org_id'))
        batch_op.drop_index('ix_tasks_row_member_state_due')
        batch_op.drop_index(batch_op.f('ix_tasks_row_member_id'))

    op.drop_table('tasks_row')
    with op.batch_alter_table('tasks_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_file_task_id'))

    op.drop_table('tasks_file')
    with op.batch_alter_table('tasks_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_task_province_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_task_org_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_task_due_on'))
        batch_op.drop_index(batch_op.f('ix_tasks_task_created_at'))

    op.drop_table('tasks_task')
    op.drop_table('tasks_feed')
    with op.batch_alter_table('tasks_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_entry_user_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_entry_starts_at'))

    op.drop_table('tasks_entry')
