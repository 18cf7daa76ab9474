"""The library's search index: an FTS5 table on SQLite, tsvectors with GIN indexes on
PostgreSQL, kept in step with content_item by triggers; a covering index for the lists.

search_text is rewritten to its words separated by single spaces (punctuation dropped), the
form core.content.search.index_text gives. The index's tables are not models: Alembic's
comparison leaves out tables named "content_search*" (core.models.include_in_migrations).
On SQLite a later migration that rebuilds content_item (batch "move and copy") drops these
triggers and must create them again.

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-11-21 08:00:00

"""
import re

import sqlalchemy as sa
from alembic import op

revision = 'core_0003'
down_revision = 'core_0002'
branch_labels = None
depends_on = None

_WORD = re.compile(r"[^\W_]+")
BATCH = 500

SQLITE_UP = [
    # Contentless (the text stays in content_item), no positions (only prefix and column
    # queries are asked), prefix indexes for one- and two-letter words such as "57".
    "CREATE VIRTUAL TABLE content_search USING fts5(head, words, content='', "
    "tokenize='unicode61 remove_diacritics 0', prefix='1 2', detail=column)",
    """CREATE TRIGGER content_search_insert AFTER INSERT ON content_item BEGIN
  INSERT INTO content_search (rowid, head, words)
  VALUES (new.id, substr(new.search_text, 1, length(new.title)), new.search_text);
END""",
    # A contentless table forgets a row when told exactly what it indexed.
    """CREATE TRIGGER content_search_delete AFTER DELETE ON content_item BEGIN
  INSERT INTO content_search (content_search, rowid, head, words)
  VALUES ('delete', old.id, substr(old.search_text, 1, length(old.title)), old.search_text);
END""",
    """CREATE TRIGGER content_search_update AFTER UPDATE OF title, search_text ON content_item BEGIN
  INSERT INTO content_search (content_search, rowid, head, words)
  VALUES ('delete', old.id, substr(old.search_text, 1, length(old.title)), old.search_text);
  INSERT INTO content_search (rowid, head, words)
  VALUES (new.id, substr(new.search_text, 1, length(new.title)), new.search_text);
END""",
    "INSERT INTO content_search (rowid, head, words) "
    "SELECT id, substr(search_text, 1, length(title)), search_text FROM content_item",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS content_search_update", "DROP TRIGGER IF EXISTS content_search_delete",
               "DROP TRIGGER IF EXISTS content_search_insert", "DROP TABLE IF EXISTS content_search"]

POSTGRESQL_UP = [
    # The distinct words of a text as a tsvector, split like SQLite's tokenizer splits them
    # (not by the text-search parser, which keeps "nq/tw" whole). No extension needed.
    """CREATE FUNCTION content_search_words(body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT w)), ''::tsvector)
  FROM regexp_split_to_table(lower(coalesce(body, '')), '[^[:alnum:]]+') AS w
  WHERE w <> '' AND length(w) <= 200
$$""",
    """CREATE TABLE content_search (
  item_id integer PRIMARY KEY REFERENCES content_item (id) ON DELETE CASCADE,
  head tsvector NOT NULL,
  words tsvector NOT NULL
)""",
    "CREATE INDEX content_search_words_gin ON content_search USING gin (words)",
    "CREATE INDEX content_search_head_gin ON content_search USING gin (head)",
    """CREATE FUNCTION content_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO content_search (item_id, head, words)
  VALUES (NEW.id, content_search_words(substr(NEW.search_text, 1, length(NEW.title))),
          content_search_words(NEW.search_text))
  ON CONFLICT (item_id) DO UPDATE SET head = EXCLUDED.head, words = EXCLUDED.words;
  RETURN NULL;
END
$$""",
    "CREATE TRIGGER content_search_sync AFTER INSERT OR UPDATE OF title, search_text ON content_item "
    "FOR EACH ROW EXECUTE FUNCTION content_search_sync()",
    "INSERT INTO content_search (item_id, head, words) "
    "SELECT id, content_search_words(substr(search_text, 1, length(title))), "
    "content_search_words(search_text) FROM content_item",
]
POSTGRESQL_DOWN = ["DROP TRIGGER IF EXISTS content_search_sync ON content_item",
                   "DROP FUNCTION IF EXISTS content_search_sync()", "DROP TABLE IF EXISTS content_search",
                   "DROP FUNCTION IF EXISTS content_search_words(text)"]


def _normalise_search_text(conn) -> None:
    """Rewrite search_text as its words separated by single spaces (it is folded already)."""
    last = 0
    while True:
        rows = conn.execute(sa.text("SELECT id, search_text FROM content_item WHERE id > :last "
                                    "ORDER BY id LIMIT :n"), {"last": last, "n": BATCH}).all()
        if not rows:
            return
        changed = [{"id": id_, "text": " ".join(_WORD.findall(text or ""))} for id_, text in rows]
        changed = [row for row, (_, text) in zip(changed, rows) if row["text"] != text]
        if changed:
            conn.execute(sa.text("UPDATE content_item SET search_text = :text WHERE id = :id"), changed)
        last = rows[-1][0]


def upgrade():
    conn = op.get_bind()
    _normalise_search_text(conn)
    for statement in SQLITE_UP if conn.dialect.name == "sqlite" else POSTGRESQL_UP:
        op.execute(statement)
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        # Every column the lists filter and sort on, and the id (implicit on SQLite, not on
        # PostgreSQL): a member's lists and their counts are answered from this index alone.
        batch_op.create_index('ix_content_item_list', ['org_id', 'kind', 'status', 'publish_at', 'created_at',
                                                       'issued_on', 'category', 'level', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.drop_index('ix_content_item_list')
    conn = op.get_bind()
    for statement in SQLITE_DOWN if conn.dialect.name == "sqlite" else POSTGRESQL_DOWN:
        op.execute(statement)
