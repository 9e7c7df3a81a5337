"""The registries: every table about a person is declared once, and deletion, leftovers and
the registrant's download all read the declaration; every job is declared by its package."""
import datetime as dt

import pytest

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.registrants.export import export_data
from jgrad.registry import personal_tables, register_job, register_personal_table, registry

# Columns that name who did something (kept, set to NULL when that account goes), not whom
# the row is about.
ACTOR_COLUMNS = ("actor_account_id", "sender_account_id", "changed_by_account_id",
                 "recorded_by_account_id", "created_by_account_id", "resolved_by_account_id")


def test_every_table_about_a_person_is_registered(app):
    registered = {(t.model.__tablename__, c) for t in personal_tables() for c in t.columns}
    checked = 0
    for table in db.metadata.sorted_tables:
        if table.name in ("registrants", "accounts"):
            continue
        for column in table.columns:
            for key in column.foreign_keys:
                if key.column.table.name not in ("registrants", "accounts"):
                    continue
                checked += 1
                if column.name in ACTOR_COLUMNS:
                    continue
                assert (table.name, column.name) in registered, (
                    f"{table.name}.{column.name} is about a person: register the table with "
                    "jgrad.registry.register_personal_table in its package's init_app")
    assert checked > 10


def test_deletion_and_leftovers_cover_every_registered_table(app, make_registrant):
    """A row in every registered table is counted by leftovers and gone after deletion."""
    from jgrad.accounts import services as accounts
    from jgrad.actors import Actor
    from jgrad.api.models import ApiToken
    from jgrad.imports.models import PossibleDuplicate
    from jgrad.lifecycle.deletion import delete_registrants, leftovers
    from jgrad.lifecycle.models import DormancyEpisode
    from jgrad.lifecycle.person import people
    from jgrad.registrants import consent
    from jgrad.registrants import services as records

    registrant = make_registrant(email="every.table@example.org")
    actor = Actor.for_account(registrant.account)
    records.add_career_spell(registrant, {"start_month": dt.date(2021, 4, 1),
                                          "labour_status": "employed"}, actor)
    accounts.request_reset("every.table@example.org", "en")  # a token and an outbox row
    db.session.add(DormancyEpisode(account_id=registrant.account_id,
                                   open_account_id=registrant.account_id, reason="no_login",
                                   deadline_at=utcnow()))
    db.session.add(PossibleDuplicate(university_id=registrant.enrolments[0].university_id,
                                     student_number="D-1", candidate_registrant_id=registrant.id,
                                     row={}))
    _plant_survey_rows(registrant)
    from jgrad.accounts.two_factor import new_recovery_codes
    new_recovery_codes(registrant.account)  # two-factor sign-in is offered to registrants too
    db.session.add(ApiToken(prefix="deadbeef", token_hash="0" * 64, name="planted",
                            account_id=registrant.account_id, scopes="records:read",
                            expires_at=utcnow()))  # registrants hold no tokens today
    consent.request_deletion(registrant, Actor.system(), channel="email", verified_by="test")
    db.session.commit()
    [person] = people([registrant.id])
    before = leftovers(person)
    checked = 0
    for table in personal_tables(deleted=True):
        assert before[table.model.__tablename__] > 0, table.model.__tablename__
        checked += 1
    assert checked >= 9
    delete_registrants([registrant.id], "request")
    db.session.commit()
    assert leftovers(person) == dict.fromkeys(before, 0)


def _plant_survey_rows(registrant) -> None:
    """An invitation, a response and a survey-mail choice of the registrant's."""
    import json
    from importlib import resources

    from surveys import load_definition, services
    from surveys.models import Invitation, Response, SurveyMailChoice

    example = json.loads(resources.files("surveys").joinpath(
        "examples/career_wave.json").read_text("utf-8"))
    survey, version = services.store(load_definition(example))
    db.session.flush()
    invitation = Invitation(survey_id=survey.id, registrant_id=registrant.id,
                            token_hash="0" * 64, state="started")
    db.session.add(invitation)
    db.session.flush()
    db.session.add(Response(invitation_id=invitation.id, registrant_id=registrant.id,
                            survey_version_id=version.id))
    db.session.add(SurveyMailChoice(registrant_id=registrant.id, accept=False, via="settings"))


def test_the_download_has_a_part_for_every_table_registered_with_one(app, make_registrant):
    registrant = make_registrant()
    data = export_data(registrant)
    parts = [t.download for t in personal_tables() if t.download]
    assert {"enrolments", "career_spells", "access_events"} <= set(parts)
    assert set(parts) <= set(data)
    assert len(data["enrolments"]) == 1 and data["enrolments"][0]["supplied_by"]


def test_each_job_and_table_is_declared_once(app):
    from jgrad.registrants.models import Enrolment

    jobs = registry().jobs
    assert {"dormancy-check", "deletion-deadlines", "token-cleanup", "mail-delivery",
            "preview-expiry", "stats-release"} <= set(jobs)
    with pytest.raises(ValueError, match="twice"):
        register_job(app, "mail-delivery", jobs["mail-delivery"].function,
                     jobs["mail-delivery"].trigger, dt.timedelta(minutes=1), title="x")
    with pytest.raises(ValueError, match="twice"):
        register_personal_table(app, Enrolment)
    with pytest.raises(ValueError, match="does not name"):
        register_personal_table(app, Enrolment, person="university_id")
