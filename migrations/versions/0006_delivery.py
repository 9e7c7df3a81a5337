"""delivery: link secrets out of stored mail bodies, row claims on the outbox, job leases

Revision ID: 0006_delivery
Revises: 0005_writes
Create Date: 2026-12-02 10:00:00.000000

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_delivery'
down_revision = '0005_writes'
branch_labels = None
depends_on = None

SECRET_SLOT = "JGRAD-LINK-SECRET"  # as in jgrad/mail/models.py, frozen here
LINK_KINDS = ("signup", "invite", "reset")
TOKEN_IN_LINK = re.compile(r"([?&]token=)([A-Za-z0-9_\-]+)")

outbox = sa.table(
    "outbox_messages",
    sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("state", sa.String),
    sa.column("body_text", sa.Text), sa.column("link_secret", sa.String),
)


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_secret', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('job_locks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True))
    _move_link_secrets_out_of_bodies()


def _move_link_secrets_out_of_bodies():
    """Take the secret out of every stored body; keep it until delivery only where unsent."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.state, outbox.c.body_text)
        .where(outbox.c.kind.in_(LINK_KINDS))).all()
    for row in rows:
        match = TOKEN_IN_LINK.search(row.body_text)
        if match is None:
            continue
        body = TOKEN_IN_LINK.sub(lambda m: m.group(1) + SECRET_SLOT, row.body_text, count=1)
        secret = match.group(2) if row.state == "pending" else None
        connection.execute(outbox.update().where(outbox.c.id == row.id)
                           .values(body_text=body, link_secret=secret))


def downgrade():
    connection = op.get_bind()
    for row in connection.execute(sa.select(outbox.c.id, outbox.c.body_text, outbox.c.link_secret)
                                  .where(outbox.c.link_secret.is_not(None))).all():
        connection.execute(outbox.update().where(outbox.c.id == row.id).values(
            body_text=row.body_text.replace(SECRET_SLOT, row.link_secret)))
    connection.execute(outbox.update().where(outbox.c.state == "sending")
                       .values(state="pending"))
    with op.batch_alter_table('job_locks', schema=None) as batch_op:
        batch_op.drop_column('taken_at')
        batch_op.drop_column('owner')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('link_secret')
