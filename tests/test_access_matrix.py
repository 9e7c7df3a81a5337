"""Every route against every kind of visitor (rule 4). A route without a row fails the test."""
import datetime as dt

import pytest

from jgrad.accounts.models import Role
from jgrad.actors import Actor
from jgrad.extensions import db
from jgrad.registrants import services as records
from tests.factories import PASSWORD

VISITORS = ("anonymous", "registrant_a", "registrant_b", "staff_a", "staff_viewer",
            "staff_other", "staff_noncooperating", "analyst", "admin")

# OK: a page (GET) or a form handled (POST: shown again, or done and redirected elsewhere
# than the log-in page). A redirect passes only where OK or LOGIN is expected.
OK, DENIED, HIDDEN, LOGIN = {200, 302}, {403}, {404}, "login"

# Who may do what, by kind of route.
KINDS = {
    "public": dict.fromkeys(VISITORS, OK),
    "login": {**dict.fromkeys(VISITORS, OK), "anonymous": LOGIN},
    # A form of one's own account: an empty one is refused as unprocessable.
    "login_form": {**dict.fromkeys(VISITORS, OK | {422}), "anonymous": LOGIN},
    # The code step of a log-in: without a password just given, back to the log-in page.
    "second_step": dict.fromkeys(VISITORS, LOGIN),
    "own": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN,
            "registrant_a": OK, "registrant_b": OK},
    # A's own records by id: B finds nothing there.
    "own_record": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN,
                   "registrant_a": OK, "registrant_b": HIDDEN},
    "portal": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN, "staff_a": OK,
               "staff_viewer": OK, "staff_other": OK, "staff_noncooperating": OK, "admin": OK},
    # Writing to alumni: editors and administrators, not viewers.
    "portal_editor": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN, "staff_a": OK,
                      "staff_other": OK, "staff_noncooperating": OK, "admin": OK},
    # Registrant A's record in the portal: only A's cooperating university and the institute.
    "portal_record": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN, "staff_a": OK,
                      "staff_viewer": OK, "staff_other": HIDDEN,
                      "staff_noncooperating": HIDDEN, "admin": OK},
    # Correcting it: the same, but never a viewer.
    "portal_record_edit": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN,
                           "staff_a": OK, "staff_other": HIDDEN,
                           "staff_noncooperating": HIDDEN, "admin": OK},
    "portal_staff": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN, "staff_a": OK,
                     "staff_other": OK, "staff_noncooperating": OK},
    # Confirming needs a ticket from an upload: without one it is a bad request.
    "portal_staff_post": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN,
                          "staff_a": {400}, "staff_other": {400}},
    "statistics": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN, "analyst": HIDDEN,
                   "admin": HIDDEN},  # no release #1 exists
    "statistics_list": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN, "analyst": OK,
                        "admin": OK},
    "admin": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN, "admin": OK},
    "admin_object": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN, "admin": HIDDEN},
    # A personal survey link without its token: the generic link message, for everyone.
    "survey_link": dict.fromkeys(VISITORS, HIDDEN),
    # A survey invitation by id (none with id 999): not found for registrants.
    "own_object": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN,
                   "registrant_a": HIDDEN, "registrant_b": HIDDEN},
    # Survey pages for every staff member, viewers too (administrators have their own).
    "university_staff": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN, "staff_a": OK,
                         "staff_viewer": OK, "staff_other": OK, "staff_noncooperating": OK},
    # A university's survey by slug (none is called so): not found for staff.
    "portal_staff_object": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN,
                            "staff_a": HIDDEN, "staff_viewer": HIDDEN, "staff_other": HIDDEN,
                            "staff_noncooperating": HIDDEN},
}

# The JSON API: a visitor who is not logged in gets a 401 problem, not the log-in page.
NO_TOKEN = {401}
KINDS.update({
    "api_public": dict.fromkeys(VISITORS, OK),
    "api_portal": {**KINDS["portal"], "anonymous": NO_TOKEN},
    "api_portal_record": {**KINDS["portal_record"], "anonymous": NO_TOKEN},
    "api_portal_record_edit": {**KINDS["portal_record_edit"], "anonymous": NO_TOKEN},
    # Upserting university A's students: A's editors and administrators; other universities
    # find no such university among theirs.
    "api_upsert": {**dict.fromkeys(VISITORS, DENIED), "anonymous": NO_TOKEN, "staff_a": OK,
                   "staff_other": HIDDEN, "staff_noncooperating": HIDDEN, "admin": OK},
    "api_own": {**KINDS["own"], "anonymous": NO_TOKEN},
    "api_statistics": {**KINDS["statistics"], "anonymous": NO_TOKEN},
    "api_statistics_list": {**KINDS["statistics_list"], "anonymous": NO_TOKEN},
    "api_admin": {**KINDS["admin"], "anonymous": NO_TOKEN},
    "api_admin_object": {**KINDS["admin_object"], "anonymous": NO_TOKEN},
    # The token pages: everyone but registrants; a university's token is the institute's.
    "tokens": {**dict.fromkeys(VISITORS, OK), "anonymous": LOGIN, "registrant_a": DENIED,
               "registrant_b": DENIED},
    "tokens_admin_post": {**dict.fromkeys(VISITORS, DENIED), "anonymous": LOGIN,
                          "admin": {422}},  # an empty form
    "tokens_object": {**dict.fromkeys(VISITORS, HIDDEN), "anonymous": LOGIN,
                      "registrant_a": DENIED, "registrant_b": DENIED},  # no token 999
})

ROUTES = {
    "static": "public", "main.index": "public", "main.privacy": "public",
    "main.set_language": "public", "contact.contact": "public", "accounts.signup": "public",
    "accounts.signup_complete": "public", "accounts.login": "public",
    "accounts.logout": "public", "accounts.reset_request": "public",
    "accounts.reset_complete": "public",
    "accounts.change_password": "login", "accounts.change_email": "login",
    "accounts.email_confirm": "public", "accounts.login_code": "second_step",
    "accounts.two_factor": "login", "accounts.two_factor_setup": "login_form",
    "accounts.two_factor_new_codes": "login_form", "accounts.two_factor_off": "login_form",
    "registrants.overview": "own", "registrants.welcome": "own", "registrants.profile": "own",
    "registrants.history": "own", "registrants.settings": "own", "registrants.download": "own",
    "registrants.download_json": "own", "registrants.download_zip": "own",
    "registrants.delete": "own", "registrants.access": "own",
    "registrants.enrolment": "own_record", "registrants.delete_enrolment": "own_record",
    "registrants.career": "own_record", "registrants.delete_career": "own_record",
    "portal.alumni": "portal", "portal.export": "portal",
    "portal.export_xlsx": "portal", "portal.messages": "portal",
    "portal.contact": "portal_editor",
    "imports.upload": "portal_staff", "imports.confirm": "portal_staff_post",
    "portal.record": "portal_record", "portal.correct_profile": "portal_record_edit",
    "portal.correct_enrolment": "portal_record_edit",
    "portal.delete_enrolment": "portal_record_edit",
    "portal.correct_career": "portal_record_edit", "portal.delete_career": "portal_record_edit",
    "statistics.releases": "statistics_list", "statistics.release": "statistics",
    "statistics.table": "statistics", "statistics.download": "statistics",
    "statistics.download_in": "statistics",
    "admin.dashboard_page": "admin", "admin.inquiries": "admin",
    "admin.record_deletion_request": "admin", "admin.close_inquiry": "admin_object",
    "admin.process_deletion": "admin_object", "admin.duplicates": "admin",
    "admin.merge_duplicate": "admin_object", "admin.keep_duplicate_apart": "admin_object",
    "admin.universities": "admin", "admin.accounts": "admin", "admin.provisions": "admin",
    "admin.provisions_csv": "admin",
    "admin.provisions_xlsx": "admin", "admin.audit_search": "admin",
    "admin.toggle_cooperation": "admin_object", "admin.toggle_account": "admin_object",
    "admin.reply_inquiry": "admin_object",
    "surveys.answer": "survey_link", "surveys.submit_link": "survey_link",
    "surveys.mine": "own", "surveys.stop_mail": "survey_link", "surveys.mail_setting": "own",
    "surveys.answer_mine": "own_object",
    "surveys.submit_mine": "own_object",
    "surveys_admin.surveys": "admin", "surveys_admin.rates": "admin_object",
    "surveys_admin.export": "admin_object", "surveys_admin.open_survey": "admin_object",
    "surveys_admin.close_survey": "admin_object", "surveys_admin.survey": "admin_object",
    # Loading a definition: the upload form; a preview or confirmation without a kept file.
    "surveys_admin.load": "admin", "surveys_admin.preview": "admin_object",
    "surveys_admin.confirm_load": "admin_object",
    "surveys_staff.staff_surveys": "university_staff",
    "surveys_staff.staff_rates": "portal_staff_object",
    "api.openapi": "api_public", "api.reference": "api_public",
    "api.alumni": "api_portal", "api.registrant": "api_portal_record",
    "api.correct_profile": "api_portal_record_edit", "api.upsert_students": "api_upsert",
    "api.me": "api_own", "api.update_me": "api_own",
    "api.releases": "api_statistics_list", "api.release": "api_statistics",
    "api.table": "api_statistics", "api.survey_list": "api_admin",
    "api.survey": "api_admin_object", "api.responses": "api_admin_object",
    "api_tokens.listing": "tokens", "api_tokens.university_token": "tokens_admin_post",
    "api_tokens.revoke": "tokens_object",
}
# What the API's writes send (a JSON body, the CSRF header of the session).
API_BODIES = {
    "api.upsert_students": {"students": [{
        "student_number": "M-1", "family_name": "Sato", "given_name": "Jiro",
        "graduate_school": "Graduate School of Science", "field": "05",
        "programme_type": "latter", "entry_date": "2022-04-01", "status": "enrolled"}]},
}


@pytest.fixture
def world(make_university, make_registrant, make_account):
    a, other, closed = (make_university(code="A"), make_university(code="B"),
                        make_university(code="C", cooperating=False))
    registrant_a = make_registrant(email="a@example.org", university=a)
    records.add_enrolment(registrant_a, dict(
        university_id=closed.id, graduate_school="Graduate School of Law", field="04",
        programme_type="latter", entry_date=dt.date(2012, 4, 1), status="withdrawn",
        status_date=dt.date(2013, 3, 31)), Actor.for_account(registrant_a.account))
    spell = records.add_career_spell(registrant_a, dict(
        start_month=dt.date(2021, 4, 1), labour_status="employed", sector="company"),
        Actor.for_account(registrant_a.account))
    make_registrant(email="b@example.org", university=other)
    staff = {
        "staff_a": make_account(role=Role.STAFF, university=a, email="staff.a@example.org"),
        "staff_viewer": make_account(role=Role.STAFF, university=a,
                                     email="viewer.a@example.org"),
        "staff_other": make_account(role=Role.STAFF, university=other,
                                    email="staff.b@example.org"),
        "staff_noncooperating": make_account(role=Role.STAFF, university=closed,
                                             email="staff.c@example.org"),
    }
    for account in staff.values():
        account.staff_role = "editor"
    staff["staff_viewer"].staff_role = "viewer"
    make_account(role=Role.ANALYST, email="analyst@example.org")
    make_account(role=Role.ADMIN, email="admin@example.org")
    db.session.commit()
    return {
        "doctor_id": registrant_a.doctor_id,
        # Staff of A correct only A's enrolment; the one at the closed university is read-only.
        "enrolment": next(e.id for e in registrant_a.enrolments if e.university_id == a.id),
        "career": spell.id,
        "logins": {"registrant_a": "a@example.org", "registrant_b": "b@example.org",
                   "staff_a": "staff.a@example.org", "staff_viewer": "viewer.a@example.org",
                   "staff_other": "staff.b@example.org",
                   "staff_noncooperating": "staff.c@example.org",
                   "analyst": "analyst@example.org", "admin": "admin@example.org"},
    }


def _requests(app, world):
    """Return (endpoint, kind, method, path) for every route, reads first, deletions last."""
    values = {"doctor_id": world["doctor_id"], "table_id": "registrants_by_status_field",
              "name": "release.json", "filename": "style.css", "release_id": 1,
              "inquiry_id": 999, "request_id": 999, "flag_id": 999,
              "university_id": 999, "account_id": 999, "invitation_id": 999,
              "slug": "no-such-survey", "code": "A", "token_id": 999, "language": "ja"}
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        args = {}
        for arg in rule.arguments:
            if arg == "record_id":
                args[arg] = world["career"] if "career" in rule.endpoint else world["enrolment"]
            else:
                args[arg] = values[arg]
        method = next(m for m in ("GET", "PATCH", "POST") if m in rule.methods)
        kind = ROUTES.get(rule.endpoint)
        if kind == "own_record" and "record_id" not in rule.arguments:
            kind = "own"  # adding a new record of one's own
        found.append((rule.endpoint, kind, method, adapter.build(rule.endpoint, args)))
    # Deleting the enrolment at A ends A's view of the record: that goes very last.
    found.sort(key=lambda item: (item[2] != "GET", "delete" in item[0],
                                 item[0].endswith("delete_enrolment")))
    return found


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "add the new route to ROUTES"
    assert set(ROUTES) - endpoints == set()


@pytest.mark.parametrize("visitor", VISITORS)
def test_access_matrix(app, client, world, visitor):
    if visitor != "anonymous":
        response = client.submit("/login", {"identifier": world["logins"][visitor],
                                            "password": PASSWORD})
        assert response.status_code == 302
    checked = 0
    for endpoint, kind, method, path in _requests(app, world):
        expected = KINDS[kind][visitor]
        if endpoint == "accounts.logout":
            continue  # it would end the visit; tested on its own
        if endpoint.startswith("api.") and method != "GET":
            response = client.open(path, method=method, json=API_BODIES.get(endpoint, {}),
                                   headers={"X-CSRFToken": client.csrf_token()})
        else:
            response = client.get(path) if method == "GET" else client.submit(path)
        checked += 1
        if expected == LOGIN:
            assert response.status_code == 302 and "/login" in response.headers["Location"], \
                (endpoint, response.status_code)
            continue
        if response.status_code == 302:
            assert expected == OK and "/login" not in response.headers["Location"], \
                (endpoint, response.headers["Location"])
        elif endpoint in ("accounts.signup_complete", "accounts.reset_complete",
                          "accounts.email_confirm"):
            assert response.status_code in (302, 400), endpoint  # no token: generic refusal
        else:
            assert response.status_code in expected, (endpoint, method, response.status_code)
    assert checked > 50
