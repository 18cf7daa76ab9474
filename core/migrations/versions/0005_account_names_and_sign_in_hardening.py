"""One table of every login and phone (`account_name`), so no name can belong to two accounts;
a distinct-accounts count on login throttles; a reset code sealed until the secretary sees it.

Filling `account_name`: where a value is one account's login and another's phone, the login
wins and that phone is cleared; each such collision is logged and written to the audit log.

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-11-22 09:00:00

"""
import logging
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = 'core_0005'
down_revision = 'core_0004'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    op.create_table('account_name',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_name_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_account_name'))
    )
    with op.batch_alter_table('account_name', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_name_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('auth_throttle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('successes', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('reset_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_sealed', sa.String(length=16), nullable=True))
    _fill_names(op.get_bind())


def _fill_names(conn) -> None:
    """Every login, then every phone that is not already a name (logins win)."""
    users = sa.table('user_account', sa.column('id', sa.Integer), sa.column('login', sa.String),
                     sa.column('phone', sa.String))
    names = sa.table('account_name', sa.column('name', sa.String), sa.column('user_id', sa.Integer),
                     sa.column('kind', sa.String))
    audit = sa.table('audit_log', sa.column('at', sa.DateTime), sa.column('action', sa.String),
                     sa.column('target', sa.String), sa.column('detail', sa.JSON))
    rows = conn.execute(sa.select(users.c.id, users.c.login, users.c.phone).order_by(users.c.id)).all()
    owner = {login: user_id for user_id, login, _phone in rows if login}
    if owner:
        conn.execute(names.insert(), [{"name": n, "user_id": u, "kind": "login"} for n, u in owner.items()])
    phones, cleared = [], []
    for user_id, login, phone in rows:
        if not phone or phone == login:
            continue
        if phone in owner:
            cleared.append((user_id, owner[phone]))
            continue
        owner[phone] = user_id
        phones.append({"name": phone, "user_id": user_id, "kind": "phone"})
    if phones:
        conn.execute(names.insert(), phones)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for user_id, other in cleared:
        # The phone is personal data: the log and the audit row name the two accounts only.
        log.warning("account %s: phone cleared, it is the login of account %s", user_id, other)
        conn.execute(users.update().where(users.c.id == user_id).values(phone=None))
        conn.execute(audit.insert().values(at=now, action="account.phone_collision",
                                           target=f"user:{user_id}",
                                           detail={"login_of": other, "phone": "cleared"}))


def downgrade():
    with op.batch_alter_table('reset_request', schema=None) as batch_op:
        batch_op.drop_column('code_sealed')
    with op.batch_alter_table('auth_throttle', schema=None) as batch_op:
        batch_op.drop_column('successes')
    with op.batch_alter_table('account_name', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_name_user_id'))
    op.drop_table('account_name')
