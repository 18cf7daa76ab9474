"""Deadlines may carry a time of day: `due_time` on tasks and their rows (the province's wall-clock
time; empty, as every deadline given before, means the end of that day).

Revision ID: tasks_0002
Revises: tasks_0001
Create Date: 2026-12-04 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'tasks_0002'
down_revision = 'tasks_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_time', sa.Time(), nullable=True))
    with op.batch_alter_table('tasks_row', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_time', sa.Time(), nullable=True))


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): recreating the table, as batch mode would,
    # drops tasks_task and so every row (ON DELETE CASCADE) and history step with it.
    for table in ('tasks_row', 'tasks_task'):
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            batch_op.drop_column('due_time')
