"""The quizzes plugin's tables: bank questions, contests, attempts and answers.

Revision ID: quizzes_0001
Revises:
Create Date: 2026-12-03 16:38:25.396549

The plugin's own branch; it refers to the core's org, user_account and content_item tables,
all there by core_0009."""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'quizzes_0001'
down_revision = None
branch_labels = ('quizzes',)
depends_on = 'core_0009'


def upgrade():
    op.create_table('quizzes_contest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('takers', sa.String(length=20), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('question_count', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('shuffle', sa.Boolean(), nullable=False),
    sa.Column('attempts_allowed', sa.Integer(), nullable=False),
    sa.Column('show_results', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_quizzes_contest_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_quizzes_contest_org_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quizzes_contest'))
    )
    with op.batch_alter_table('quizzes_contest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quizzes_contest_org_id'), ['org_id'], unique=False)
        batch_op.create_index('ix_quizzes_contest_window', ['opens_at', 'closes_at'], unique=False)

    op.create_table('quizzes_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('orders', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=10), nullable=True),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('seconds', sa.Integer(), nullable=True),
    sa.Column('one_page', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['quizzes_contest.id'], name=op.f('fk_quizzes_attempt_contest_id_quizzes_contest'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_quizzes_attempt_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_quizzes_attempt_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quizzes_attempt')),
    sa.UniqueConstraint('contest_id', 'user_id', 'number', name='uq_quizzes_attempt_number')
    )
    with op.batch_alter_table('quizzes_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_quizzes_attempt_contest_score', ['contest_id', 'score', 'seconds'], unique=False)
        batch_op.create_index(batch_op.f('ix_quizzes_attempt_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quizzes_attempt_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_quizzes_attempt_user_id'), ['user_id'], unique=False)

    op.create_table('quizzes_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=40), nullable=True),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('difficulty', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('correct', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=True),
    sa.Column('practice', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['content_item.id'], name=op.f('fk_quizzes_question_content_id_content_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_quizzes_question_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_quizzes_question_org_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quizzes_question')),
    sa.UniqueConstraint('org_id', 'ref', name='uq_quizzes_question_org_ref')
    )
    with op.batch_alter_table('quizzes_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quizzes_question_org_id'), ['org_id'], unique=False)

    op.create_table('quizzes_answer',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quizzes_attempt.id'], name=op.f('fk_quizzes_answer_attempt_id_quizzes_attempt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['quizzes_question.id'], name=op.f('fk_quizzes_answer_question_id_quizzes_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attempt_id', 'question_id', name=op.f('pk_quizzes_answer'))
    )


def downgrade():
    op.drop_table('quizzes_answer')
    with op.batch_alter_table('quizzes_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quizzes_question_org_id'))

    op.drop_table('quizzes_question')
    with op.batch_alter_table('quizzes_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quizzes_attempt_user_id'))
        batch_op.drop_index(batch_op.f('ix_quizzes_attempt_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_quizzes_attempt_org_id'))
        batch_op.drop_index('ix_quizzes_attempt_contest_score')

    op.drop_table('quizzes_attempt')
    with op.batch_alter_table('quizzes_contest', schema=None) as batch_op:
        batch_op.drop_index('ix_quizzes_contest_window')
        batch_op.drop_index(batch_op.f('ix_quizzes_contest_org_id'))

    op.drop_table('quizzes_contest')
