"""The meetings plugin's tables: meetings, agenda, files, participants, comments, votes and
ballots, ratings, revisions.

Revision ID: meetings_0001
Revises:
Create Date: 2026-12-03 12:52:40.842667

The plugin's own branch; it refers to the core's org, member, user_account, core_file and
content_item tables, all there by core_0008."""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'meetings_0001'
down_revision = None
branch_labels = ('meetings',)
depends_on = 'core_0008'


def upgrade():
    op.create_table('meetings_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('topic', sa.Text(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=255), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('checkin_code', sa.String(length=8), nullable=True),
    sa.Column('draft_resolution', sa.Text(), nullable=True),
    sa.Column('conclusions', sa.Text(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('expected_count', sa.Integer(), nullable=False),
    sa.Column('present_count', sa.Integer(), nullable=False),
    sa.Column('rating_count', sa.Integer(), nullable=False),
    sa.Column('rating_sum', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('invited_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=True),
    sa.Column('reported_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_meetings_meeting_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_meetings_meeting_org_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings_meeting'))
    )
    with op.batch_alter_table('meetings_meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meetings_meeting_org_starts', ['org_id', 'starts_at'], unique=False)

    op.create_table('meetings_agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings_meeting.id'], name=op.f('fk_meetings_agenda_item_meeting_id_meetings_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings_agenda_item'))
    )
    with op.batch_alter_table('meetings_agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_agenda_item_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meetings_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_meetings_comment_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings_meeting.id'], name=op.f('fk_meetings_comment_meeting_id_meetings_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_meetings_comment_member_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings_comment'))
    )
    with op.batch_alter_table('meetings_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_comment_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meetings_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('content_id', sa.Integer(), nullable=True),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_meetings_file_added_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['content_id'], ['content_item.id'], name=op.f('fk_meetings_file_content_id_content_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['core_file.id'], name=op.f('fk_meetings_file_file_id_core_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings_meeting.id'], name=op.f('fk_meetings_file_meeting_id_meetings_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings_file'))
    )
    with op.batch_alter_table('meetings_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_file_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meetings_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('member_kind', sa.String(length=16), nullable=False),
    sa.Column('member_status', sa.String(length=16), nullable=False),
    sa.Column('rsvp', sa.String(length=8), nullable=True),
    sa.Column('rsvp_reason', sa.Text(), nullable=True),
    sa.Column('rsvp_at', sa.DateTime(), nullable=True),
    sa.Column('presence', sa.String(length=8), nullable=True),
    sa.Column('absence_reason', sa.Text(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings_meeting.id'], name=op.f('fk_meetings_participant_meeting_id_meetings_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_meetings_participant_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings_participant')),
    sa.UniqueConstraint('meeting_id', 'member_id', name='uq_meetings_participant')
    )
    with op.batch_alter_table('meetings_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_participant_member_id'), ['member_id'], unique=False)

    op.create_table('meetings_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings_meeting.id'], name=op.f('fk_meetings_rating_meeting_id_meetings_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_meetings_rating_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings_rating')),
    sa.UniqueConstraint('meeting_id', 'member_id', name='uq_meetings_rating')
    )
    op.create_table('meetings_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_meetings_revision_changed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings_meeting.id'], name=op.f('fk_meetings_revision_meeting_id_meetings_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings_revision'))
    )
    with op.batch_alter_table('meetings_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_revision_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meetings_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('threshold', sa.String(length=16), nullable=False),
    sa.Column('electorate', sa.String(length=16), nullable=False),
    sa.Column('eligible_count', sa.Integer(), nullable=False),
    sa.Column('yes_count', sa.Integer(), nullable=False),
    sa.Column('no_count', sa.Integer(), nullable=False),
    sa.Column('abstain_count', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings_meeting.id'], name=op.f('fk_meetings_vote_meeting_id_meetings_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings_vote'))
    )
    with op.batch_alter_table('meetings_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_vote_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meetings_ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=8), nullable=True),
    sa.Column('cast_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_meetings_ballot_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vote_id'], ['meetings_vote.id'], name=op.f('fk_meetings_ballot_vote_id_meetings_vote'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings_ballot')),
    sa.UniqueConstraint('vote_id', 'member_id', name='uq_meetings_ballot')
    )


def downgrade():
    op.drop_table('meetings_ballot')
    with op.batch_alter_table('meetings_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_vote_meeting_id'))

    op.drop_table('meetings_vote')
    with op.batch_alter_table('meetings_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_revision_meeting_id'))

    op.drop_table('meetings_revision')
    op.drop_table('meetings_rating')
    with op.batch_alter_table('meetings_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_participant_member_id'))

    op.drop_table('meetings_participant')
    with op.batch_alter_table('meetings_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_file_meeting_id'))

    op.drop_table('meetings_file')
    with op.batch_alter_table('meetings_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_comment_meeting_id'))

    op.drop_table('meetings_comment')
    with op.batch_alter_table('meetings_agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_agenda_item_meeting_id'))

    op.drop_table('meetings_agenda_item')
    with op.batch_alter_table('meetings_meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meetings_meeting_org_starts')

    op.drop_table('meetings_meeting')
