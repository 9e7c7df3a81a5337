"""WCAG 2.2 AA on the main pages of each role, checked by axe-core in Chromium.

axe-core comes from npm (tests/browser/package.json; `make test` installs it when npm is
present). A serious or critical violation on any page fails the test, with what and where.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from jgrad.accounts.models import Role
from tests.factories import PASSWORD
from tests.test_e2e_browser import CHROMIUM, launch, live_server  # noqa: F401  (fixture)

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
playwright = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (needs npm)"),
]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def people(make_university, make_registrant, make_account):
    home = make_university(code="HOME")
    person = make_registrant(email="hana@example.org", university=home)
    staff = make_account(Role.STAFF, email="staff@home.example", university=home)
    staff.staff_role = "editor"
    make_account(Role.ANALYST, email="analyst@example.org")
    make_account(Role.ADMIN, email="admin@example.org")
    from jgrad.extensions import db
    db.session.commit()
    return person


def _violations(page, url: str, language: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200 and page.url == url, (url, response.status, page.url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    return [f"{language} {url}: {v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _log_in(page, base: str, identifier: str) -> None:
    page.goto(base + "/login")
    page.fill("#identifier", identifier)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")


def test_main_pages_of_every_role_pass_axe(live_server, people):  # noqa: F811
    person = people
    visits = {
        None: ["/", "/login", "/signup", "/contact", "/privacy", "/reset"],
        person.doctor_id: ["/me", "/me/history", "/me/settings", "/me/access", "/me/surveys",
                           "/me/two-factor"],
        "staff@home.example": ["/records/", f"/records/{person.doctor_id}",
                               "/records/import", "/university/surveys"],
        "analyst@example.org": ["/stats/"],
        "admin@example.org": ["/admin/", "/admin/accounts", "/admin/universities",
                              "/admin/audit", "/admin/inquiries", "/admin/surveys",
                              "/admin/surveys/load"],
    }
    problems = []
    with playwright.sync_playwright() as p:
        browser = launch(p)
        for language in ("en-GB", "ja-JP"):
            for who, paths in visits.items():
                # The site's CSP refuses injected scripts; axe runs with it bypassed.
                context = browser.new_context(locale=language, bypass_csp=True)
                page = context.new_page()
                page.set_default_timeout(15000)
                if language == "ja-JP":
                    page.goto(live_server + "/")
                    page.click("button[name=lang][value=ja]")
                if who:
                    _log_in(page, live_server, who)
                for path in paths:
                    problems += _violations(page, live_server + path, language)
                context.close()
        browser.close()
    assert not problems, "\n".join(problems)


def test_the_check_finds_what_it_should(live_server):  # noqa: F811
    """An unlabelled field and grey-on-grey text are reported: the check can fail."""
    with playwright.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(bypass_csp=True).new_page()
        page.goto(live_server + "/privacy")
        page.evaluate("""() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend',
              '<input type="text"><p style="color:#aaa;background:#bbb">faint</p>');
        }""")
        found = _violations_here(page)
        browser.close()
    assert {"label", "color-contrast"} <= found


def _violations_here(page) -> set[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    return {v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")}
