"""Rule 10 in the app: releases from the records, analysts' pages, nothing per person."""
import csv
import datetime as dt
import html
import io
import json
import re

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import AccountState, Role
from jgrad.audit.models import AuditEvent
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.statistics import services
from jgrad.statistics.extract import people_frame, spells_frame
from jgrad.statistics.models import StatRelease

SIGNS = {"x", "s", "r", "d", "-"}


def test_rule10_extract_has_the_supplied_population_and_no_identifiers(make_registrant,
                                                                     client):
    """Active and pending (supplied by a university, not activated yet) registrants count;
    suspended and deleted ones never do."""
    active = make_registrant(email="active@example.org")
    pending = make_registrant(email="pending@example.org")
    pending.account.state = AccountState.PENDING
    suspended = make_registrant(email="suspended@example.org")
    suspended.account.suspend(reason="deletion_requested")
    deleted = make_registrant(email="deleted@example.org")
    deleted.account.state = AccountState.DELETED
    db.session.commit()
    people = people_frame(utcnow())
    assert sorted(people["pid"]) == sorted([active.id, pending.id])
    assert not {"family_name", "given_name", "email", "doctor_id"} & set(people.columns)
    client.submit("/login", {"identifier": "active@example.org",
                             "password": "correct horse battery staple"})
    client.submit("/me/careers/new", {"start_month": "2021-04", "labour_status": "employed",
                                      "sector": "company", "employment_term": "permanent",
                                      "country": "JP"})
    spells = spells_frame(utcnow())
    assert list(spells["pid"]) == [active.id] and spells["sector"].tolist() == ["company"]
    # A spell that ended before the date does not count as current.
    assert spells_frame(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)).empty


def test_analysts_get_403_and_an_audit_event_on_per_person_pages(
        client, login, make_account, make_registrant):
    registrant = make_registrant(email="someone@example.org")
    analyst = make_account(role=Role.ANALYST, email="analyst@example.org")
    login("analyst@example.org")
    for path in ("/me", "/me/download/jgrad-record.json", "/me/download/jgrad-record.zip",
                 f"/me/enrolments/{registrant.enrolments[0].id}", "/admin/",
                 "/admin/inquiries"):
        assert client.get(path).status_code == 403, path
    denied = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "access.denied")).all()
    assert len(denied) == 6
    assert {e.actor_account_id for e in denied} == {analyst.id}
    assert {str(e.outcome) for e in denied} == {"denied"}


@pytest.fixture
def released(runner, tmp_path):
    """Demo registrants and one release written to a folder; returns (release row, folder)."""
    runner.invoke(args=["demo-data", "--registrants", "600"])
    out = tmp_path / "release"
    result = runner.invoke(args=["stats", "release", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Stored as release #" in result.output and "tables" in result.output
    return db.session.scalar(sa.select(StatRelease)), out, result.output


def _release_files_publish_no_small_counts_and_analysts_browse_them(released, client):
    row, out, output = released
    meta = json.loads((out / "en" / "release.json").read_text(encoding="utf-8"))
    assert meta["as_of"] == row.as_of.isoformat() and meta["catalogue_version"]
    assert meta["rules"]["threshold"] == 10 and meta["rules"]["rounding_base"] == 5
    assert set(meta["hidden_by_rule"]) == {"x"}  # one sign; reasons stay internal
    published = [t for t in meta["tables"] if not t["withheld"]]
    assert published, "every table was withheld"
    assert {t["breakdown_of"] for t in published} > {None}, "breakdowns are published"
    counted = hidden = 0
    for table in published:
        # Charts of breakdowns and survey tables are drawn when first asked for (see below).
        charts = ("png", "svg") if table["breakdown_of"] is None and not table["source"] else ()
        for ext in ("csv", "xlsx", *charts):
            # Other languages' charts are drawn when first asked for, as breakdowns' are.
            languages = ("en", "ja") if ext in ("csv", "xlsx") else ("en",)
            for language in languages:
                assert (out / language / f"{table['id']}.{ext}").stat().st_size > 0
        rows = list(csv.reader(io.StringIO(
            (out / "en" / f"{table['id']}.csv").read_text(encoding="utf-8-sig"))))
        share = table["measure"] == "row_share"
        header = rows[0]
        for line in rows[1:]:
            for name, cell in zip(header[len(table["rows"]):], line[len(table["rows"]):]):
                if cell in SIGNS:
                    hidden += 1
                    continue
                value = float(cell)
                counted += 1
                if share and name != "n":  # a percentage of the row
                    assert 0 <= value <= 100, (table["id"], name, cell)
                else:  # a count: zero, or at least the threshold and a multiple of five
                    assert value == 0 or (value >= 10 and value % 5 == 0), (table["id"], cell)
    assert counted > 100 and hidden > 0, (counted, hidden)
    assert not (out / "release.pickle").exists()  # internal file stays in the instance

    listing = client.get("/stats/").get_data(as_text=True)
    assert f"#{row.id}" in listing
    page = client.get(f"/stats/{row.id}").get_data(as_text=True)
    first = published[0]["id"]
    assert published[0]["title"] in page
    table_page = client.get(f"/stats/{row.id}/tables/{first}").get_data(as_text=True)
    # Hidden cells are shown with their sign and marked for readers.
    assert re.search(r'<td class="num hidden-cell">[xsrd-]</td>', table_page)
    assert f"/stats/{row.id}/files/{first}.png" in table_page
    csv_download = client.get(f"/stats/{row.id}/files/{first}.csv")
    assert csv_download.status_code == 200
    assert csv_download.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/stats/{row.id}/files/{first}.xlsx").data[:2] == b"PK"
    assert client.get(f"/stats/{row.id}/files/{first}.png").data[:4] == b"\x89PNG"
    assert client.get(f"/stats/{row.id}/files/release.pickle").status_code == 404
    assert client.get(f"/stats/{row.id}/files/..%2Fsecret_key").status_code == 404
    downloads = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "stats.downloaded")).all()
    assert len(downloads) == 3


def _analysts_choose_a_breakdown_and_its_chart_is_drawn_when_asked_for(released, client):
    row, out, _ = released
    meta = row.meta
    breakdowns = [t for t in meta["tables"] if t["breakdown_of"] == "working_abroad_by_field"]
    seen = _count_views()
    base_page = client.get(f"/stats/{row.id}/tables/working_abroad_by_field").get_data(as_text=True)
    # Withheld breakdowns are named but never linked; published ones are linked.
    for table in breakdowns:
        linked = f"/stats/{row.id}/tables/{table['id']}" in base_page
        assert linked != table["withheld"], table["id"]
    assert len(breakdowns) >= 4
    if any(t["withheld"] for t in breakdowns):
        assert "withheld" in base_page
    breakdown = next(t for t in breakdowns if t["rows"] == ["sex"])
    assert not breakdown["withheld"], "the demo population publishes work abroad by field and sex"
    link = f"/stats/{row.id}/tables/{breakdown['id']}"
    assert link in base_page, "the table page offers its breakdowns"
    page = client.get(link).get_data(as_text=True)
    assert "by sex" in page and "Female" in page
    assert 'aria-current="page">Sex<' in page
    chart = services.folder_of(row) / "en" / f"{breakdown['id']}.svg"
    assert not chart.exists() and not (out / "en" / chart.name).exists()
    response = client.get(f"/stats/{row.id}/files/{breakdown['id']}.svg")
    assert response.status_code == 200 and b"<svg" in response.data[:500]
    assert chart.exists(), "drawn once, then served from the release folder"
    assert client.get(f"/stats/{row.id}/files/{breakdown['id']}.csv").status_code == 200
    # A dimension the table does not allow is not a breakdown, so there is no such table.
    assert client.get(f"/stats/{row.id}/tables/income_by_field.university_group"
                      ).status_code == 404
    assert _count_views() - seen == 4


def _the_demo_survey_round_shows_tables_with_published_figures(released, client):
    row, out, output = released
    assert [s["slug"] for s in row.meta["surveys"]] == ["career-wave-2025"]  # the open one: no
    assert "tables from 1 closed survey(s): career-wave-2025 v1" in output
    tables = [t for t in row.meta["tables"] if t["source"] == "survey:career-wave-2025:v1"]
    assert {t["id"].rsplit(".", 1)[1] for t in tables} >= {
        "labour_status", "sector", "income_band", "move_reasons___1", "sat_pay", "country"}
    assert not {"employer", "job_title", "contract_months", "start_month", "research_share",
                "intention_reason"} & {t["id"].rsplit(".", 1)[1] for t in tables}
    figures = 0
    for table in tables:
        if table["withheld"]:
            continue
        rows = list(csv.reader(io.StringIO(
            (out / "en" / f"{table['id']}.csv").read_text(encoding="utf-8-sig"))))
        figures += sum(cell not in SIGNS for line in rows[1:] for cell in line[1:])
    assert figures > 20, figures
    page = client.get(f"/stats/{row.id}").get_data(as_text=True)
    assert "Doctoral career tracking survey (2025 round, closed)" in page
    # A published survey table shows its answers in words; a sparse one says why it is not.
    shown = next(t for t in tables if not t["withheld"])
    page = client.get(f"/stats/{row.id}/tables/{shown['id']}").get_data(as_text=True)
    assert html.escape(shown["texts"]["title"]["en"]) in page and "Withheld" not in page
    sparse = [t for t in tables if t["withheld"]]
    for table in sparse[:1]:
        page = client.get(f"/stats/{row.id}/tables/{table['id']}").get_data(as_text=True)
        assert "Withheld: too few people for its cells" in page


def _count_views() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(["stats.table.viewed", "stats.downloaded"])))


def test_rule10_release_files_and_analysts_pages(released, client, login, make_account):
    """One release (building one takes seconds) serves both halves of the analysts' visit."""
    make_account(role=Role.ANALYST, email="analyst@example.org")
    login("analyst@example.org")
    _release_files_publish_no_small_counts_and_analysts_browse_them(released, client)
    _analysts_choose_a_breakdown_and_its_chart_is_drawn_when_asked_for(released, client)
    _the_demo_survey_round_shows_tables_with_published_figures(released, client)


def test_every_catalogue_table_and_dimension_has_a_name_for_readers(app):
    from jgrad.statistics import labels
    from stats.catalogue import CATALOGUE, with_breakdowns

    with app.test_request_context():
        assert {k: str(v) for k, v in labels.TITLES.items()} == \
            {spec.id: spec.title for spec in CATALOGUE}
        used = {d for spec in with_breakdowns() for d in spec.dimensions}
        assert used <= set(labels.DIMENSIONS)
