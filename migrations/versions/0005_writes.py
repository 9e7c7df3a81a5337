"""writes: version columns for optimistic concurrency; claims among possible duplicates

Revision ID: 0005_writes
Revises: 0004
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_writes'
down_revision = '0004'
branch_labels = None
depends_on = None

VERSIONED = ('registrants', 'enrolments', 'career_spells')


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'),
                                          nullable=False))
    with op.batch_alter_table('possible_duplicates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='lookalike',
                                      nullable=False))
        batch_op.add_column(sa.Column('registrant_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_possible_duplicates_registrant_id_registrants'), 'registrants',
            ['registrant_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('possible_duplicates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_possible_duplicates_registrant_id_registrants'),
                                 type_='foreignkey')
        batch_op.drop_column('registrant_id')
        batch_op.drop_column('kind')
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
