"""Security baseline: only same-site relative redirects, through one helper."""
from urllib.parse import urlencode, urlsplit

import pytest

from jgrad.redirects import safe_next
from tests.factories import PASSWORD

NASTY = [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "\t//evil.example", "/\r\n/evil.example", "/%0d%0aSet-Cookie:x=1",
    "\r", "\n", "https://evil.example/", "http:/evil.example", "HTTPS://evil.example",
    "javascript:alert(1)", " javascript:alert(1)", "/%2F%2Fevil.example", "/%2f/evil.example",
    "/%5Cevil.example", "/\uff0f\uff0fevil.example", "\u2215\u2215evil.example",
    "/\u2044evil.example", "\uff0f\uff0fevil.example", "evil.example", "me", "",
    "data:text/html,hi", "/\x00/evil.example",
]


@pytest.mark.parametrize("target", NASTY)
def test_security_baseline_login_never_redirects_off_site(client, make_registrant, target):
    make_registrant(email="hana@example.org")
    url = "/login?" + urlencode({"next": target})
    response = client.submit(url, {"identifier": "hana@example.org", "password": PASSWORD})
    assert response.status_code == 302, target
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.path == "/me", (target, location)


@pytest.mark.parametrize("target", NASTY)
def test_security_baseline_language_switch_never_redirects_off_site(client, target):
    response = client.submit("/lang", {"lang": "ja", "next": target})
    assert response.status_code == 302, target
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.path == "/", (target, location)


def test_security_baseline_a_relative_path_on_the_site_is_followed(client, make_registrant):
    make_registrant(email="hana@example.org")
    url = "/login?" + urlencode({"next": "/me/profile?section=2"})
    response = client.submit(url, {"identifier": "hana@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/me/profile?section=2"
    assert client.submit("/lang", {"lang": "en", "next": "/privacy"}).headers[
        "Location"] == "/privacy"


def test_security_baseline_the_login_page_flask_login_sends_to_comes_back(client,
                                                                          make_registrant):
    make_registrant(email="hana@example.org")
    to_login = client.get("/me/profile")
    login_url = urlsplit(to_login.headers["Location"])
    response = client.submit(f"{login_url.path}?{login_url.query}",
                             {"identifier": "hana@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/me/profile"


def test_safe_next_refuses_every_nasty_value_and_keeps_good_ones():
    checked = 0
    for target in NASTY:
        assert safe_next(target) is None, target
        checked += 1
    assert checked == len(NASTY) > 20
    assert safe_next("/records/?page=2&sort=name") == "/records/?page=2&sort=name"
