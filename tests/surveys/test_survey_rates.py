"""Response rates (issue 11): AAPOR RR1 (complete / invited) and RR2 ((complete + partial) /
invited) by university, cohort and field; administrators see all, staff only their own
university's alumni through the access layer (PRODUCT.md rule 4), and 404 for another
university's survey."""
import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.extensions import db
from surveys.chart import PLOT_WIDTH, rate_chart
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


def _charts(page: str) -> dict[str, ET.Element]:
    found = re.findall(r'<h2 id="rates-(\w+)">.*?(<svg class="rate-chart".*?</svg>)', page, re.S)
    return {name: ET.fromstring(svg) for name, svg in found}


def test_the_rate_chart_draws_rr1_and_rr2_to_scale(client, login, answered, make_account):
    survey, a, b = answered
    login(make_account(Role.ADMIN).email)
    page = client.get(f"/admin/surveys/{survey.slug}/rates").get_data(as_text=True)
    charts = _charts(page)
    assert set(charts) == {"university", "cohort", "field"}
    chart = charts["university"]
    assert chart.get("role") == "img" and chart.find("title").text.startswith("RR1 and RR2")
    assert "0 to 100" in chart.find("desc").text
    ticks = [t.text for t in chart.iter("text") if t.text and t.text.endswith("%")
             and t.get("text-anchor") == "middle"]
    assert ticks == ["0%", "25%", "50%", "75%", "100%"]  # an honest axis, whatever the data
    full = PLOT_WIDTH
    expected = {a.name_en: (2 / 4, 3 / 4), b.name_en: (1 / 2, 1 / 2)}
    checked = 0
    for group in chart.iter("g"):
        if group.get("class") != "group":
            continue
        label = next(t.text for t in group.iter("text") if t.get("class") == "label")
        rr1, rr2 = expected[label]
        bars = {r.get("class"): r for r in group.iter("rect")}
        assert float(bars["rr1"].get("width")) == pytest.approx(rr1 * full)
        assert float(bars["rr2"].get("width")) == pytest.approx(rr2 * full)
        assert float(bars["rr1"].get("x")) == float(bars["rr2"].get("x"))  # a common zero
        checked += 1
    assert checked == 2
    [cohort] = [g for g in charts["cohort"].iter("g") if g.get("class") == "group"]
    widths = [float(r.get("width")) for r in cohort.iter("rect")]
    assert widths == pytest.approx([3 / 6 * full, 4 / 6 * full], abs=0.01)  # 2 decimals


def test_the_rate_chart_speaks_the_readers_language(client, login, answered, make_account):
    survey, a, _b = answered
    login(make_account(Role.ADMIN).email)
    client.submit("/lang", {"lang": "ja"})
    chart = _charts(client.get(f"/admin/surveys/{survey.slug}/rates")
                    .get_data(as_text=True))["university"]
    texts = [t.text for t in chart.iter("text")]
    assert a.name_ja in texts
    assert any("完了" in (t or "") for t in texts)


def test_a_long_group_name_is_shortened_in_the_chart_only():
    chart = rate_chart([("A" * 60, 0.25, None)])
    [bar] = chart.bars
    assert len(bar.label) == 28 and bar.label.endswith("…")
    assert (bar.rr1_width, bar.rr2_width) == (0.25 * PLOT_WIDTH, 0)
