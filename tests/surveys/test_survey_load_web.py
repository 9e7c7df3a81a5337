"""Administrators load a definition file from the web: upload, a preview of every page in
both languages, then a confirmation that loads it once; bad files are refused, naming where."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from jgrad.imports import previews
from surveys import load_json
from surveys.loading import write_definition
from surveys.models import Survey, SurveyState, SurveyVersion
from tests.surveys.conftest import EXAMPLE

REDCAP = Path(__file__).parent / "data" / "alumni_followup_redcap.csv"
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


def _upload(client, data: bytes, name: str, **fields):
    return client.submit("/admin/surveys/load", {"file": (io.BytesIO(data), name), **fields},
                         content_type="multipart/form-data")


def _counts() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Survey)),
            db.session.scalar(sa.select(sa.func.count()).select_from(SurveyVersion)))


def _kept(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(folder.glob("survey-*")) if folder.is_dir() else []


@pytest.fixture
def admin(login, make_account):
    account = make_account(Role.ADMIN)
    login(account.email)
    return account


def _preview(client, response) -> tuple[str, str | None]:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    found = TOKEN_RE.search(text)
    return text, found and found.group(1)


def test_an_administrator_loads_the_json_example_after_a_preview_in_both_languages(
        app, client, admin):
    data = EXAMPLE.read_bytes()
    definition = load_json(data)
    text, token = _preview(client, _upload(client, data, "career_wave.json"))
    assert _counts() == (0, 0)  # a preview stores nothing
    checked = 0
    for page in definition.pages:
        for item in page.items:
            assert item.label.get("ja") in text and item.label.get("en") in text
            checked += 1
    assert checked > 5
    assert f"Page {len(definition.pages)} of {len(definition.pages)}" in text
    assert 'lang="ja"' in text and 'lang="en"' in text
    assert "<form" in text and text.count("<fieldset disabled") == 2 * len(definition.pages)
    assert "career.current.sector" in text  # the summary names the career fields
    assert "Shown when" in text  # conditions are shown beside their items
    [kept] = _kept(app)
    assert os.stat(kept).st_mode & 0o077 == 0
    assert token not in kept.name  # kept under the token's hash, not the token

    done = client.submit("/admin/surveys/load/confirm", {"token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/surveys/career-wave")
    survey = db.session.scalar(sa.select(Survey))
    assert survey.slug == "career-wave" and survey.state == SurveyState.DRAFT
    assert survey.current_version.definition() == definition
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "survey.definition_loaded"))
    assert event.actor_account_id == admin.id
    assert event.details["format"] == "json" and event.details["version"] == 1
    assert _kept(app) == []
    page = client.get("/admin/surveys/career-wave").get_data(as_text=True)
    assert "version 1 loaded" in page and "Open this survey" in page


def test_a_replayed_or_stale_confirmation_loads_nothing_twice(app, client, admin):
    _text, token = _preview(client, _upload(client, EXAMPLE.read_bytes(), "career_wave.json"))
    assert client.submit("/admin/surveys/load/confirm", {"token": token}).status_code == 302
    again = client.submit("/admin/surveys/load/confirm", {"token": token})
    assert again.status_code == 404
    assert "no longer available" in again.get_data(as_text=True)
    assert _counts() == (1, 1)
    assert client.get(f"/admin/surveys/load/preview?token={token}").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "survey.definition_loaded")) == 1


def test_an_expired_preview_says_so_and_loads_nothing(app, client, admin):
    _text, token = _preview(client, _upload(client, EXAMPLE.read_bytes(), "career_wave.json"))
    [kept] = _kept(app)
    old = (dt.datetime.now() - previews.LIFETIME - dt.timedelta(minutes=1)).timestamp()
    os.utime(kept, (old, old))
    page = client.get(f"/admin/surveys/load/preview?token={token}")
    assert page.status_code == 404 and "more than a day" in page.get_data(as_text=True)
    assert client.submit("/admin/surveys/load/confirm", {"token": token}).status_code == 404
    assert _counts() == (0, 0) and _kept(app) == []


def test_a_preview_is_the_uploaders_own(app, client, admin, login, make_account):
    _text, token = _preview(client, _upload(client, EXAMPLE.read_bytes(), "career_wave.json"))
    other = make_account(Role.ADMIN)
    client.submit("/logout")
    login(other.email)
    assert client.get(f"/admin/surveys/load/preview?token={token}").status_code == 404
    assert client.submit("/admin/surveys/load/confirm", {"token": token}).status_code == 404
    assert client.submit("/admin/surveys/load/confirm", {"token": "x" * 43}).status_code == 404
    assert _counts() == (0, 0) and len(_kept(app)) == 1


def test_an_xlsform_loads_with_its_preview(client, admin):
    workbook, _problems = write_definition(load_json(EXAMPLE.read_bytes()), "xlsform")
    text, token = _preview(client, _upload(client, workbook, "wave.xlsx"))
    assert "read as xlsform" in text and "博士人材キャリア追跡調査" in text
    item = load_json(EXAMPLE.read_bytes()).pages[-1].items[0]
    assert item.label.get("ja") in text and item.label.get("en") in text
    assert client.submit("/admin/surveys/load/confirm", {"token": token}).status_code == 302
    assert _counts() == (1, 1)


def test_a_redcap_dictionary_shows_what_it_skips_and_loads(client, admin):
    text, token = _preview(client, _upload(client, REDCAP.read_bytes(), "dictionary.csv",
                                           slug="alumni-followup",
                                           title_en="Alumni follow-up",
                                           title_ja="修了者追跡調査"))
    assert "read as redcap" in text and "consent_sign" in text and "record_id" in text
    assert "Do you agree to take part?" in text and text.count("<fieldset disabled") >= 2
    assert "Not carried over" in text
    assert client.submit("/admin/surveys/load/confirm", {"token": token}).status_code == 302
    survey = db.session.scalar(sa.select(Survey))
    assert (survey.slug, survey.title_ja) == ("alumni-followup", "修了者追跡調査")


def test_a_changed_file_under_a_known_slug_becomes_a_new_version(client, admin, make_survey):
    make_survey(state="open")
    data = json.loads(EXAMPLE.read_text("utf-8"))
    data["title"]["en"] = "Doctoral career tracking survey, second wave"
    text, token = _preview(client, _upload(client, json.dumps(data).encode(), "w.json"))
    assert "becomes version 2" in text
    assert client.submit("/admin/surveys/load/confirm", {"token": token}).status_code == 302
    survey = db.session.scalar(sa.select(Survey))
    assert [v.number for v in survey.versions] == [1, 2] and survey.state == SurveyState.OPEN


def test_a_closed_survey_takes_no_file(client, admin, make_survey):
    make_survey(state="closed")
    text, _token = _preview(client, _upload(client, EXAMPLE.read_bytes(), "w.json"))
    assert "cannot be loaded" in text and "Load this survey" not in text


def test_a_malformed_file_is_refused_naming_where_and_why(app, client, admin):
    data = json.loads(EXAMPLE.read_text("utf-8"))
    data["pages"][0]["items"][2]["relevant"] = "${nonexistent} = 1"
    response = _upload(client, json.dumps(data).encode(), "bad.json")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "$.pages[0].items[2].relevant" in text and "nonexistent" in text
    assert "Nothing was loaded" in text
    bad_csv = REDCAP.read_text("utf-8").replace(",text,", ",blob,", 1)
    response = _upload(client, bad_csv.encode(), "dictionary.csv", slug="x")
    assert response.status_code == 422 and "row 2" in response.get_data(as_text=True)
    assert _counts() == (0, 0) and _kept(app) == []


@pytest.mark.parametrize("data, name, message", [
    (b"%PDF-1.4 not a survey", "survey.pdf", "Upload a .json, .xlsx or .csv file."),
    (b"PK\x03\x04 not a workbook", "survey.xlsx", "xlsx"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "picture.csv", "row 1"),
    (b"{" + b" " * 5_000_001 + b"}", "big.json", "The file is larger than 5 MB."),
])
def test_wrong_types_and_too_large_files_are_refused(app, client, admin, data, name, message):
    response = _upload(client, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _counts() == (0, 0) and _kept(app) == []


def test_a_request_over_the_upload_limit_is_refused(app, client, admin):
    response = _upload(client, b"{" + b" " * (7 * 1024 * 1024) + b"}", "huge.json")
    assert response.status_code == 413
    assert _counts() == (0, 0) and _kept(app) == []


def test_a_japanese_administrator_sees_the_problems_in_japanese(client, admin):
    client.submit("/lang", {"lang": "ja"})
    data = json.loads(EXAMPLE.read_text("utf-8"))
    data["pages"][0]["items"][0]["name"] = "Bad Name"
    text = _upload(client, json.dumps(data).encode(), "bad.json").get_data(as_text=True)
    assert "名前として使えません" in text


@pytest.mark.parametrize("role", [Role.STAFF, Role.ANALYST, Role.REGISTRANT, None])
def test_only_administrators_may_load(app, client, login, make_account, make_registrant,
                                      make_university, role):
    if role == Role.REGISTRANT:
        login(make_registrant().account.email)
    elif role is not None:
        login(make_account(role, university=make_university() if role == Role.STAFF
                           else None).email)
    upload = _upload(client, EXAMPLE.read_bytes(), "career_wave.json")
    expected = 302 if role is None else 403
    assert upload.status_code == expected
    if role is None:
        assert "/login" in upload.headers["Location"]
    assert client.get("/admin/surveys/load").status_code == expected
    assert client.get("/admin/surveys/load/preview?token=x").status_code == expected
    assert client.submit("/admin/surveys/load/confirm", {"token": "x"}).status_code == expected
    assert _counts() == (0, 0) and _kept(app) == []


def test_a_survey_closed_after_the_preview_takes_nothing_on_confirmation(client, admin,
                                                                         make_survey):
    survey = make_survey(state="open")
    data = json.loads(EXAMPLE.read_text("utf-8"))
    data["title"]["en"] = "Changed while the preview was open"
    _text, token = _preview(client, _upload(client, json.dumps(data).encode(), "w.json"))
    survey.close()
    db.session.commit()
    done = client.submit("/admin/surveys/load/confirm", {"token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/surveys/load")
    assert "nothing was loaded" in client.get("/admin/surveys/load").get_data(as_text=True)
    db.session.expire_all()
    assert _counts() == (1, 1)
    assert db.session.scalar(sa.select(Survey)).title_en == "Doctoral career tracking survey"
