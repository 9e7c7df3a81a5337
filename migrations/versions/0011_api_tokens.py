"""api tokens: scoped, hashed bearer tokens for the JSON API

Revision ID: 0011_api_tokens
Revises: 0010_inquiry_reply
Create Date: 2026-11-30 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_api_tokens'
down_revision = '0010_inquiry_reply'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('university_id', sa.Integer(), nullable=True),
        sa.Column('scopes', sa.String(length=200), nullable=False),
        sa.Column('created_by_account_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'],
                                name=op.f('fk_api_tokens_account_id_accounts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_account_id'], ['accounts.id'],
                                name=op.f('fk_api_tokens_created_by_account_id_accounts'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['university_id'], ['universities.id'],
                                name=op.f('fk_api_tokens_university_id_universities'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('prefix', name=op.f('uq_api_tokens_prefix')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_account_id'), ['account_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_university_id'), ['university_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_university_id'))
        batch_op.drop_index(batch_op.f('ix_api_tokens_account_id'))
    op.drop_table('api_tokens')
