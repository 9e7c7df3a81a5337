"""Pages that need an object (a record, a survey's rates, a release and its tables), on the
demo site in Chromium: axe-core finds no serious or critical WCAG 2.2 AA violation in
English or Japanese, and on a phone-sized screen no page is wider than the screen -- wide
tables scroll inside their own box and keep every column reachable."""
from __future__ import annotations


import pytest
import sqlalchemy as sa

from jgrad.accounts import totp
from jgrad.accounts.models import Account, Role
from jgrad.demo.generate import DEMO_LOGINS, REGISTRANT_PASSWORD
from jgrad.extensions import db
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant
from jgrad.statistics.models import StatRelease
from tests.test_accessibility import AXE, TAGS
from tests.test_crawl_japanese import _next_code_step, load_demo_site
from tests.test_e2e_browser import CHROMIUM, launch, live_server  # noqa: F401  (fixture)

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (needs npm)"),
]
PHONE = {"width": 375, "height": 740}

#: Measured in the page: the page's own width against the screen, and each table that is
#: wider than the screen against the box that scrolls it.
MEASURE = """() => {
  const out = {page: document.documentElement.scrollWidth, screen: window.innerWidth,
               tables: []};
  for (const table of document.querySelectorAll('main table')) {
    let box = table.parentElement;
    while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) {
      box = box.parentElement;
    }
    out.tables.push({width: table.offsetWidth, box: box ? box.clientWidth : null,
                     reach: box ? box.scrollWidth : null});
  }
  return out;
}"""


@pytest.fixture
def demo(runner):
    load_demo_site(runner)
    staff = db.session.scalar(sa.select(Account).where(Account.role == Role.STAFF))
    shared = sa.select(Registrant).join(Enrolment).where(
        Enrolment.university_id == staff.university_id, Registrant.share_with_university)
    alumnus = db.session.scalar(shared.limit(1))
    person = db.session.scalar(sa.select(Registrant).join(CareerSpell).join(Enrolment).limit(1))
    login = db.session.scalar(sa.select(Account.login).where(Account.id == person.account_id))
    release = db.session.scalar(sa.select(StatRelease))
    staff_id = staff.id
    career = db.session.scalar(sa.select(CareerSpell.id).where(
        CareerSpell.registrant_id == person.id).limit(1))
    enrolment = db.session.scalar(sa.select(Enrolment.id).where(
        Enrolment.registrant_id == person.id).limit(1))
    widest = "sector_by_field_years_since"
    return {
        (login, REGISTRANT_PASSWORD): [f"/me/careers/{career}", f"/me/enrolments/{enrolment}",
                                       "/me/history"],
        DEMO_LOGINS[Role.STAFF]: ["/records/", f"/records/{alumnus.doctor_id}",
                                  f"/records/{alumnus.doctor_id}/profile",
                                  f"/records/{alumnus.doctor_id}/careers/new",
                                  "/university/surveys/career-wave/rates"],
        DEMO_LOGINS[Role.ANALYST]: [f"/stats/{release.id}",
                                    f"/stats/{release.id}/tables/{widest}",
                                    f"/stats/{release.id}/tables/{widest}.sex"],
        DEMO_LOGINS[Role.ADMIN]: ["/admin/accounts", "/admin/audit", "/admin/",
                                  "/admin/surveys/career-wave",
                                  "/admin/surveys/career-wave/rates",
                                  f"/admin/accounts/{staff_id}/state"],
    }


def _sign_in(page, base: str, identifier: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#identifier", identifier)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    if "/login/code" in page.url:
        key, step = _next_code_step(identifier)
        page.fill("#code", totp.code_at(key, step))
        page.click("main button[type=submit]")
    assert "/login" not in page.url, page.url


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def _too_wide(measured: dict) -> list[str]:
    out = []
    if measured["page"] > measured["screen"] + 1:
        out.append(f"page {measured['page']} px on a {measured['screen']} px screen")
    for i, t in enumerate(measured["tables"]):
        if t["width"] > measured["screen"] and (t["box"] is None or t["reach"] < t["width"]):
            out.append(f"table {i} ({t['width']} px) has no box that scrolls to its end")
    return out


def test_pages_with_ids_pass_axe_and_fit_a_phone(live_server, demo):  # noqa: F811
    problems = []
    wide_tables = 0
    with playwright.sync_playwright() as p:
        browser = launch(p)
        for language in ("en-GB", "ja-JP"):
            for (identifier, password), paths in demo.items():
                context = browser.new_context(locale=language, bypass_csp=True,
                                              viewport=PHONE)
                page = context.new_page()
                page.set_default_timeout(15000)
                if language == "ja-JP":
                    page.goto(live_server + "/")
                    page.click("button[name=lang][value=ja]")
                _sign_in(page, live_server, identifier, password)
                for path in paths:
                    response = page.goto(live_server + path)
                    if response.status != 200:
                        problems.append(f"{language} {path}: status {response.status}")
                        continue
                    measured = page.evaluate(MEASURE)
                    wide_tables += sum(t["width"] > measured["screen"]
                                       for t in measured["tables"])
                    problems += [f"{language} {path}: {p}" for p in _too_wide(measured)]
                    problems += [f"{language} {path}: {v}" for v in _axe(page)]
                context.close()
        browser.close()
    assert wide_tables >= 2  # the statistics tables are wider than a phone: the check bites
    assert not problems, "\n".join(problems)
