"""Read and check a university's file of doctoral students (CSV or XLSX), row by row.

Nothing is written here: the file is turned into validated rows, or into a list of errors
that name the row and the column. The format is described in docs/import-format.md.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import DOT_ATOM_TEXT
from flask_babel import lazy_gettext as _l

from jgrad.imports.sheets import csv_rows, xlsx_rows
from jgrad.registrants import codes

COLUMNS = (
    "student_number", "family_name", "given_name", "family_name_kana", "given_name_kana",
    "family_name_roman", "given_name_roman", "email", "birth_year", "sex", "nationality",
    "graduate_school", "major", "field", "programme_type", "entry_date", "status",
    "status_date", "degree",
)
REQUIRED = ("student_number", "family_name", "given_name", "graduate_school", "field",
            "programme_type", "entry_date", "status")
LIMITS = {"student_number": 32, "email": 254, "graduate_school": 200, "major": 200,
          "degree": 200}
NAMES = ("family_name", "given_name", "family_name_kana", "given_name_kana",
         "family_name_roman", "given_name_roman")
#: Every column's longest value, in the order the problems are reported.
LENGTHS = tuple(LIMITS.items()) + tuple((name, 100) for name in NAMES)


@dataclass
class Problem:
    row: int  # the line in the file; the header is line 1
    column: str  # a column of the file, or "header" / "file"
    message: str  # a lazy string: shown in the reader's language

    def __str__(self) -> str:
        return str(_l("row %(row)d, %(column)s: %(message)s", row=self.row,
                      column=self.column_name, message=self.message)) if self.row else \
            f"{self.column_name}: {self.message}"

    @property
    def column_name(self) -> str:
        """The column as the file names it, or the file or its header in words."""
        return str(PLACES[self.column]) if self.column in PLACES else self.column


#: Problems about the file as a whole or its header, not one column.
PLACES = {"file": _l("File"), "header": _l("Header")}


@dataclass
class ParsedFile:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def parse(data: bytes, filename: str) -> ParsedFile:
    """Read the file row by row within its bounds and check every row; never stop at the
    first problem, except at a bound (the rest of the file is then not read)."""
    result = ParsedFile()
    reader = xlsx_rows if filename.lower().endswith(".xlsx") else csv_rows
    try:
        lines = enumerate(reader(data), start=1)
        header = next((row for _, row in lines if any(cell.strip() for cell in row)), None)
        if header is None:
            raise ValueError(_l("the file is empty"))
        header = [str(h).strip().lower() for h in header]
        missing = [c for c in COLUMNS if c not in header]
        unknown = [h for h in header if h and h not in COLUMNS]
        if missing:
            result.problems.append(Problem(1, "header", _l("missing column(s): %(columns)s",
                                                          columns=", ".join(missing))))
        if unknown:
            result.problems.append(Problem(1, "header", _l("unknown column(s): %(columns)s",
                                                          columns=", ".join(unknown[:10]))))
        if missing or unknown:
            return result
        _check_rows(header, lines, result)
    except ValueError as error:  # a bound, or a file that is not what its name says
        # A lazy message stays lazy: it is shown in the reader's language.
        result.problems.append(Problem(0, "file", error.args[0] if error.args else str(error)))
        result.rows.clear()
    return result


def check_records(records: list[dict]) -> ParsedFile:
    """Check rows given as mappings of the file's columns (the API) by the file's rules;
    each problem's ``row`` is the record's position, counted from 1."""
    result = ParsedFile()

    def text(value) -> str:
        return "" if value is None else (value.isoformat() if hasattr(value, "isoformat")
                                         else str(value))

    lines = ((number, [text(record.get(column)) for column in COLUMNS])
             for number, record in enumerate(records, start=1))
    _check_rows(list(COLUMNS), lines, result)
    return result


class EmailCheck:
    """``validate_email`` (without deliverability), each domain's syntax checked once.

    Most of the check's time goes to the domain (its Unicode rules, character by character),
    and a university's file repeats a handful of domains. Once an address with a plain
    ASCII local part (a dot-atom) and a plain ASCII domain passed the full check, another
    address of that form on the same domain can only fail on its length, which is checked
    here; anything else still goes through ``validate_email``.
    """

    def __init__(self):
        self.domains: set[str] = set()

    def __call__(self, email: str) -> bool:
        local, at, domain = email.rpartition("@")
        plain = bool(at) and DOT_ATOM_TEXT.match(local) is not None
        if plain and domain in self.domains:
            return len(email) <= 254
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            return False
        if plain and domain.isascii() and "xn--" not in domain:
            self.domains.add(domain)
        return True


def _check_rows(header: list[str], lines, result: ParsedFile) -> None:
    valid_email = EmailCheck()
    seen: dict[str, int] = {}
    emails: dict[str, int] = {}
    width = len(header)
    for number, line in lines:
        cells = [cell.strip() for cell in line]
        if not any(cells):
            continue
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        raw = dict(zip(header, cells))
        row = _check(raw, number, result.problems, valid_email)
        if row is None:
            continue
        first = seen.setdefault(row["student_number"], number)
        if first != number:
            result.problems.append(Problem(number, "student_number",
                                           _l("the same student number as row %(row)d",
                                              row=first)))
            continue
        if row["email"]:
            first_email = emails.setdefault(row["email"], number)
            if first_email != number:
                result.problems.append(Problem(number, "email",
                                               _l("the same e-mail address as row %(row)d",
                                                  row=first_email)))
                continue
        row["line"] = number
        result.rows.append(row)


def _ascii_digits(value: str, most: int) -> bool:
    """True for 1 to ``most`` ASCII digits (not "²⁰²⁰", not full-width digits)."""
    return value.isascii() and value.isdigit() and len(value) <= most


def _date(value: str, number: int, column: str, problems: list) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(Problem(number, column, _l("%(value)r is not a date as YYYY-MM-DD",
                                                         value=value)))
        return None


def _check(raw: dict, number: int, problems: list[Problem], valid_email: EmailCheck
           ) -> dict | None:
    """Return the row with typed values, or None after recording its problems."""
    before = len(problems)
    for name in REQUIRED:
        if not raw[name]:
            problems.append(Problem(number, name, _l("is required")))
    for name, limit in LENGTHS:
        if len(raw[name]) > limit:
            problems.append(Problem(number, name, _l("longer than %(limit)d characters",
                                                           limit=limit)))
    field_code = raw["field"].zfill(2) if _ascii_digits(raw["field"], 2) else raw["field"]
    checks = (("field", field_code, codes.FIELD), ("programme_type", raw["programme_type"],
              codes.PROGRAMME_TYPE), ("status", raw["status"], codes.ENROLMENT_STATUS),
              ("sex", raw["sex"], codes.SEX))
    for name, value, allowed in checks:
        if value and value not in allowed:
            problems.append(Problem(number, name, _l("%(value)r is not one of %(codes)s",
                                                      value=value, codes=", ".join(allowed))))
    nationality = raw["nationality"].upper()
    if nationality and nationality not in codes.COUNTRY_CODES:
        problems.append(Problem(number, "nationality", _l(
            "%(value)r is not an ISO 3166 two-letter country code", value=raw["nationality"])))
    birth_year = None
    if raw["birth_year"]:
        if _ascii_digits(raw["birth_year"], 4) \
                and 1900 <= int(raw["birth_year"]) <= dt.date.today().year:
            birth_year = int(raw["birth_year"])
        else:
            problems.append(Problem(number, "birth_year", _l("%(value)r is not a year",
                                                                value=raw["birth_year"])))
    email = raw["email"].lower()
    if email and not valid_email(email):
        problems.append(Problem(number, "email", _l("%(value)r is not an e-mail address",
                                                     value=raw["email"])))
    entry_date = _date(raw["entry_date"], number, "entry_date", problems)
    status_date = _date(raw["status_date"], number, "status_date", problems)
    if raw["status"] and raw["status"] != "enrolled" and not raw["status_date"]:
        problems.append(Problem(number, "status_date", _l("is required when status is %(status)s",
                                                               status=raw["status"])))
    if entry_date and status_date and status_date < entry_date:
        problems.append(Problem(number, "status_date", _l("is before entry_date")))
    if raw["status"] == "degree_awarded" and not raw["degree"]:
        problems.append(Problem(number, "degree", _l("is required when the degree was awarded")))
    if len(problems) > before:
        return None
    return {
        "student_number": raw["student_number"], "family_name": raw["family_name"],
        "given_name": raw["given_name"], "family_name_kana": raw["family_name_kana"] or None,
        "given_name_kana": raw["given_name_kana"] or None,
        "family_name_roman": raw["family_name_roman"] or None,
        "given_name_roman": raw["given_name_roman"] or None, "email": email or None,
        "birth_year": birth_year, "sex": raw["sex"] or None, "nationality": nationality or None,
        "graduate_school": raw["graduate_school"], "major": raw["major"] or None,
        "field": field_code, "programme_type": raw["programme_type"],
        "entry_date": entry_date, "status": raw["status"], "status_date": status_date,
        "degree_name": raw["degree"] or None,
    }
