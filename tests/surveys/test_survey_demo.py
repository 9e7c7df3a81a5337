"""Demo data (issue 11): `demo-data` loads the example career wave, opens it, invites the demo
registrants around their 18-month mark and answers it for some, so the rates show figures."""
import re

import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.extensions import db
from surveys import services
from surveys.models import Invitation, InvitationState, SurveyState
from surveys.rates import rates


def test_demo_data_opens_the_career_wave_with_answers(runner, make_account):
    result = runner.invoke(args=["demo-data", "--registrants", "150"])
    assert result.exit_code == 0, result.output
    found = re.search(r"Survey career-wave: (\d+) invited, (\d+) complete and (\d+) partial",
                      result.output)
    assert found, result.output
    invited, complete, partial = map(int, found.groups())
    assert invited > 0 and complete > 0
    survey = services.find("career-wave")
    assert survey.state == SurveyState.OPEN
    states = db.session.scalars(sa.select(Invitation.state).where(
        Invitation.survey_id == survey.id)).all()
    assert states.count(InvitationState.SUBMITTED) == complete
    total, by = rates(survey, make_account(Role.ADMIN))
    assert total.invited == invited and total.rr1 > 0
    assert sum(r.invited for r in by["cohort"]) == invited
    # An earlier round of it is closed, so the statistics catalogue has survey tables.
    closed = re.search(r"Survey career-wave-2025 \(closed.*\): (\d+) invited, (\d+) complete",
                       result.output)
    assert closed, result.output
    assert services.find("career-wave-2025").state == SurveyState.CLOSED
    assert int(closed.group(2)) > 0.5 * int(closed.group(1)) > 0
    again = runner.invoke(args=["demo-data", "--registrants", "5"])  # loaded once only
    assert again.exit_code == 0 and "Survey career-wave" not in again.output
