"""Security baseline: uploads are streamed and bounded before parsing (rows, columns, cell
length), and never trusted for their declared dimensions; no import file gives a 500.

The workbooks here are written by hand, zip member by zip member, so that they can lie.
"""
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jgrad.accounts.models import Role
from jgrad.extensions import db
from jgrad.imports.importfile import COLUMNS, parse
from jgrad.imports.sheets import MAX_CELL, MAX_COLUMNS
from tests.imports.test_import import ROW, csv_bytes

ROOT = Path(__file__).resolve().parents[2]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cells(number: int, values) -> str:
    return "".join(f'<c r="{_column(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                   for i, v in enumerate(values, start=1))


def workbook(rows_xml: str, dimension: str = "A1:S3") -> bytes:
    """Return an XLSX with one sheet whose <sheetData> is ``rows_xml``, written by hand."""
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType'
            '="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName'
            '="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels":
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            '<sheets><sheet name="Students" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="'
            f'{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def students(*rows) -> str:
    xml = f'<row r="1">{_cells(1, COLUMNS)}</row>'
    for number, row in enumerate(rows, start=2):
        xml += f'<row r="{number}">{_cells(number, [row[c] for c in COLUMNS])}</row>'
    return xml


GOOD = (ROW, dict(ROW, student_number="D21-002", email="b@example.org"))

PARSE_IN_A_PROCESS = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))
from jgrad.imports.importfile import parse
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
parsed = parse(data, "students.xlsx")
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"rows": len(parsed.rows), "problems": [str(p) for p in parsed.problems],
                  "grown_kb": grown}))
"""


def parse_in_a_process(tmp_path, data: bytes) -> dict:
    """Parse in a process of its own, with its address space capped, and measure its growth."""
    path = tmp_path / "students.xlsx"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", PARSE_IN_A_PROCESS, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_security_baseline_a_lying_dimension_is_not_trusted(tmp_path):
    """A small workbook claiming 16,384 columns, with 5,000 empty rows, reads as it is."""
    empty_rows = "".join(f'<row r="{n}"/>' for n in range(4, 5004))
    data = workbook(students(*GOOD) + empty_rows, dimension="A1:XFD5003")
    assert len(data) < 20_000
    result = parse_in_a_process(tmp_path, data)
    assert result["problems"] == [] and result["rows"] == 2
    assert result["grown_kb"] < 64 * 1024


def test_security_baseline_a_row_of_many_cells_is_refused_before_it_is_read(tmp_path):
    wide = students(*GOOD) + '<row r="4">' + '<c t="inlineStr"><is><t>x</t></is></c>' \
        * 200_000 + "</row>"
    data = workbook(wide)
    assert len(data) < 200_000
    result = parse_in_a_process(tmp_path, data)
    assert result["rows"] == 0
    assert result["problems"] == [f"File: row 4 has more than {MAX_COLUMNS} columns"]
    assert result["grown_kb"] < 64 * 1024
    # One cell placed in the last column says the same, without 16,383 cells before it.
    far = workbook(students(*GOOD) + '<row r="4"><c r="XFD4"><v>1</v></c></row>')
    assert [str(p) for p in parse(far, "a.xlsx").problems] == [
        f"File: row 4 has more than {MAX_COLUMNS} columns"]


def test_security_baseline_long_cells_and_many_rows_are_refused_with_a_clear_message():
    long_cell = "x" * (MAX_CELL + 1)
    problems = parse(workbook(students(dict(ROW, major=long_cell))), "a.xlsx").problems
    assert [str(p) for p in problems] == [
        f"File: row 2: a cell is longer than {MAX_CELL:,} characters"]
    huge = "y" * 131_073  # over the csv module's own limit: that used to be a 500
    problems = parse(csv_bytes(ROW, dict(ROW, student_number="D2", major=huge)), "a.csv").problems
    assert [str(p) for p in problems] == [
        f"File: row 3: a cell is longer than {MAX_CELL:,} characters"]
    far_row = workbook(students(*GOOD) + '<row r="9000000"><c r="A9000000"><v>1</v></c></row>')
    assert [str(p) for p in parse(far_row, "a.xlsx").problems] == ["File: more than 500,000 rows"]


def test_superscript_and_full_width_digits_are_problems_not_crashes():
    bad = dict(ROW, birth_year="²⁰²⁰", field="²", entry_date="２０２１-04-01")
    problems = {p.column: str(p) for p in parse(csv_bytes(bad), "a.csv").problems}
    assert problems["birth_year"] == "row 2, birth_year: '²⁰²⁰' is not a year"
    assert set(problems) == {"birth_year", "field", "entry_date"}


def test_security_baseline_upload_of_bad_cells_gets_a_report_not_a_500(
        client, login, make_university, make_account):
    home = make_university(code="HOME")
    editor = make_account(role=Role.STAFF, university=home, email="editor@home.example")
    editor.staff_role = "editor"
    db.session.commit()
    login("editor@home.example")
    for name, data in (("a.csv", csv_bytes(dict(ROW, birth_year="¹⁹⁹⁵"))),
                       ("b.csv", csv_bytes(dict(ROW, major="z" * 140_000))),
                       ("c.xlsx", workbook(students(*GOOD), dimension="A1:XFD1048576"))):
        response = client.submit("/records/import", {"file": (io.BytesIO(data), name)},
                                 content_type="multipart/form-data")
        assert response.status_code == 200, name
    assert "2 rows" in response.get_data(as_text=True)  # the lying workbook reads as it is


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
CELL = st.one_of(st.sampled_from(["²⁰²⁰", "¹⁹⁹⁵", "²", "１９９０", "2021-02-30", "99", "", " ", "=1+1",
                                  "a@b", "\x00", "\ufeff", "x" * 300, "1" * 40]), TEXT)
ROW_CHANGES = st.fixed_dictionaries({}, optional={c: CELL for c in COLUMNS})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.one_of(st.just(list(COLUMNS)), st.just(list(COLUMNS)),
                       st.lists(TEXT, max_size=25)),
       rows=st.lists(ROW_CHANGES, max_size=6),
       raw=st.binary(max_size=300), form=st.sampled_from(["csv", "xlsx", "raw-csv",
                                                          "raw-xlsx"]))
def test_fuzz_the_import_parser_never_crashes(header, rows, raw, form):
    """Any content gives rows or problems, never an exception."""
    if form == "csv":
        data, name = csv_bytes(*[dict(ROW, **r) for r in rows], columns=header or COLUMNS), \
            "f.csv"
    elif form == "xlsx":
        xml = f'<row r="1">{_cells(1, [_xml(h) for h in header])}</row>' + "".join(
            f'<row r="{n}">{_cells(n, [_xml(dict(ROW, **r)[c]) for c in COLUMNS])}</row>'
            for n, r in enumerate(rows, start=2))
        data, name = workbook(xml), "f.xlsx"
    else:
        data, name = raw, "f.xlsx" if form == "raw-xlsx" else "f.csv"
    parsed = parse(data, name)
    assert parsed.rows or parsed.problems or not rows or header != list(COLUMNS)
    assert all(str(problem) for problem in parsed.problems)


def _xml(value: str) -> str:
    """Escape a value for an inline string; characters XML cannot hold are left out."""
    value = "".join(c for c in value if c in "\t\n\r" or (" " <= c and c not in "\ufffe\uffff"))
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
