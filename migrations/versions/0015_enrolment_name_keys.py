"""enrolment name keys: a university's alumni list walks its own enrolments in name order

The alumni list of one university in name order walked every registrant's roman name
(``ix_registrants_roman_name``) until fifty of them turned out to be that university's: a
twentieth of the country at a large university, so twenty registrants read, each looked up
in its table, its account and its enrolments, for every one shown. On SQLite, whose page
cache another process's write empties, those reads were most of a list's time under load.

Each enrolment now carries its registrant's roman names as the list sorts them (the
``FAMILY_ROMAN`` and ``GIVEN_ROMAN`` expressions: NULL as ''), and
``ix_enrolments_university_name`` orders a university's enrolments by them, so the page reads
the fifty rows it shows. Triggers keep the copies in step whoever writes (the forms, the
importer, the API, a merge of duplicates): an enrolment takes its registrant's names when it
is added or moved to another registrant, and a registrant's new names go to every enrolment
of theirs. The copies are deleted with the enrolment, and the enrolment with its registrant.

Revision ID: 0015_enrolment_name_keys
Revises: 0014_last_activity_index
Create Date: 2026-12-01 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_enrolment_name_keys'
down_revision = '0014_last_activity_index'
branch_labels = None
depends_on = None

KEYS = (('family_roman_key', 'family_name_roman'), ('given_roman_key', 'given_name_roman'))


def _from_registrant(registrant_id: str) -> str:
    return ", ".join(
        f"{key} = coalesce((SELECT {name} FROM registrants WHERE id = {registrant_id}), '')"
        for key, name in KEYS)


def upgrade():
    # Every step may be run again: SQLite's DDL is not transactional here, so a migration
    # killed halfway leaves what it did, and the next run must finish it.
    present = {c['name'] for c in sa.inspect(op.get_bind()).get_columns('enrolments')}
    for key, _ in KEYS:  # not in batch mode: SQLite adds a column with a default in place
        if key not in present:
            op.add_column('enrolments', sa.Column(key, sa.String(length=100), nullable=False,
                                                  server_default=sa.text("''")))
    op.execute(f"UPDATE enrolments SET {_from_registrant('enrolments.registrant_id')}")
    op.create_index('ix_enrolments_university_name', 'enrolments',
                    ['university_id', 'family_roman_key', 'given_roman_key', 'registrant_id',
                     'id'], if_not_exists=True)
    names_changed = " OR ".join(f"OLD.{name} IS DISTINCT FROM NEW.{name}" for _, name in KEYS)
    registrant_keys = ", ".join(f"{key} = coalesce(NEW.{name}, '')" for key, name in KEYS)
    if op.get_bind().dialect.name == 'sqlite':
        for name, event in (('enrolments_name_keys_insert', 'INSERT'),
                            ('enrolments_name_keys_move', 'UPDATE OF registrant_id')):
            op.execute(f"""CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON enrolments BEGIN
                UPDATE enrolments SET {_from_registrant('NEW.registrant_id')}
                WHERE id = NEW.id; END""")
        op.execute(f"""CREATE TRIGGER IF NOT EXISTS registrants_name_keys
            AFTER UPDATE OF family_name_roman, given_name_roman ON registrants
            WHEN {names_changed.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN
            UPDATE enrolments SET {registrant_keys} WHERE registrant_id = NEW.id; END""")
        return
    keys_into = ", ".join(f"coalesce({name}, '')" for _, name in KEYS)
    op.execute(f"""CREATE OR REPLACE FUNCTION enrolments_name_keys() RETURNS trigger AS $$
        BEGIN
            SELECT {keys_into} INTO {', '.join(f'NEW.{key}' for key, _ in KEYS)}
            FROM registrants WHERE id = NEW.registrant_id;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""")
    op.execute("""CREATE OR REPLACE TRIGGER enrolments_name_keys
        BEFORE INSERT OR UPDATE OF registrant_id ON enrolments
        FOR EACH ROW EXECUTE FUNCTION enrolments_name_keys()""")
    op.execute(f"""CREATE OR REPLACE FUNCTION registrants_name_keys() RETURNS trigger AS $$
        BEGIN
            UPDATE enrolments SET {registrant_keys} WHERE registrant_id = NEW.id;
            RETURN NULL;
        END $$ LANGUAGE plpgsql""")
    op.execute(f"""CREATE OR REPLACE TRIGGER registrants_name_keys
        AFTER UPDATE OF family_name_roman, given_name_roman ON registrants
        FOR EACH ROW WHEN ({names_changed}) EXECUTE FUNCTION registrants_name_keys()""")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('enrolments_name_keys_insert', 'enrolments_name_keys_move',
                     'registrants_name_keys'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS registrants_name_keys ON registrants")
        op.execute("DROP TRIGGER IF EXISTS enrolments_name_keys ON enrolments")
        op.execute("DROP FUNCTION IF EXISTS registrants_name_keys()")
        op.execute("DROP FUNCTION IF EXISTS enrolments_name_keys()")
    op.drop_index('ix_enrolments_university_name', table_name='enrolments')
    for key, _ in reversed(KEYS):  # SQLite 3.35 and later drop an unindexed column in place
        op.drop_column('enrolments', key)
