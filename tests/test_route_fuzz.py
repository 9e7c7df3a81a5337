"""Security baseline: no input gives a 500. Every route of app.url_map, as every kind of
visitor, with hostile path parameters, query strings and form values (Hypothesis, bounded
and derandomized so that CI sees the same examples every run)."""
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from jgrad.accounts.models import Role
from jgrad.actors import Actor
from jgrad.extensions import db
from jgrad.registrants import services as records
from tests.conftest import CSRF_RE
from tests.factories import PASSWORD

# POSTs that would end the visitor's own session or account: fuzzing them would only turn
# the rest of the run into anonymous requests. They are covered by their own tests.
SESSION_ENDING = {"accounts.logout", "registrants.delete", "accounts.change_password",
                  "admin.toggle_account", "admin.toggle_cooperation"}
NASTY_NUMBERS = ["99999999999999999999", "2147483648", "-1", "0", "²⁰²⁰", "٢٠٢٠", "1e9",
                 "NaN", "0x10", " 7", "1_000", "\x00", ""]
NASTY_TEXT = ["%", "%%", "\\", "../../etc/passwd", "JD000000000", "jd12345678X", "'; --",
              "<script>", "\u202e", "\ud7ff", "a" * 300, "=1+1", "\r\n", "2020-02-30",
              "9999-12-31", "0000-00-00"]
QUERY_KEYS = ["page", "entry_year", "completion_year", "status", "field", "sector", "name",
              "sort", "since", "until", "action", "actor", "doctor_id", "outcome", "next",
              "token", "lang", "format"]
FORM_KEYS = ["email", "password", "confirm", "current", "identifier", "name", "details",
             "subject", "body", "family_name", "given_name", "birth_year", "sex",
             "nationality", "university_id", "graduate_school", "field", "programme_type",
             "entry_date", "status", "status_date", "start_month", "end_month",
             "labour_status", "sector", "ticket", "lang", "next", "dataset", "recipient",
             "purpose", "legal_basis", "provided_on", "records", "code", "name_en",
             "name_ja", "role", "staff_role", "share_with_university", "accept_contact",
             "doctor_id", "student_number", "reason", "channel", "profile-birth_year",
             "enrolment-entry_date", "enrolment-university_id"]

values = st.one_of(st.sampled_from(NASTY_NUMBERS + NASTY_TEXT), st.text(max_size=40),
                   st.integers(min_value=-10**30, max_value=10**30).map(str))
queries = st.dictionaries(st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=6)),
                          values, max_size=4)
forms = st.dictionaries(st.one_of(st.sampled_from(FORM_KEYS), st.text(max_size=6)), values,
                        max_size=6)


def ids():
    return st.one_of(st.integers(min_value=-3, max_value=12),
                     st.integers(min_value=2**31 - 2, max_value=10**25))


@pytest.fixture
def visitors(app, make_university, make_registrant, make_account):
    """Log one client in as each kind of visitor; return them with a CSRF token each."""
    home = make_university(code="HOME")
    person = make_registrant(email="person@example.org", university=home)
    records.add_career_spell(person, dict(start_month=dt.date(2021, 4, 1),
                                          labour_status="employed", sector="company"),
                             Actor.for_account(person.account))
    staff = make_account(Role.STAFF, email="staff@home.example", university=home)
    staff.staff_role = "editor"
    make_account(Role.ANALYST, email="analyst@example.org")
    make_account(Role.ADMIN, email="admin@example.org")
    db.session.commit()
    clients = {}
    for role, login in (("anonymous", None), ("registrant", "person@example.org"),
                        ("staff", "staff@home.example"), ("analyst", "analyst@example.org"),
                        ("admin", "admin@example.org")):
        client = app.test_client()
        if login:
            assert client.submit("/login", {"identifier": login,
                                            "password": PASSWORD}).status_code == 302
        token = CSRF_RE.search(client.get("/contact").get_data(as_text=True)).group(1)
        clients[role] = (client, token)
    return clients, person.doctor_id


@pytest.mark.parametrize("role, path", [
    ("staff", "/records/?page=99999999999999999999"),
    ("admin", "/admin/audit?page=99999999999999999999"),
    ("admin", "/admin/inquiries?page=99999999999999999999"),
    ("staff", "/records/{doctor_id}/enrolments/99999999999999999999"),
    ("registrant", "/me/enrolments/99999999999999999999"),
    ("registrant", "/me/careers/99999999999999999999"),
    ("analyst", "/stats/99999999999999999999"),
    ("staff", "/records/?entry_year=²⁰²⁰"),
    ("staff", "/records/export.csv?completion_year=²⁰²⁰"),
])
def test_security_baseline_inputs_that_gave_a_500(visitors, role, path):
    clients, doctor_id = visitors
    client, _ = clients[role]
    response = client.get(path.format(doctor_id=doctor_id))
    assert response.status_code in (200, 404, 422), response.status_code
    if "year" in path and "export" in path:
        assert response.status_code == 200  # the download ignores a value it cannot use
    elif "year" in path:
        assert response.status_code == 422  # the page names the value it cannot use


def _routes(app):
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        if "GET" in rule.methods:
            routes.append((rule, "GET"))
        if "POST" in rule.methods and rule.endpoint not in SESSION_ENDING:
            routes.append((rule, "POST"))
    return sorted(routes, key=lambda item: (item[0].rule, item[1]))


def _path(app, rule, draw_value) -> str:
    args = {}
    for name in rule.arguments:
        args[name] = draw_value(name, isinstance(rule._converters.get(name), IntegerConverter))
    return app.url_map.bind("localhost").build(rule.endpoint, args, append_unknown=False)


def _send(client, token, method, path, query, form):
    if method == "GET":
        return client.get(path, query_string=query)
    return client.post(path, query_string=query, data={**form, "csrf_token": token})


def test_security_baseline_no_route_answers_500_to_hostile_input(app, visitors):
    clients, doctor_id = visitors
    routes = _routes(app)
    assert len(routes) > 60
    checked = 0
    # First every route as every visitor, with the classic hostile values.
    for rule, method in routes:
        for role, (client, token) in clients.items():
            path = _path(app, rule, lambda name, numeric: (
                99999999999999999999 if numeric else doctor_id if name == "doctor_id"
                else "\u00b2\u2070"))
            query = {"page": "99999999999999999999", "entry_year": "²⁰²⁰",
                     "completion_year": "٢٠٢٠", "since": "9999-99-99", "next": "/%0d"}
            form = {"birth_year": "²⁰²⁰", "university_id": "99999999999999999999",
                    "entry_date": "2020-02-30", "records": "1" * 30}
            response = _send(client, token, method, path, query, form)
            assert response.status_code < 500, (role, method, path, response.status_code)
            checked += 1

    # Then random examples, the same ones on every run.
    @settings(max_examples=250, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def explore(data):
        nonlocal checked
        rule, method = data.draw(st.sampled_from(routes))
        role = data.draw(st.sampled_from(sorted(clients)))
        client, token = clients[role]

        def draw_value(name, numeric):
            if numeric:
                return data.draw(ids())
            if name == "doctor_id":
                return data.draw(st.one_of(st.just(doctor_id), st.sampled_from(NASTY_TEXT)))
            return data.draw(st.text(min_size=1, max_size=20).filter(lambda t: "/" not in t))

        path = _path(app, rule, draw_value)
        response = _send(client, token, method, path, data.draw(queries), data.draw(forms))
        assert response.status_code < 500, (role, method, path, response.status_code)
        checked += 1

    explore()
    assert checked >= len(routes) * len(clients) + 200
