"""University-supplied records: validated whole, all or nothing, idempotent, lookalikes held."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.actors import Source
from jgrad.extensions import db
from jgrad.registrants.history import RecordChange
from jgrad.imports.importfile import COLUMNS, parse
from jgrad.imports.models import PossibleDuplicate
from jgrad.registrants.models import Enrolment, Registrant
from tests.factories import PASSWORD, link_in, outbox

ROW = {
    "student_number": "D21-001", "family_name": "佐藤", "given_name": "健太",
    "family_name_kana": "サトウ", "given_name_kana": "ケンタ", "family_name_roman": "Sato",
    "given_name_roman": "Kenta", "email": "kenta@example.org", "birth_year": "1995",
    "sex": "male", "nationality": "JP", "graduate_school": "Graduate School of Engineering",
    "major": "Materials Science", "field": "7", "programme_type": "latter",
    "entry_date": "2021-04-01", "status": "degree_awarded", "status_date": "2024-03-31",
    "degree": "Doctor of Engineering",
}


def csv_bytes(*rows, bom=True, columns=COLUMNS) -> bytes:
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(str(row.get(c, "")) for c in columns))
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def rows(n, **changes):
    return [dict(ROW, student_number=f"D21-{i:03d}", email=f"s{i}@example.org",
                 given_name=f"健太{i}", **changes) for i in range(n)]


@pytest.fixture
def home(make_university):
    return make_university(code="HOME")


def run_import(runner, tmp_path, data: bytes, name="students.csv", *args):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["universities", "import", "HOME", str(path), *args])


def test_import_creates_pending_registrants_with_invitations(runner, tmp_path, home, client):
    result = run_import(runner, tmp_path, csv_bytes(*rows(3)))
    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated, 0 unchanged, 0 flagged" in result.output
    registrants = db.session.scalars(sa.select(Registrant)).all()
    assert len(registrants) == 3
    first = registrants[0]
    assert first.account.state == AccountState.PENDING and first.supplied_by == Source.UNIVERSITY
    assert first.enrolments[0].field == "07" and first.enrolments[0].supplied_by_university_id \
        == home.id
    invitation = outbox(to="s0@example.org", kind="invite")[0]
    [s0] = [r for r in registrants if r.account.email == "s0@example.org"]
    assert s0.doctor_id in invitation.body_text  # their own Doctor ID, nobody else's
    assert not any(r.doctor_id in invitation.body_text for r in registrants if r is not s0)
    # The invitation's link sets the password and activates the account.
    client.get(link_in(invitation))
    response = client.submit("/signup/complete", {"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    account = db.session.scalar(sa.select(Account).where(Account.email == "s0@example.org"))
    assert account.state == AccountState.ACTIVE


def test_reimporting_the_same_file_changes_nothing(runner, tmp_path, home):
    data = csv_bytes(*rows(3))
    run_import(runner, tmp_path, data)
    counts = lambda: (db.session.scalar(sa.select(sa.func.count(Registrant.id))),  # noqa: E731
                      len(outbox()))
    before = counts()
    again = run_import(runner, tmp_path, data)
    assert "0 added, 0 updated, 3 unchanged, 0 flagged" in again.output
    assert counts() == before


def test_a_changed_row_updates_the_enrolment_with_history(runner, tmp_path, home):
    run_import(runner, tmp_path, csv_bytes(*rows(2)))
    changed = rows(2)
    changed[1]["major"] = "Applied Physics"
    result = run_import(runner, tmp_path, csv_bytes(*changed))
    assert "0 added, 1 updated, 1 unchanged" in result.output
    enrolment = db.session.scalar(sa.select(Enrolment).where(
        Enrolment.student_number == "D21-001"))
    assert enrolment.major == "Applied Physics" and enrolment.changed_by == Source.UNIVERSITY


def test_errors_are_reported_by_row_and_column_and_nothing_is_written(runner, tmp_path, home):
    bad = rows(4)
    bad[1]["entry_date"] = "2021/04/01"
    bad[2]["status"] = "graduated"
    bad[3]["student_number"] = bad[0]["student_number"]
    result = run_import(runner, tmp_path, csv_bytes(*bad))
    assert result.exit_code != 0 and "nothing was imported" in result.output
    assert "row 3, entry_date" in result.output
    assert "row 4, status" in result.output
    assert "row 5, student_number: the same student number as row 2" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Registrant.id))) == 0
    assert outbox() == []


def test_blank_lines_are_skipped_and_a_short_row_reads_as_empty_cells(app):
    [row] = rows(1, status="enrolled", status_date="", degree="")
    cells = [str(row[c]) for c in COLUMNS]
    short = ",".join(cells[:COLUMNS.index("status_date")])  # no cells for the last two
    text = "\r\n".join([",".join(COLUMNS), "", " , ,", short, ",".join(cells[:1])])
    parsed = parse(text.encode("utf-8"), "students.csv")
    [only] = parsed.rows
    assert only["line"] == 4 and only["status_date"] is None and only["degree_name"] is None
    # The last line holds only a student number: its other required cells are missing.
    assert {(p.row, p.column) for p in parsed.problems} >= {(5, "family_name"),
                                                            (5, "entry_date")}


def test_malformed_files_get_a_clear_report(home):
    assert "not UTF-8" in str(parse("学生".encode("shift_jis") + b",x\r\n", "a.csv").problems[0])
    missing = parse(csv_bytes(*rows(1), columns=COLUMNS[:-2]), "a.csv").problems
    assert "missing column(s): status_date, degree" in str(missing[0])
    assert "not a readable XLSX" in str(parse(b"not a zip", "a.xlsx").problems[0])
    assert "empty" in str(parse(b"", "a.csv").problems[0])


def test_xlsx_files_import_like_csv(runner, tmp_path, home):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows(2):
        sheet.append([row[c] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run_import(runner, tmp_path, buffer.getvalue(), "students.xlsx")
    assert "2 added" in result.output, result.output


def test_lookalikes_are_held_for_an_administrator(runner, tmp_path, home, make_registrant,
                                                  client, login, make_account):
    existing = make_registrant(email="known@example.org", university=home,
                               family_name="佐藤", given_name="健太0", birth_year=1995)
    existing.enrolments[0].entry_date = existing.enrolments[0].entry_date.replace(year=2021)
    db.session.commit()
    result = run_import(runner, tmp_path, csv_bytes(*rows(2)))
    assert "1 added, 0 updated, 0 unchanged, 1 flagged" in result.output
    flag = db.session.scalar(sa.select(PossibleDuplicate))
    assert flag.candidate_registrant_id == existing.id and flag.row["student_number"] == "D21-000"
    again = run_import(runner, tmp_path, csv_bytes(*rows(2)))
    assert "0 added, 0 updated, 1 unchanged, 1 flagged" in again.output
    assert db.session.scalar(sa.select(sa.func.count(PossibleDuplicate.id))) == 1
    # The administrator merges the row into the existing record.
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    assert "D21-000" in client.get("/admin/duplicates").get_data(as_text=True)
    asked = client.get(f"/admin/duplicates/{flag.id}/merge").get_data(as_text=True)
    assert f"Join the imported row to {existing.doctor_id}" in asked and "D21-000" in asked
    assert db.session.get(PossibleDuplicate, flag.id).state == "open"  # asking changed nothing
    done = client.submit(f"/admin/duplicates/{flag.id}/merge", follow_redirects=True)
    assert "combined with the doctoral programme" in done.get_data(as_text=True)
    db.session.refresh(existing)
    # One programme, completed by the university, not two side by side.
    [enrolment] = existing.enrolments
    assert enrolment.student_number == "D21-000" and enrolment.supplied_by == "university"
    changes = db.session.scalars(sa.select(RecordChange).where(
        RecordChange.registrant_id == existing.id, RecordChange.action == "update")).all()
    assert changes and all(c.actor_source == "university" for c in changes)
    assert "student_number" in changes[-1].changes
    assert db.session.get(PossibleDuplicate, flag.id).state == "merged"


def test_merging_adds_a_programme_the_person_does_not_have(runner, tmp_path, home,
                                                           make_registrant, client, login,
                                                           make_account):
    existing = make_registrant(email="known@example.org", university=home,
                               family_name="佐藤", given_name="健太0", birth_year=1995)
    existing.enrolments[0].student_number = "OLD-1"  # a different programme at the university
    existing.enrolments[0].entry_date = existing.enrolments[0].entry_date.replace(year=2021)
    db.session.commit()
    run_import(runner, tmp_path, csv_bytes(*rows(2)))
    flag = db.session.scalar(sa.select(PossibleDuplicate))
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    done = client.submit(f"/admin/duplicates/{flag.id}/merge", follow_redirects=True)
    assert "as a doctoral programme of its own" in done.get_data(as_text=True)
    db.session.refresh(existing)
    assert sorted(e.student_number for e in existing.enrolments) == ["D21-000", "OLD-1"]


def test_keeping_a_lookalike_apart_creates_the_person(runner, tmp_path, home, make_registrant,
                                                      client, login, make_account):
    make_registrant(email="kenta@example.org", university=home)
    run_import(runner, tmp_path, csv_bytes(ROW))
    flag = db.session.scalar(sa.select(PossibleDuplicate))
    assert flag is not None  # the same e-mail address
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    response = client.submit(f"/admin/duplicates/{flag.id}/keep-apart")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Registrant.id))) == 2
    assert db.session.get(PossibleDuplicate, flag.id).state == "kept_apart"


def test_dry_run_counts_and_writes_nothing(runner, tmp_path, home):
    result = run_import(runner, tmp_path, csv_bytes(*rows(3)), "students.csv", "--dry-run")
    assert "Would import: 3 added" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Registrant.id))) == 0


def test_staff_upload_preview_then_confirm(client, login, home, make_account):
    editor = make_account(role=Role.STAFF, university=home, email="editor@home.example")
    editor.staff_role = "editor"
    db.session.commit()
    login("editor@home.example")
    data = csv_bytes(*rows(2))
    preview = client.submit("/records/import", {"file": (io.BytesIO(data), "students.csv")},
                            content_type="multipart/form-data")
    text = preview.get_data(as_text=True)
    assert "2 new" in text
    assert db.session.scalar(sa.select(sa.func.count(Registrant.id))) == 0
    ticket = text.split('name="ticket" value="')[1].split('"')[0]
    done = client.submit("/records/import/confirm", {"ticket": ticket})
    assert done.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Registrant.id))) == 2
    errors = client.submit("/records/import", {"file": (io.BytesIO(csv_bytes(
        dict(ROW, entry_date="yesterday"))), "bad.csv")}, content_type="multipart/form-data")
    assert "is not a date as YYYY-MM-DD" in errors.get_data(as_text=True)


def test_a_50_mb_upload_gets_413(client, login, home, make_account):
    editor = make_account(role=Role.STAFF, university=home, email="editor@home.example")
    editor.staff_role = "editor"
    db.session.commit()
    login("editor@home.example")
    big = b"x" * (50 * 1024 * 1024)
    response = client.submit("/records/import", {"file": (io.BytesIO(big), "big.csv")},
                             content_type="multipart/form-data")
    assert response.status_code == 413
