"""The security baseline: headers, cookies, CSRF, sizes, errors, rate limits, route access."""
import pytest

from jgrad.extensions import db
from tests.factories import PASSWORD

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

# Every route, and who may use it. A route missing here fails the test below.
ROUTE_ACCESS = {
    "static": "public",
    "main.index": "public",
    "main.privacy": "public",
    "main.set_language": "public",
    "contact.contact": "public",
    "accounts.signup": "public",
    "accounts.signup_complete": "public",
    "accounts.login": "public",
    "accounts.logout": "public",
    "accounts.reset_request": "public",
    "accounts.reset_complete": "public",
    "accounts.change_password": "login",
    "registrants.overview": "registrant",
    "registrants.welcome": "registrant",
    "registrants.profile": "registrant",
    "registrants.enrolment": "registrant",
    "registrants.delete_enrolment": "registrant",
    "registrants.career": "registrant",
    "registrants.delete_career": "registrant",
    "registrants.history": "registrant",
    "registrants.settings": "registrant",
    "registrants.download": "registrant",
    "registrants.download_json": "registrant",
    "registrants.download_zip": "registrant",
    "registrants.delete": "registrant",
    "admin.inquiries": "admin",
    "admin.close_inquiry": "admin",
    "admin.dashboard_page": "admin",
    "admin.record_deletion_request": "admin",
    "admin.process_deletion": "admin",
    "statistics.releases": "analyst+admin",
    "statistics.release": "analyst+admin",
    "statistics.table": "analyst+admin",
    "statistics.download": "analyst+admin",
}


def _routes(app):
    for rule in app.url_map.iter_rules():
        values = {arg: "registrants_by_status_field" if arg == "table_id" else
                  "release.json" if arg == "name" else 1 for arg in rule.arguments}
        if rule.endpoint == "static":
            values = {"filename": "style.css"}
        path = app.url_map.bind("localhost").build(rule.endpoint, values)
        method = "GET" if "GET" in rule.methods else "POST"
        yield rule.endpoint, path, method


def test_every_route_has_an_access_rule(app):
    endpoints = {endpoint for endpoint, _, _ in _routes(app)}
    assert endpoints - set(ROUTE_ACCESS) == set(), "add the new route to ROUTE_ACCESS"
    assert set(ROUTE_ACCESS) - endpoints == set(), "a route in ROUTE_ACCESS no longer exists"


def test_every_protected_route_refuses_anonymous_visitors(app, client):
    for endpoint, path, method in _routes(app):
        if ROUTE_ACCESS[endpoint] == "public":
            continue
        if method == "GET":
            response = client.get(path)
        else:
            response = client.submit(path)
        assert response.status_code == 302, (endpoint, response.status_code)
        assert "/login" in response.headers["Location"], endpoint


def test_role_routes_refuse_every_other_role(app, client, login, make_account, make_registrant,
                                            make_university):
    from jgrad.accounts.models import Role

    university = make_university()
    visitors = {
        "registrant": make_registrant(email="hana@example.org").account.email,
        "admin": make_account(role=Role.ADMIN).email,
        "analyst": make_account(role=Role.ANALYST).email,
        "staff": make_account(role=Role.STAFF, university=university).email,
    }
    for role, email in visitors.items():
        login(email)
        for endpoint, path, method in _routes(app):
            required = ROUTE_ACCESS[endpoint]
            if required in ("public", "login") or role in required.split("+"):
                continue
            response = client.get(path) if method == "GET" else client.submit(path)
            assert response.status_code == 403, (role, endpoint, response.status_code)
        client.submit("/logout")


def test_every_state_changing_request_needs_a_csrf_token(app, client, make_registrant, login):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    for endpoint, path, _ in _routes(app):
        rule_methods = next(r.methods for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        if "POST" not in rule_methods:
            continue
        response = client.post(path, data={})
        assert response.status_code == 400, (endpoint, response.status_code)


@pytest.mark.parametrize("path", ["/", "/login", "/privacy", "/does-not-exist"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Request-ID"]
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_served_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_with_personal_data_are_not_cached(client, make_registrant, login):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    for path in ("/me", "/me/profile", "/me/download/jgrad-record.json"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_session_cookie_is_httponly_samesite_lax_and_secure(client, make_registrant):
    make_registrant(email="hana@example.org")
    response = client.submit("/login", {"identifier": "hana@example.org", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert len(response.headers.getlist("Set-Cookie")) == 1  # the session cookie only


@pytest.mark.parametrize("app_config", [{"ENV": "development"}])
def test_cookie_not_secure_in_local_development(client, app_config):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "Secure" not in cookie and "HttpOnly" in cookie


def test_oversized_request_gets_413(client):
    response = client.post("/contact", data={"details": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "The request is too large." in response.get_data(as_text=True)


def test_malformed_requests_get_400_not_500(client):
    no_boundary = client.post("/login", data=b"--x\r\n",
                              content_type="multipart/form-data")
    assert no_boundary.status_code == 400
    assert client.post("/login", data={"identifier": "x"}).status_code == 400  # no CSRF token
    assert client.get("/me/enrolments/not-a-number").status_code in (302, 404)


def test_unexpected_error_shows_a_generic_page_with_request_id(app, client, caplog):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = client.get("/boom")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] in text
    assert "secret internal detail" not in text and "Traceback" not in text
    assert "secret internal detail" in caplog.text  # the traceback goes to the log


@pytest.mark.parametrize("app_config", [{"LOGIN_RATE_LIMIT": "3 per minute",
                                         "CONTACT_RATE_LIMIT": "2 per minute",
                                         "SIGNUP_RATE_LIMIT": "2 per minute",
                                         "RESET_RATE_LIMIT": "2 per minute"}])
def test_rate_limits_on_login_signup_reset_and_contact(client, app_config):
    for _ in range(3):
        assert client.submit("/login", {"identifier": "x@example.org",
                                        "password": "wrong wrong wrong"}).status_code == 200
    assert client.submit("/login", {"identifier": "x@example.org",
                                    "password": "wrong wrong wrong"}).status_code == 429
    for path, data in (("/signup", {"email": "a@example.org"}),
                       ("/reset", {"email": "a@example.org"}),
                       ("/contact", {"name": "A", "email": "a@example.org", "details": "hi"})):
        codes = [client.submit(path, data).status_code for _ in range(3)]
        assert codes == [200, 200, 429], (path, codes)
    # Reading pages is never limited.
    assert client.get("/login").status_code == 200


def test_suspension_ends_every_session(client, make_registrant, login):
    registrant = make_registrant(email="hana@example.org")
    login("hana@example.org")
    assert client.get("/me").status_code == 200
    registrant.account.suspend(reason="test")
    db.session.commit()
    assert client.get("/me").status_code == 302
