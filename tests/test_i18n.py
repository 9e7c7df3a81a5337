"""English and Japanese: from the browser, switchable on every page, and a complete catalogue."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_language_follows_the_browser(client):
    japanese = client.get("/", headers={"Accept-Language": "ja,en;q=0.5"})
    assert 'lang="ja"' in japanese.get_data(as_text=True)
    assert "新規登録" in japanese.get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-GB"})
    assert "Sign up" in english.get_data(as_text=True)


def test_language_switch_on_every_page(client):
    for path in ("/", "/login", "/signup", "/contact", "/privacy"):
        assert 'action="/lang"' in client.get(path).get_data(as_text=True), path
    response = client.submit("/lang", {"lang": "ja", "next": "/privacy"})
    assert response.headers["Location"].endswith("/privacy")
    page = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="ja"' in page
    client.submit("/lang", {"lang": "en", "next": "//evil.example/"})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_japanese_form_errors_and_mail(client):
    client.submit("/lang", {"lang": "ja", "next": "/"})
    response = client.submit("/contact", {"name": "", "email": "x@example.org", "details": ""})
    text = response.get_data(as_text=True)
    assert "This field is required." not in text
    from tests.factories import outbox

    client.submit("/signup", {"email": "ja@example.org"})
    assert "JGRAD" in outbox(to="ja@example.org")[0].subject
    assert "パスワード" in outbox(to="ja@example.org")[0].subject


def test_every_string_has_a_japanese_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(template), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with template.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "jgrad/translations/ja/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - translated)
    assert missing == [], f"untranslated (run `make messages` and translate): {missing[:10]}"


def test_navigation_shows_what_each_role_can_do(client, login, make_account, make_university):
    from jgrad.accounts.models import Role
    from jgrad.extensions import db

    home = make_university(code="HOME")
    editor = make_account(Role.STAFF, email="editor@home.example", university=home)
    editor.staff_role = "editor"
    make_account(Role.STAFF, email="viewer@home.example", university=home)
    db.session.commit()
    login("editor@home.example")
    nav = client.get("/records/").get_data(as_text=True).split("<nav", 1)[1].split("</nav>")[0]
    assert 'href="/records/" aria-current="page"' in nav
    assert 'href="/records/import"' in nav and 'href="/records/messages"' in nav
    assert 'href="/me/two-factor"' in nav  # password, address and second factor live there
    client.submit("/logout")
    login("viewer@home.example")
    nav = client.get("/records/").get_data(as_text=True).split("<nav", 1)[1].split("</nav>")[0]
    assert 'href="/records/import"' not in nav and 'href="/records/messages"' in nav


def test_months_read_in_the_readers_language(app):
    import datetime as dt

    from flask_babel import force_locale

    from jgrad.templating import month_format

    with app.test_request_context():
        with force_locale("ja"):
            assert month_format(dt.date(2023, 4, 1)) == "2023年4月"
        with force_locale("en"):
            assert month_format(dt.date(2023, 4, 1)) == "Apr 2023"
        assert month_format(None) == ""


def test_dates_read_as_flask_babel_writes_them(app):
    """The date filters parse each locale's pattern once; what they print is Flask-Babel's,
    in both languages, every named format, for dates, naive UTC and aware datetimes (the
    day is the reader's: 16:01 UTC on 31 December is 1 January in Tokyo)."""
    import datetime as dt

    from flask_babel import force_locale, format_date, format_datetime

    from jgrad.templating import date_format, datetime_format

    values = [dt.datetime(2026, 1, 31, hour, 7, 9) for hour in range(0, 24, 5)]
    values += [dt.datetime(2025, 12, 31, 16, 1, tzinfo=dt.timezone.utc)]
    checked = 0
    with app.test_request_context():
        for language in ("en", "ja"):
            with force_locale(language):
                for fmt in ("short", "medium", "long", "full"):
                    for value in values:
                        assert datetime_format(value, fmt) == format_datetime(value, fmt)
                        assert date_format(value, fmt) == format_date(value, fmt)
                        checked += 1
                    day = dt.date(1999, 12, 1)
                    assert date_format(day, fmt) == format_date(day, fmt)
        with force_locale("ja"):
            assert date_format(values[-1], "long") == "2026年1月1日"
        assert date_format(None, "short") == format_date(None, "short")
    assert checked == 2 * 4 * len(values)


def test_words_follow_a_language_forced_in_the_middle_of_a_request(app):
    """Translations are remembered per request, for the language in force: a mail written in
    its reader's language in the middle of an English page gets Japanese words, and the page
    English again afterwards, in templates and in Python alike."""
    from flask import render_template_string
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from jgrad.registrants import codes
    from jgrad.registrants.display import code_label, field_label

    template = '{{ _("Delete") }}'
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(template) == "Delete"
        assert _("Delete") == "Delete"
        english_field = field_label("field")
        english_status = code_label(codes.ENROLMENT_STATUS, "withdrawn")
        with force_locale("ja"):
            assert render_template_string(template) == "削除"
            assert _("Delete") == "削除"
            assert field_label("field") != english_field
            assert code_label(codes.ENROLMENT_STATUS, "withdrawn") != english_status
        assert render_template_string(template) == "Delete"
        assert _("Delete") == "Delete"
        assert field_label("field") == english_field
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "ja"}):
        assert render_template_string(template) == "削除"  # a request of its own
