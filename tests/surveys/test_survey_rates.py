"""Response rates (issue 11): AAPOR RR1 (complete / invited) and RR2 ((complete + partial) /
invited) by university, cohort and field; administrators see all, staff only their own
university's alumni through the access layer (PRODUCT.md rule 4), and 404 for another
university's survey."""
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.extensions import db
from surveys.invitations import invite
from surveys.models import Invitation, InvitationState
from surveys.rates import rates

AT_WAVE = dt.datetime(2022, 9, 30, 3, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def answered(make_survey, make_registrant, make_university, make_account):
    """Two universities: A with 4 invited (2 complete, 1 partial), B with 2 (1 complete)."""
    a, b = make_university(), make_university()
    survey = make_survey()
    people = [make_registrant(university=a) for _ in range(4)]
    people += [make_registrant(university=b) for _ in range(2)]
    invite(survey, AT_WAVE)
    states = [InvitationState.SUBMITTED, InvitationState.SUBMITTED, InvitationState.STARTED,
              InvitationState.INVITED, InvitationState.SUBMITTED, InvitationState.INVITED]
    for person, state in zip(people, states):
        db.session.execute(sa.update(Invitation).where(Invitation.registrant_id == person.id)
                           .values(state=str(state)))
    db.session.commit()
    return survey, a, b


def test_rr1_and_rr2_for_administrators_add_up(answered, make_account):
    survey, a, b = answered
    total, by = rates(survey, make_account(Role.ADMIN))
    assert (total.invited, total.complete, total.partial) == (6, 3, 1)
    assert total.rr1 == pytest.approx(3 / 6) and total.rr2 == pytest.approx(4 / 6)
    universities = {r.group: r for r in by["university"]}
    assert universities[a.id].rr1 == pytest.approx(2 / 4)
    assert universities[a.id].rr2 == pytest.approx(3 / 4)
    assert universities[b.id].rr1 == pytest.approx(1 / 2)
    for name in ("university", "cohort", "field"):
        assert sum(r.invited for r in by[name]) == total.invited
    assert [r.group for r in by["cohort"]] == [2020]  # completed 2021-03-31: FY 2020
    assert [r.group for r in by["field"]] == ["05"]


def test_staff_see_only_their_own_alumni(answered, make_account):
    survey, a, b = answered
    total, by = rates(survey, make_account(Role.STAFF, university=a))
    assert (total.invited, total.complete, total.partial) == (4, 2, 1)
    assert [r.group for r in by["university"]] == [a.id]


def test_the_rate_pages_for_admin_and_staff(client, login, answered, make_account,
                                            make_survey, make_university):
    survey, a, b = answered
    theirs = make_survey(slug="b-only", owner=b)
    admin = make_account(Role.ADMIN)
    login(admin.email)
    listing = client.get("/admin/surveys").get_data(as_text=True)
    assert "career-wave" in listing and "b-only" in listing
    page = client.get(f"/admin/surveys/{survey.slug}/rates").get_data(as_text=True)
    assert "Invited: 6; complete: 3; partial: 1; RR1 50.0%; RR2 66.7%." in page
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    staff = make_account(Role.STAFF, university=a)
    login(staff.email)
    page = client.get(f"/university/surveys/{survey.slug}/rates").get_data(as_text=True)
    assert "Invited: 4; complete: 2; partial: 1; RR1 50.0%; RR2 75.0%." in page
    assert "b-only" not in client.get("/university/surveys").get_data(as_text=True)
    assert client.get(f"/university/surveys/{theirs.slug}/rates").status_code == 404
    assert client.get("/admin/surveys").status_code == 403


def test_analysts_and_visitors_get_no_rates(client, login, answered, make_account):
    survey, _a, _b = answered
    assert client.get(f"/admin/surveys/{survey.slug}/rates").status_code == 302
    login(make_account(Role.ANALYST).email)
    assert client.get(f"/admin/surveys/{survey.slug}/rates").status_code == 403
    assert client.get(f"/university/surveys/{survey.slug}/rates").status_code == 403
