"""The feedback plugin's tables: questions with their steps and the levels they reached,
published answers, surveys with their answers, drafts with their comments.

Revision ID: feedback_0001
Revises:
Create Date: 2026-12-03 13:13:49.709395

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'feedback_0001'
down_revision = None
branch_labels = ('feedback',)
depends_on = 'core_0008'


def upgrade():
    op.create_table('feedback_survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_feedback_survey_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_feedback_survey_org_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_survey'))
    )
    with op.batch_alter_table('feedback_survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_survey_org_id'), ['org_id'], unique=False)

    op.create_table('feedback_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['content_item.id'], name=op.f('fk_feedback_draft_content_id_content_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_feedback_draft_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_feedback_draft_org_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_draft'))
    )
    with op.batch_alter_table('feedback_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_draft_org_id'), ['org_id'], unique=False)

    op.create_table('feedback_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('holder_org_id', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('show_name', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('held_since', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('replied', sa.Boolean(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['asker_id'], ['user_account.id'], name=op.f('fk_feedback_question_asker_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['core_file.id'], name=op.f('fk_feedback_question_file_id_core_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['holder_org_id'], ['org.id'], name=op.f('fk_feedback_question_holder_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_feedback_question_org_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_question'))
    )
    with op.batch_alter_table('feedback_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_question_asker_id'), ['asker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_question_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_question_holder_org_id'), ['holder_org_id'], unique=False)
        batch_op.create_index('ix_feedback_question_holder_status', ['holder_org_id', 'status', 'held_since'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_question_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_question_status'), ['status'], unique=False)

    op.create_table('feedback_survey_participant',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_feedback_survey_participant_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_survey.id'], name=op.f('fk_feedback_survey_participant_survey_id_feedback_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_feedback_survey_participant_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'user_id', name=op.f('pk_feedback_survey_participant'))
    )
    with op.batch_alter_table('feedback_survey_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_survey_participant_org_id'), ['org_id'], unique=False)

    op.create_table('feedback_survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_survey.id'], name=op.f('fk_feedback_survey_question_survey_id_feedback_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_survey_question'))
    )
    with op.batch_alter_table('feedback_survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_survey_question_survey_id'), ['survey_id'], unique=False)

    op.create_table('feedback_survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_feedback_survey_response_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_survey.id'], name=op.f('fk_feedback_survey_response_survey_id_feedback_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_feedback_survey_response_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_survey_response'))
    )
    with op.batch_alter_table('feedback_survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_survey_response_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_survey_response_survey_id'), ['survey_id'], unique=False)

    op.create_table('feedback_draft_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['feedback_draft.id'], name=op.f('fk_feedback_draft_comment_draft_id_feedback_draft'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_feedback_draft_comment_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_feedback_draft_comment_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_draft_comment'))
    )
    with op.batch_alter_table('feedback_draft_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_draft_comment_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_draft_comment_org_id'), ['org_id'], unique=False)

    op.create_table('feedback_faq',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('question_text', sa.Text(), nullable=False),
    sa.Column('answer_text', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_feedback_faq_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_feedback_faq_published_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['feedback_question.id'], name=op.f('fk_feedback_faq_question_id_feedback_question'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_faq'))
    )
    with op.batch_alter_table('feedback_faq', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_faq_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_faq_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_faq_question_id'), ['question_id'], unique=False)

    op.create_table('feedback_reach',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_feedback_reach_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['feedback_question.id'], name=op.f('fk_feedback_reach_question_id_feedback_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'org_id', name=op.f('pk_feedback_reach'))
    )
    with op.batch_alter_table('feedback_reach', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_reach_org_id'), ['org_id'], unique=False)

    op.create_table('feedback_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('to_org_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_feedback_step_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_feedback_step_org_id_org'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['feedback_question.id'], name=op.f('fk_feedback_step_question_id_feedback_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_org_id'], ['org.id'], name=op.f('fk_feedback_step_to_org_id_org'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_step'))
    )
    with op.batch_alter_table('feedback_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_step_question_id'), ['question_id'], unique=False)

    op.create_table('feedback_survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['feedback_survey_question.id'], name=op.f('fk_feedback_survey_answer_question_id_feedback_survey_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['feedback_survey_response.id'], name=op.f('fk_feedback_survey_answer_response_id_feedback_survey_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_survey_answer'))
    )
    with op.batch_alter_table('feedback_survey_answer', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_survey_answer_question_choice', ['question_id', 'choice'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_survey_answer_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_survey_answer_response_id'), ['response_id'], unique=False)



def downgrade():
    with op.batch_alter_table('feedback_survey_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_survey_answer_response_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_survey_answer_question_id'))
        batch_op.drop_index('ix_feedback_survey_answer_question_choice')

    op.drop_table('feedback_survey_answer')
    with op.batch_alter_table('feedback_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_step_question_id'))

    op.drop_table('feedback_step')
    with op.batch_alter_table('feedback_reach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_reach_org_id'))

    op.drop_table('feedback_reach')
    with op.batch_alter_table('feedback_faq', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_faq_question_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_faq_org_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_faq_created_at'))

    op.drop_table('feedback_faq')
    with op.batch_alter_table('feedback_draft_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_draft_comment_org_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_draft_comment_draft_id'))

    op.drop_table('feedback_draft_comment')
    with op.batch_alter_table('feedback_survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_survey_response_survey_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_survey_response_org_id'))

    op.drop_table('feedback_survey_response')
    with op.batch_alter_table('feedback_survey_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_survey_question_survey_id'))

    op.drop_table('feedback_survey_question')
    with op.batch_alter_table('feedback_survey_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_survey_participant_org_id'))

    op.drop_table('feedback_survey_participant')
    with op.batch_alter_table('feedback_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_question_status'))
        batch_op.drop_index(batch_op.f('ix_feedback_question_org_id'))
        batch_op.drop_index('ix_feedback_question_holder_status')
        batch_op.drop_index(batch_op.f('ix_feedback_question_holder_org_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_question_created_at'))
        batch_op.drop_index(batch_op.f('ix_feedback_question_asker_id'))

    op.drop_table('feedback_question')
    with op.batch_alter_table('feedback_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_draft_org_id'))

    op.drop_table('feedback_draft')
    with op.batch_alter_table('feedback_survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_survey_org_id'))

    op.drop_table('feedback_survey')
