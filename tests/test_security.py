"""The security baseline: headers, cookies, CSRF, sizes, errors, rate limits, sessions.

Who may use which route is tested in test_access_matrix.py.
"""
import pytest

from jgrad.extensions import db
from tests.factories import PASSWORD

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


def test_every_state_changing_request_needs_a_csrf_token(app, client, make_registrant, login):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    adapter = app.url_map.bind("localhost")
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) > 10
    for rule in posts:
        path = adapter.build(rule.endpoint, {arg: "JD000000000" if arg == "doctor_id" else 1
                                             for arg in rule.arguments})
        response = client.post(path, data={})
        assert response.status_code == 400, (rule.endpoint, response.status_code)


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
