"""Read an XLSForm workbook, streamed and bounded; never trust its declared dimensions."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook

from .definition import load_definition
from .messages import DefinitionError, Problem
from .model import Survey

SURVEY_COLUMNS = ("type", "name", "label::en", "label::ja", "hint::en", "hint::ja", "required",
                  "relevant", "constraint", "constraint_message::en", "constraint_message::ja",
                  "appearance", "parameters", "prefill", "writeback")
MAX_BYTES, MAX_ROWS, MAX_COLUMNS, MAX_CELL = 5_000_000, 5_000, 60, 20_000
# XLSForm types with no equivalent here: reported by name and skipped.
NO_EQUIVALENT = ("calculate", "hidden", "geopoint", "geotrace", "geoshape", "image", "audio",
                 "video", "file", "barcode", "acknowledge", "range", "rank", "time", "datetime",
                 "dateTime", "start", "end", "today", "deviceid", "username", "phonenumber",
                 "email", "audit", "background-audio", "begin repeat", "end repeat")
_LANG = re.compile(r"(label|hint|constraint_message|form_title)(?:::(?:.*\()?([a-z]{2})\)?)?")
_SIMPLE = {"text": "text", "integer": "integer", "decimal": "decimal", "date": "date",
           "note": "note"}


@dataclass(frozen=True)
class XlsformLoad:
    survey: Survey
    skipped: list[Problem]


def _read_sheet(workbook, name: str, problems: list[Problem]) -> list[dict]:
    if name not in workbook.sheetnames:
        return []
    rows, header = [], None
    for number, values in enumerate(workbook[name].iter_rows(values_only=True), start=1):
        if number > MAX_ROWS + 1:
            problems.append(Problem(f"{name}!{number}", "too_many_rows", limit=MAX_ROWS))
            break
        cells = ["" if v is None else str(v).strip() for v in values]
        if any(cells[MAX_COLUMNS:]):
            problems.append(Problem(f"{name}!{number}", "too_many_columns", limit=MAX_COLUMNS))
            break
        if any(len(cell) > MAX_CELL for cell in cells):
            problems.append(Problem(f"{name}!{number}", "cell_too_long", limit=MAX_CELL))
            continue
        if header is None:
            header = [cell.lower() if "::" not in cell else cell for cell in cells[:MAX_COLUMNS]]
            continue
        if any(cells):
            rows.append({"number": number, **{h: c for h, c in zip(header, cells) if h and c}})
    return rows


def _texts(row: dict, key: str, lang: str) -> dict | None:
    found = {}
    for column, value in row.items():
        match = _LANG.fullmatch(str(column))
        if match and match.group(1) == key:
            found[match.group(2) or lang] = value
    return found or None


def _bounds(text: str, kind: str) -> dict:
    bounds = {}
    for part in text.split():
        key, _, value = part.partition("=")
        if key in ("min", "max"):
            try:
                bounds[key] = int(value) if kind == "integer" else Decimal(value)
            except (ValueError, InvalidOperation):
                raise ValueError(part) from None
    return bounds


def load_xlsform(data: bytes, *, slug: str | None = None, title: dict | None = None,
                 lang: str = "en") -> XlsformLoad:
    """Load an XLSForm; settings supply slug, version and title unless given here."""
    if len(data) > MAX_BYTES:
        raise DefinitionError([Problem("$", "file_too_large", limit=MAX_BYTES)])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DefinitionError([Problem("$", "xlsform_not_workbook")]) from None
    problems: list[Problem] = []
    try:
        if "survey" not in workbook.sheetnames:
            raise DefinitionError([Problem("$", "xlsform_no_survey")])
        survey_rows = _read_sheet(workbook, "survey", problems)
        choice_rows = _read_sheet(workbook, "choices", problems)
        settings = (_read_sheet(workbook, "settings", problems) or [{}])[0]
    finally:
        workbook.close()
    if problems:
        raise DefinitionError(problems)
    from .xlsform_items import Builder

    builder = Builder(lang)
    lists = builder.choice_lists(choice_rows)
    pages = builder.pages(survey_rows)
    if builder.problems:
        raise DefinitionError(builder.problems)
    try:
        version = int(settings.get("version", 1))
    except ValueError:
        version = 1
    data = {"format": "jgrad-survey", "format_version": 1,
            "slug": slug or settings.get("form_id", "").replace("_", "-"),
            "version": version,
            "title": title or _texts(settings, "form_title", lang) or {lang: "Survey"},
            "choice_lists": lists, "pages": pages}
    return XlsformLoad(load_definition(data), builder.skipped)
