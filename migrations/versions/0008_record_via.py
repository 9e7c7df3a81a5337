"""record via: a change to a record names what it came through (e.g. a survey)

Revision ID: 0008_record_via
Revises: 0007_surveys
Create Date: 2026-11-30 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_record_via'
down_revision = '0007_surveys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('record_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('record_changes', schema=None) as batch_op:
        batch_op.drop_column('via')
