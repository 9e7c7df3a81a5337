"""last activity index: the dormancy check walks an index of each account's last activity

The daily check selects registrants whose last log-in (or creation, for one who never logged in)
is older than the dormancy period; an index of that expression lets both databases find the
few such accounts without reading every account, and the work grows with them.

Revision ID: 0014_last_activity_index
Revises: 0013_registrant_names_fts
Create Date: 2026-11-30 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_last_activity_index'
down_revision = '0013_registrant_names_fts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_accounts_last_activity', 'accounts',
                    ['role', sa.text('coalesce(last_login_at, created_at)')])


def downgrade():
    op.drop_index('ix_accounts_last_activity', table_name='accounts')
