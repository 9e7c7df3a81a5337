"""alumni keyset: indexes the alumni list's orders walk, and a trigram name index

The alumni list pages by keyset in four orders; each order's key (NULLs coalesced, ending in
unique ids) gets an index whose walk yields it, on SQLite and PostgreSQL alike. On
PostgreSQL, pg_trgm indexes every name of a registrant in one lower-cased string, the
expression the name search matches; SQLite has no such index (see jgrad.portal.queries).

Revision ID: 0012_alumni_keyset
Revises: 0011_api_tokens
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_alumni_keyset'
down_revision = '0011_api_tokens'
branch_labels = None
depends_on = None

NAMES = ("lower(coalesce(family_name, '') || ' ' || coalesce(given_name, '') || ' ' || "
         "coalesce(family_name_kana, '') || ' ' || coalesce(given_name_kana, '') || ' ' || "
         "coalesce(family_name_roman, '') || ' ' || coalesce(given_name_roman, ''))")


def upgrade():
    op.drop_index('ix_registrants_roman_name', table_name='registrants')
    op.create_index('ix_registrants_roman_name', 'registrants', [
        sa.text("coalesce(family_name_roman, '')"), sa.text("coalesce(given_name_roman, '')"),
        'id'])
    op.drop_index('ix_enrolments_university_entry', table_name='enrolments')
    op.create_index('ix_enrolments_university_entry', 'enrolments',
                    ['university_id', 'entry_date', 'registrant_id', 'id'])
    op.create_index('ix_enrolments_university_completed', 'enrolments', [
        'university_id', sa.text("coalesce(status_date, '0001-01-01')"), 'registrant_id', 'id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute(f'CREATE INDEX ix_registrants_names_trgm ON registrants '
                   f'USING gin (({NAMES}) gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_registrants_names_trgm')
    op.drop_index('ix_enrolments_university_completed', table_name='enrolments')
    op.drop_index('ix_enrolments_university_entry', table_name='enrolments')
    op.create_index('ix_enrolments_university_entry', 'enrolments',
                    ['university_id', 'entry_date'])
    op.drop_index('ix_registrants_roman_name', table_name='registrants')
    op.create_index('ix_registrants_roman_name', 'registrants',
                    ['family_name_roman', 'given_name_roman', 'id'])
