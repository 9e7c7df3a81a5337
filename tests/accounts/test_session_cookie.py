"""The session cookie is sent again on activity at most once a minute, and still ends eight
hours after it was last sent."""
import datetime as dt

from itsdangerous import URLSafeTimedSerializer

from jgrad.accounts import session as sessions


def cookies(response) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("jgrad_session=")]


def test_security_baseline_a_session_cookie_is_refreshed_once_a_minute_or_on_a_change(
        client, make_registrant, login, monkeypatch):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    assert client.get("/me").status_code == 200
    assert cookies(client.get("/me")) == []  # signed a moment ago: nothing to send

    monkeypatch.setattr(sessions, "REFRESH_AFTER", dt.timedelta(0))  # a minute later
    refreshed = cookies(client.get("/me"))
    assert len(refreshed) == 1 and "Expires=" in refreshed[0]

    monkeypatch.setattr(sessions, "REFRESH_AFTER", dt.timedelta(minutes=1))
    page = client.get("/me").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    changed = client.post("/lang", data={"csrf_token": token, "lang": "ja", "next": "/me"})
    assert changed.status_code == 302 and len(cookies(changed)) == 1  # the session changed
    assert "マイページ" in client.get("/me").get_data(as_text=True)  # and it was kept


def test_security_baseline_a_session_cookie_older_than_its_lifetime_is_refused(
        app, client, make_registrant, login, monkeypatch):
    make_registrant(email="hana@example.org")
    login("hana@example.org")
    assert client.get("/me").status_code == 200
    lifetime = app.permanent_session_lifetime
    serializer = app.session_interface.get_signing_serializer(app)
    assert isinstance(serializer, URLSafeTimedSerializer)
    value = client.get_cookie("jgrad_session").value
    data = serializer.loads(value)
    later = dt.datetime.now(dt.timezone.utc) + lifetime + dt.timedelta(seconds=5)
    monkeypatch.setattr(serializer.signer(serializer.secret_keys[-1]).__class__,
                        "get_timestamp", lambda self: int(later.timestamp()))
    assert data["_user_id"]  # a signed-in session, which is now too old:
    assert client.get("/me").status_code == 302  # to the log-in page
