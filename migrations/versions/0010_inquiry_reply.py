"""inquiry reply: an administrator's answer to an inquiry, sent by e-mail and kept

Revision ID: 0010_inquiry_reply
Revises: 0009_two_factor
Create Date: 2026-11-30 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_inquiry_reply'
down_revision = '0009_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_column('replied_at')
        batch_op.drop_column('reply_text')
