"""Core tables: organisation tree, members, accounts, sessions, roles, jobs, audit.

Revision ID: core_0001
Revises: 
Create Date: 2026-11-21 06:05:30.108917

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'core_0001'
down_revision = None
branch_labels = ('core',)
depends_on = None


def upgrade():
    
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=128), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_user_id'), ['user_id'], unique=False)

    op.create_table('auth_throttle',
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_auth_throttle'))
    )
    op.create_table('idempotency_key',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_idempotency_key'))
    )
    op.create_table('job_record',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('dispatched', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_record'))
    )
    with op.batch_alter_table('job_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_record_dispatched'), ['dispatched'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_record_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_record_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_record_user_id'), ['user_id'], unique=False)

    op.create_table('org',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['org.id'], name=op.f('fk_org_parent_id_org')),
    sa.ForeignKeyConstraint(['province_id'], ['org.id'], name=op.f('fk_org_province_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org'))
    )
    with op.batch_alter_table('org', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_province_id'), ['province_id'], unique=False)

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('card_number', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('gender', sa.String(length=8), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('admission_date', sa.Date(), nullable=True),
    sa.Column('official_date', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_member_org_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('card_number', name=op.f('uq_member_card_number'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_status'), ['status'], unique=False)

    op.create_table('org_closure',
    sa.Column('ancestor_id', sa.Integer(), nullable=False),
    sa.Column('descendant_id', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ancestor_id'], ['org.id'], name=op.f('fk_org_closure_ancestor_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['descendant_id'], ['org.id'], name=op.f('fk_org_closure_descendant_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ancestor_id', 'descendant_id', name=op.f('pk_org_closure'))
    )
    with op.batch_alter_table('org_closure', schema=None) as batch_op:
        batch_op.create_index('ix_org_closure_descendant', ['descendant_id', 'ancestor_id'], unique=False)

    op.create_table('org_setting',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('namespace', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_org_setting_org_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id', 'namespace', 'key', name=op.f('pk_org_setting'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('helped_member_id', sa.Integer(), nullable=True),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['helped_member_id'], ['member.id'], name=op.f('fk_user_account_helped_member_id_member')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_user_account_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('login', name=op.f('uq_user_account_login')),
    sa.UniqueConstraint('member_id', name=op.f('uq_user_account_member_id')),
    sa.UniqueConstraint('phone', name=op.f('uq_user_account_phone'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_helped_member_id'), ['helped_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_last_seen_at'), ['last_seen_at'], unique=False)

    op.create_table('member_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('from_org_id', sa.Integer(), nullable=True),
    sa.Column('to_org_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['user_account.id'], name=op.f('fk_member_event_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['from_org_id'], ['org.id'], name=op.f('fk_member_event_from_org_id_org')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_member_event_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_org_id'], ['org.id'], name=op.f('fk_member_event_to_org_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_event'))
    )
    with op.batch_alter_table('member_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_event_member_id'), ['member_id'], unique=False)

    op.create_table('plugin_state',
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('plugin', sa.String(length=64), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_plugin_state_changed_by_id_user_account')),
    sa.ForeignKeyConstraint(['province_id'], ['org.id'], name=op.f('fk_plugin_state_province_id_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('province_id', 'plugin', name=op.f('pk_plugin_state'))
    )
    op.create_table('reset_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=True),
    sa.Column('code_expires_at', sa.DateTime(), nullable=True),
    sa.Column('code_attempts', sa.Integer(), nullable=False),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['handled_by_id'], ['user_account.id'], name=op.f('fk_reset_request_handled_by_id_user_account')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_reset_request_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_reset_request_org_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reset_request'))
    )
    with op.batch_alter_table('reset_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reset_request_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reset_request_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reset_request_status'), ['status'], unique=False)

    op.create_table('role_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user_account.id'], name=op.f('fk_role_assignment_granted_by_id_user_account')),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_role_assignment_org_id_org'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_role_assignment_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignment')),
    sa.UniqueConstraint('user_id', 'org_id', 'role', name='uq_role_assignment')
    )
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_assignment_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_assignment_user_id'), ['user_id'], unique=False)

    op.create_table('user_session',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('second_factor_done', sa.Boolean(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_user_session'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_assignment_user_id'))
        batch_op.drop_index(batch_op.f('ix_role_assignment_org_id'))

    op.drop_table('role_assignment')
    with op.batch_alter_table('reset_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reset_request_status'))
        batch_op.drop_index(batch_op.f('ix_reset_request_org_id'))
        batch_op.drop_index(batch_op.f('ix_reset_request_member_id'))

    op.drop_table('reset_request')
    op.drop_table('plugin_state')
    with op.batch_alter_table('member_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_event_member_id'))

    op.drop_table('member_event')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_last_seen_at'))
        batch_op.drop_index(batch_op.f('ix_user_account_helped_member_id'))

    op.drop_table('user_account')
    op.drop_table('org_setting')
    with op.batch_alter_table('org_closure', schema=None) as batch_op:
        batch_op.drop_index('ix_org_closure_descendant')

    op.drop_table('org_closure')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_status'))
        batch_op.drop_index(batch_op.f('ix_member_phone'))
        batch_op.drop_index(batch_op.f('ix_member_org_id'))

    op.drop_table('member')
    with op.batch_alter_table('org', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_province_id'))
        batch_op.drop_index(batch_op.f('ix_org_parent_id'))

    op.drop_table('org')
    with op.batch_alter_table('job_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_record_user_id'))
        batch_op.drop_index(batch_op.f('ix_job_record_status'))
        batch_op.drop_index(batch_op.f('ix_job_record_name'))
        batch_op.drop_index(batch_op.f('ix_job_record_dispatched'))

    op.drop_table('job_record')
    op.drop_table('idempotency_key')
    op.drop_table('auth_throttle')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')

