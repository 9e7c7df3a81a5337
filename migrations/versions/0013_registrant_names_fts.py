"""registrant names fts: SQLite's name search through an FTS5 trigram table

The alumni list finds a person by any part of a name (kanji, kana or roman letters). On
PostgreSQL the trigram index of migration 0012 serves it; on SQLite this adds
``registrant_names``, an FTS5 table with the trigram tokenizer holding, for each registrant
(rowid = registrants.id), the same lower-cased string of all their names, kept in step by
triggers on registrants. A word of three characters or more is then found through the index
instead of by reading every registrant. Where the SQLite library has no FTS5 (or no trigram
tokenizer, before 3.34) nothing is created and the search reads every registrant, as before
(``jgrad.portal.search``).

A later migration that rebuilds ``registrants`` on SQLite (batch mode copies the table) drops
these triggers with the old table: it must create them again (``tests/portal`` checks they
are there at the head).

Revision ID: 0013_registrant_names_fts
Revises: 0012_alumni_keyset
Create Date: 2026-11-30 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_registrant_names_fts'
down_revision = '0012_alumni_keyset'
branch_labels = None
depends_on = None

COLUMNS = ('family_name', 'given_name', 'family_name_kana', 'given_name_kana',
           'family_name_roman', 'given_name_roman')


def names(row: str) -> str:
    """The expression of jgrad.registrants.models.NAMES over ``row`` (new, old or a table)."""
    return "lower(" + " || ' ' || ".join(f"coalesce({row}.{c}, '')" for c in COLUMNS) + ")"


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    try:
        op.execute("CREATE VIRTUAL TABLE registrant_names USING fts5(names, "
                   "tokenize='trigram')")
    except sa.exc.OperationalError:  # no FTS5 or no trigram tokenizer in this SQLite
        return
    op.execute(f"INSERT INTO registrant_names (rowid, names) SELECT id, {names('registrants')} "
               "FROM registrants")
    op.execute(f"""CREATE TRIGGER registrant_names_insert AFTER INSERT ON registrants BEGIN
        INSERT INTO registrant_names (rowid, names) VALUES (new.id, {names('new')}); END""")
    op.execute("""CREATE TRIGGER registrant_names_delete AFTER DELETE ON registrants BEGIN
        DELETE FROM registrant_names WHERE rowid = old.id; END""")
    op.execute(f"""CREATE TRIGGER registrant_names_update AFTER UPDATE OF {', '.join(COLUMNS)}
        ON registrants BEGIN
        UPDATE registrant_names SET names = {names('new')} WHERE rowid = new.id; END""")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for trigger in ('insert', 'delete', 'update'):
        op.execute(f'DROP TRIGGER IF EXISTS registrant_names_{trigger}')
    op.execute('DROP TABLE IF EXISTS registrant_names')
