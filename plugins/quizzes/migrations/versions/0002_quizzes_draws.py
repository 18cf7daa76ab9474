"""Contests draw a number of questions per topic and difficulty (quizzes_contest.draws).

Revision ID: quizzes_0002
Revises: quizzes_0001
Create Date: 2026-12-04 19:40:00

Contests already there get an empty list: they keep drawing `question_count` questions from
their topic (or the whole bank), as before."""
from alembic import op
import sqlalchemy as sa


revision = 'quizzes_0002'
down_revision = 'quizzes_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('quizzes_contest', sa.Column('draws', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade():
    # ALTER TABLE … DROP COLUMN, never a rebuild: on SQLite a rebuilt quizzes_contest would take
    # every attempt with it (ON DELETE CASCADE).
    op.drop_column('quizzes_contest', 'draws')
