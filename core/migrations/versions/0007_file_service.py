"""The file service: a `core_file` row per stored file; content attachments refer to theirs.

Every attachment's metadata (name, type, size, SHA-256, key, time) is copied into a
`core_file` row of namespace "content" and the attachment keeps only the reference. The bytes
move from CONTENT_UPLOAD_DIR (default instance/uploads/<key>) to FILES_DIR (default
instance/files)/content/<key>: each file is hard-linked there (copied, then checked against
its SHA-256, when the two folders are on different disks), one at a time and atomically, and a
file already in place is skipped, so an interrupted upgrade is simply run again. The old
folder is left as it was: on one disk it costs no space, a downgrade finds its files there,
and it may be deleted once the upgrade is confirmed. A file missing from the old folder is
logged; its row is kept (the download answers 404, as before the upgrade).

Revision ID: core_0007
Revises: core_0004
Create Date: 2026-12-02 12:00:00

"""
import hashlib
import logging
import os
import shutil
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = 'core_0007'
down_revision = "core_0006"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.core_0007")
MOVED = ("filename", "mimetype", "size", "sha256")


def _folders():
    """(old attachments folder, new content folder) of the app running the upgrade, if any."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    config, instance = current_app.config, Path(current_app.instance_path)
    old = Path(config.get("CONTENT_UPLOAD_DIR") or instance / "uploads")
    new = Path(config.get("FILES_DIR") or instance / "files") / "content"
    return old, new


def _carry(rows, source: Path, target: Path) -> None:
    """Put each (key, sha256) file of `source` into `target`, once, atomically."""
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    for key, sha256 in rows:
        there, here = target / key, source / key
        if len(key) != 32 or not key.isalnum() or there.exists():
            continue
        if not here.exists():
            log.warning("attachment file %s is missing from %s", key, source)
            continue
        partial = target / f".{key}.part"
        partial.unlink(missing_ok=True)
        try:
            os.link(here, partial)
        except OSError:  # another disk, or no hard links there: copy and check it
            shutil.copyfile(here, partial)
            with open(partial, "rb") as f:
                if sha256 and hashlib.file_digest(f, "sha256").hexdigest() != sha256:
                    partial.unlink()
                    raise RuntimeError(f"copy of {here} does not match its SHA-256")
        os.chmod(partial, 0o600)
        os.replace(partial, there)


def upgrade():
    op.create_table('core_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('namespace', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['owner_user_id'], ['user_account.id'], name=op.f('fk_core_file_owner_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_file')),
    sa.UniqueConstraint('namespace', 'key', name='uq_core_file_namespace_key')
    )
    with op.batch_alter_table('core_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_file_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_file_owner_user_id'), ['owner_user_id'], unique=False)

    with op.batch_alter_table('content_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_id', sa.Integer(), nullable=True))

    bind = op.get_bind()
    attachment = sa.table('content_attachment', sa.column('id'), sa.column('file_id'),
                          sa.column('storage_key'), sa.column('created_at'),
                          *[sa.column(name) for name in MOVED])
    stored = sa.table('core_file', sa.column('id'), sa.column('namespace'), sa.column('key'),
                      sa.column('sensitive'), sa.column('created_at'), *[sa.column(name) for name in MOVED])
    bind.execute(stored.insert().from_select(
        ['namespace', 'key', 'sensitive', 'created_at', *MOVED],
        sa.select(sa.literal('content'), attachment.c.storage_key, sa.false(), attachment.c.created_at,
                  *[attachment.c[name] for name in MOVED])))
    bind.execute(attachment.update().values(file_id=sa.select(stored.c.id).where(
        stored.c.namespace == 'content', stored.c.key == attachment.c.storage_key).scalar_subquery()))

    with op.batch_alter_table('content_attachment', schema=None) as batch_op:
        batch_op.alter_column('file_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_content_attachment_file_id'), ['file_id'])
        batch_op.create_foreign_key(batch_op.f('fk_content_attachment_file_id_core_file'), 'core_file',
                                    ['file_id'], ['id'])
        batch_op.drop_constraint('uq_content_attachment_storage_key', type_='unique')
        for name in (*MOVED, 'storage_key'):
            batch_op.drop_column(name)

    folders = _folders()
    if folders:
        rows = bind.execute(sa.select(stored.c.key, stored.c.sha256).where(stored.c.namespace == 'content'))
        _carry(rows.all(), *folders)


def downgrade():
    with op.batch_alter_table('content_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('storage_key', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('filename', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('mimetype', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))

    bind = op.get_bind()
    attachment = sa.table('content_attachment', sa.column('file_id'), sa.column('storage_key'),
                          *[sa.column(name) for name in MOVED])
    stored = sa.table('core_file', sa.column('id'), sa.column('key'), *[sa.column(name) for name in MOVED])
    for name in ('key', *MOVED):
        bind.execute(attachment.update().values({'storage_key' if name == 'key' else name: sa.select(
            stored.c[name]).where(stored.c.id == attachment.c.file_id).scalar_subquery()}))
    folders = _folders()
    if folders:
        rows = bind.execute(sa.select(attachment.c.storage_key, attachment.c.sha256))
        _carry(rows.all(), folders[1], folders[0])

    with op.batch_alter_table('content_attachment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_content_attachment_file_id_core_file', type_='foreignkey')
        batch_op.drop_constraint('uq_content_attachment_file_id', type_='unique')
        batch_op.drop_column('file_id')
        batch_op.create_unique_constraint('uq_content_attachment_storage_key', ['storage_key'])
        batch_op.alter_column('storage_key', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('filename', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('mimetype', existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column('size', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=False)

    with op.batch_alter_table('core_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_file_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_core_file_expires_at'))
    op.drop_table('core_file')
