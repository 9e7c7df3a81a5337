"""The registrant's own record: profile, enrolments, career spells, sharing."""


def init_app(app) -> None:
    from jgrad.registrants import export
    from jgrad.registrants.history import ConsentChange, DeletionRequest, RecordChange
    from jgrad.registrants.models import CareerSpell, Enrolment
    from jgrad.registrants.views import bp
    from jgrad.registry import register_personal_table

    app.register_blueprint(bp)
    for model, part, row in (
            (Enrolment, "enrolments", export.enrolment_row),
            (CareerSpell, "career_spells", export.career_row),
            (RecordChange, "record_changes", export.change_row),
            (ConsentChange, "consent_changes", export.consent_row),
            (DeletionRequest, "deletion_requests", export.deletion_request_row)):
        register_personal_table(app, model, download=part, row=row)
