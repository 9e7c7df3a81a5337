"""surveys: surveys, their frozen versions, invitations, responses, survey-mail choices

Revision ID: 0007_surveys
Revises: 0006_delivery
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_surveys'
down_revision = '0006_delivery'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=64), nullable=False),
        sa.Column('title_en', sa.String(length=300), nullable=False),
        sa.Column('title_ja', sa.String(length=300), nullable=False),
        sa.Column('state', sa.Enum('draft', 'open', 'closed', name='surveystate',
                                   native_enum=False, create_constraint=False, length=16),
                  nullable=False),
        sa.Column('owner_university_id', sa.Integer(), nullable=True),
        sa.Column('targeting', sa.JSON(), nullable=False),
        sa.Column('max_reminders', sa.Integer(), server_default='2', nullable=False),
        sa.Column('reminder_gap_days', sa.Integer(), server_default='14', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['owner_university_id'], ['universities.id'],
                                name=op.f('fk_surveys_owner_university_id_universities'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
        sa.UniqueConstraint('slug', name=op.f('uq_surveys_slug')),
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveys_owner_university_id'),
                              ['owner_university_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveys_state'), ['state'], unique=False)

    op.create_table(
        'survey_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('definition_json', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'],
                                name=op.f('fk_survey_versions_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_versions')),
        sa.UniqueConstraint('survey_id', 'number', name=op.f('uq_survey_versions_survey_id')),
    )
    with op.batch_alter_table('survey_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_versions_survey_id'), ['survey_id'],
                              unique=False)

    op.create_table(
        'survey_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('registrant_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('state', sa.Enum('invited', 'started', 'submitted', name='invitationstate',
                                   native_enum=False, create_constraint=False, length=16),
                  nullable=False),
        sa.Column('sent_count', sa.Integer(), nullable=False),
        sa.Column('reminded_count', sa.Integer(), nullable=False),
        sa.Column('last_mailed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['registrant_id'], ['registrants.id'],
                                name=op.f('fk_survey_invitations_registrant_id_registrants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'],
                                name=op.f('fk_survey_invitations_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
        sa.UniqueConstraint('survey_id', 'registrant_id',
                            name=op.f('uq_survey_invitations_survey_id')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitations_token_hash')),
    )
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitations_registrant_id'),
                              ['registrant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitations_survey_id'), ['survey_id'],
                              unique=False)

    op.create_table(
        'survey_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invitation_id', sa.Integer(), nullable=False),
        sa.Column('registrant_id', sa.Integer(), nullable=False),
        sa.Column('survey_version_id', sa.Integer(), nullable=False),
        sa.Column('answers_json', sa.Text(), nullable=False),
        sa.Column('page_reached', sa.Integer(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
        sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitations.id'],
                                name=op.f('fk_survey_responses_invitation_id_survey_invitations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registrant_id'], ['registrants.id'],
                                name=op.f('fk_survey_responses_registrant_id_registrants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['survey_version_id'], ['survey_versions.id'],
                                name=op.f('fk_survey_responses_survey_version_id_survey_versions'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
        sa.UniqueConstraint('invitation_id', name=op.f('uq_survey_responses_invitation_id')),
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_registrant_id'),
                              ['registrant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_responses_survey_version_id'),
                              ['survey_version_id'], unique=False)

    op.create_table(
        'survey_mail_choices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registrant_id', sa.Integer(), nullable=False),
        sa.Column('accept', sa.Boolean(), nullable=False),
        sa.Column('via', sa.String(length=16), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['registrant_id'], ['registrants.id'],
                                name=op.f('fk_survey_mail_choices_registrant_id_registrants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_mail_choices')),
    )
    with op.batch_alter_table('survey_mail_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_mail_choices_registrant_id'),
                              ['registrant_id'], unique=False)


def downgrade():
    op.drop_table('survey_mail_choices')
    op.drop_table('survey_responses')
    op.drop_table('survey_invitations')
    op.drop_table('survey_versions')
    op.drop_table('surveys')
