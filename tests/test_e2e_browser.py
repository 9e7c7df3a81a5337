"""A real browser (headless Chromium) through sign-up, the mailed link, log-in and a profile edit."""
import shutil
import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from jgrad.extensions import db
from jgrad.registrants.models import Registrant
from tests.factories import PASSWORD, link_in, outbox

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]


@pytest.fixture
def live_server(app):
    app.config["ENV"] = "development"
    app.config["SESSION_COOKIE_SECURE"] = False  # plain http on loopback, as with `make run`
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def launch(p):
    """Start headless Chromium (Playwright's sync API allows one instance at a time)."""
    return p.chromium.launch(
        executable_path=CHROMIUM,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync"],
    )


def browse(browser, tmp_path):
    """Yield a fresh English page; keep a screenshot of where it ended."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    page.screenshot(path=str(tmp_path / "last-page.png"), full_page=True)
    context.close()


@pytest.fixture
def page(live_server, tmp_path):
    with playwright.sync_playwright() as p:
        browser = launch(p)
        yield from browse(browser, tmp_path)
        browser.close()


def test_signup_link_login_and_profile_edit_in_a_browser(live_server, page, make_university):
    university = make_university(code="MNU")
    page.goto(live_server + "/")
    page.click("text=Sign up")
    page.fill("#email", "browser.user@example.org")
    page.click("button:has-text('Send me the link')")
    page.wait_for_selector("text=Check your e-mail")

    link = link_in(outbox(to="browser.user@example.org")[-1])
    page.goto(live_server + link)
    page.wait_for_selector("text=Complete your registration")
    assert "token" not in page.url
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.fill("#profile-family_name", "鈴木")
    page.fill("#profile-given_name", "結衣")
    page.fill("#profile-birth_year", "1993")
    page.select_option("#profile-sex", "female")
    page.select_option("#profile-nationality", "JP")
    page.select_option("#enrolment-university_id", str(university.id))
    page.fill("#enrolment-graduate_school", "Graduate School of Science")
    page.select_option("#enrolment-field", "05")
    page.select_option("#enrolment-programme_type", "latter")
    page.fill("#enrolment-entry_date", "2020-04-01")
    page.select_option("#enrolment-status", "enrolled")
    page.click("button:has-text('Register')")
    page.wait_for_selector("text=Your registration is complete")
    doctor_id = page.inner_text(".big-id").strip()
    registrant = db.session.scalar(sa.select(Registrant))
    assert doctor_id == registrant.doctor_id

    page.click("button:has-text('Log out')")
    page.wait_for_selector("text=You have logged out.")
    page.goto(live_server + "/login")
    page.fill("#identifier", doctor_id)
    page.fill("#password", PASSWORD)
    page.click("main button:has-text('Log in')")
    page.wait_for_selector(f"text={doctor_id}")
    assert page.url.endswith("/me")

    page.click("text=Edit profile")
    page.fill("#given_name", "ゆい")
    page.fill("#orcid", "0000-0002-1825-0097")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Your profile has been saved.")
    assert "鈴木 ゆい" in page.inner_text("main")
    db.session.refresh(registrant)
    assert registrant.given_name == "ゆい" and registrant.orcid == "0000-0002-1825-0097"
