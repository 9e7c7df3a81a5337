"""The one writer of spreadsheet exports: Excel-ready CSV (UTF-8 with BOM) and XLSX.

Every cell goes through :func:`neutralise`, so a value someone typed (a name, a purpose, an
employer) can never run as a formula in the spreadsheet of whoever opens the export: text
starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break gets a leading single quote,
as OWASP recommends. Numbers stay numbers: ``-3`` typed as an int is written as ``-3``.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

BOM = "\ufeff"
# The OWASP list, with line feed and the full-width forms Japanese input produces.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
NUMBERS = (int, float, decimal.Decimal)


def neutralise(value):
    """Return a value safe to put in a spreadsheet cell; text never starts a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, NUMBERS):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and text != "-":  # a lone dash (no value) runs nothing
        return "'" + text
    return text


def neutralise_frame(frame):
    """Return a copy of a pandas DataFrame with text cells, headings and labels neutralised.

    For tables written by pandas itself (the statistical releases); numbers are untouched.
    """

    def text_only(value):
        return neutralise(value) if isinstance(value, str) else value

    def index(labels):
        if labels.nlevels > 1:
            return labels.map(lambda key: tuple(text_only(part) for part in key)).set_names(
                [text_only(name) for name in labels.names])
        return labels.map(text_only).rename(text_only(labels.name))

    safe = frame.map(text_only)
    safe.index = index(frame.index)
    safe.columns = index(frame.columns)
    return safe


def _csv_line(writer_buffer: tuple, row: Iterable) -> str:
    writer, buffer = writer_buffer
    buffer.seek(0)
    buffer.truncate()
    writer.writerow([neutralise(value) for value in row])
    return buffer.getvalue()


def csv_lines(header: Sequence[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """Yield a CSV file piece by piece (for streaming): the BOM and header, then each row."""
    buffer = io.StringIO()
    state = (csv.writer(buffer, lineterminator="\r\n"), buffer)
    yield BOM + _csv_line(state, header)
    for row in rows:
        yield _csv_line(state, row)


def csv_text(header: Sequence[str], rows: Iterable[Iterable]) -> str:
    """Return a whole CSV file as text, BOM first, so Excel reads it as UTF-8."""
    return "".join(csv_lines(header, rows))


def _xlsx_cell(value):
    value = neutralise(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XLSX cannot hold
    return value


def xlsx_bytes(sheets: dict[str, tuple[Sequence[str], Iterable[Iterable]]]) -> bytes:
    """Return an XLSX workbook with one sheet per entry (title: (header, rows))."""
    workbook = Workbook(write_only=True)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([_xlsx_cell(name) for name in header])
        for row in rows:
            sheet.append([_xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
