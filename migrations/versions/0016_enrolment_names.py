"""enrolment names: a university's name search looks up that university's enrolments alone

A search of one university's alumni by name went through an index of every registrant's
names (the trigram index of 0012, SQLite's ``registrant_names`` of 0013) and then picked out
that university's: for a name a tenth of a million registrants share, 60-80 ms to find the
university's fiftieth. Each enrolment now carries its registrant's names as the search
matches them (``names_key``: the ``NAMES`` expression), kept in step by the triggers of
0015, which now copy every name, and it is indexed together with the university:

- PostgreSQL: a GIN index of ``(university_id, names_key)`` (btree_gin for the university,
  pg_trgm for the names), so that one index scan finds the university's namesakes;
- SQLite: ``enrolment_names``, an FTS5 trigram table (rowid = enrolments.id) holding each
  enrolment's names and a marker of its university, which a search matches with the words.
  Where the library has no FTS5 trigram tokenizer nothing is created (as in 0013).

The copies are deleted with the enrolment, and the enrolment with its registrant; on SQLite
a deletion also rewrites the FTS5 tables' index, which otherwise keeps what was deleted
beside a deletion marker (``jgrad.db.purge_deleted_from_text_indexes``). An enrolment added
while its registrant is renamed waits for the rename (``FOR SHARE``). Going down leaves the
btree_gin extension installed.

Revision ID: 0016_enrolment_names
Revises: 0015_enrolment_name_keys
Create Date: 2026-12-01 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_enrolment_names'
down_revision = '0015_enrolment_name_keys'
branch_labels = None
depends_on = None

NAMES = ('family_name', 'given_name', 'family_name_kana', 'given_name_kana',
         'family_name_roman', 'given_name_roman')
ROMAN = (('family_roman_key', 'family_name_roman'), ('given_roman_key', 'given_name_roman'))
FTS = 'enrolment_names'


def names(row: str) -> str:
    """The expression of jgrad.registrants.models.NAMES over ``row``."""
    return "lower(" + " || ' ' || ".join(f"coalesce({row}.{c}, '')" for c in NAMES) + ")"


def marked(names_key: str, university_id: str) -> str:
    """An enrolment's text in ``enrolment_names``: its names, then its university between
    two unit separators (``jgrad.portal.search.university_marker``)."""
    return f"{names_key} || ' ' || char(31) || {university_id} || char(31)"


def _copies(with_names: bool, row: str) -> list[tuple[str, str]]:
    """(enrolment column, its value over the registrant ``row``) for the copied names."""
    copies = [(key, f"coalesce({row}.{name}, '')") for key, name in ROMAN]
    return copies + [('names_key', names(row))] if with_names else copies


def _sqlite_triggers(with_names: bool) -> None:
    copies = _copies(with_names, 'r')
    watched = NAMES if with_names else tuple(name for _, name in ROMAN)
    from_registrant = ", ".join(
        f"{key} = coalesce((SELECT {value} FROM registrants r "
        "WHERE r.id = NEW.registrant_id), '')" for key, value in copies)
    for name in ('enrolments_name_keys_insert', 'enrolments_name_keys_move',
                 'registrants_name_keys'):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    fts = with_names and _has_fts()
    also = (f"INSERT INTO {FTS} (rowid, names) SELECT id, "
            f"{marked('names_key', 'university_id')} FROM enrolments WHERE id = NEW.id;"
            if fts else "")
    op.execute(f"""CREATE TRIGGER enrolments_name_keys_insert AFTER INSERT ON enrolments
        BEGIN UPDATE enrolments SET {from_registrant} WHERE id = NEW.id; {also} END""")
    op.execute(f"""CREATE TRIGGER enrolments_name_keys_move
        AFTER UPDATE OF registrant_id ON enrolments
        BEGIN UPDATE enrolments SET {from_registrant} WHERE id = NEW.id; END""")
    changed = " OR ".join(f"OLD.{name} IS NOT NEW.{name}" for name in watched)
    to_enrolments = ", ".join(f"{key} = {value}" for key, value in _copies(with_names, 'NEW'))
    op.execute(f"""CREATE TRIGGER registrants_name_keys
        AFTER UPDATE OF {', '.join(watched)} ON registrants WHEN {changed} BEGIN
        UPDATE enrolments SET {to_enrolments} WHERE registrant_id = NEW.id; END""")
    if fts:
        op.execute(f"""CREATE TRIGGER IF NOT EXISTS enrolment_names_update
            AFTER UPDATE OF names_key, university_id ON enrolments BEGIN
            UPDATE {FTS} SET names = {marked('NEW.names_key', 'NEW.university_id')}
            WHERE rowid = NEW.id; END""")
        op.execute(f"""CREATE TRIGGER IF NOT EXISTS enrolment_names_delete
            AFTER DELETE ON enrolments BEGIN DELETE FROM {FTS} WHERE rowid = OLD.id; END""")


def _postgresql_triggers(with_names: bool) -> None:
    copies = _copies(with_names, 'r')
    watched = NAMES if with_names else tuple(name for _, name in ROMAN)
    # FOR SHARE: an enrolment added (or moved) while its registrant is being renamed waits
    # for the rename, and copies the new names; without it, it copied the old ones, which
    # the rename's own update of the enrolments never saw, and kept them.
    op.execute(f"""CREATE OR REPLACE FUNCTION enrolments_name_keys() RETURNS trigger AS $$
        BEGIN
            SELECT {', '.join(value for _, value in copies)}
            INTO {', '.join(f'NEW.{key}' for key, _ in copies)}
            FROM registrants r WHERE r.id = NEW.registrant_id FOR SHARE;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""")
    to_enrolments = ", ".join(f"{key} = {value}" for key, value in _copies(with_names, 'NEW'))
    op.execute(f"""CREATE OR REPLACE FUNCTION registrants_name_keys() RETURNS trigger AS $$
        BEGIN
            UPDATE enrolments SET {to_enrolments} WHERE registrant_id = NEW.id;
            RETURN NULL;
        END $$ LANGUAGE plpgsql""")
    changed = " OR ".join(f"OLD.{name} IS DISTINCT FROM NEW.{name}" for name in watched)
    op.execute("DROP TRIGGER IF EXISTS registrants_name_keys ON registrants")
    op.execute(f"""CREATE TRIGGER registrants_name_keys
        AFTER UPDATE OF {', '.join(watched)} ON registrants
        FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION registrants_name_keys()""")


def _has_fts() -> bool:
    return op.get_bind().scalar(sa.text(
        "SELECT count(*) FROM sqlite_master WHERE name = :name"), {"name": FTS}) == 1


def upgrade():
    # Every step may be run again: SQLite's DDL is not transactional here, so a migration
    # killed halfway leaves what it did, and the next run must finish it.
    bind = op.get_bind()
    present = {c['name'] for c in sa.inspect(bind).get_columns('enrolments')}
    if 'names_key' not in present:  # not in batch mode: SQLite adds it in place
        op.add_column('enrolments', sa.Column('names_key', sa.Text(), nullable=False,
                                              server_default=sa.text("''")))
    if bind.dialect.name == 'postgresql':
        op.execute(f"UPDATE enrolments SET names_key = {names('r')} FROM registrants r "
                   "WHERE r.id = enrolments.registrant_id")
        _postgresql_triggers(with_names=True)
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gin')
        op.execute('CREATE INDEX IF NOT EXISTS ix_enrolments_university_names ON enrolments '
                   'USING gin (university_id, names_key gin_trgm_ops)')
        op.execute('ANALYZE enrolments')  # the planner's figures for the new column
        return
    op.execute(f"UPDATE enrolments SET names_key = (SELECT {names('r')} FROM registrants r "
               "WHERE r.id = enrolments.registrant_id)")
    try:
        op.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(names, "
                   "tokenize='trigram')")
    except sa.exc.OperationalError:  # no FTS5 or no trigram tokenizer in this SQLite
        pass
    else:
        op.execute(f"DELETE FROM {FTS}")
        op.execute(f"INSERT INTO {FTS} (rowid, names) SELECT id, "
                   f"{marked('names_key', 'university_id')} FROM enrolments")
    _sqlite_triggers(with_names=True)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_enrolments_university_names')
        _postgresql_triggers(with_names=False)
    else:
        for name in ('enrolment_names_update', 'enrolment_names_delete'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
        _sqlite_triggers(with_names=False)
    op.drop_column('enrolments', 'names_key')
