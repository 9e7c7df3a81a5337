"""Read the cells of an uploaded CSV or XLSX file, streaming, within fixed bounds.

Nothing a file says about its own size is trusted: an XLSX's <dimension> and its rows'
declared spans are ignored, every XML part is scanned with a streaming parser that stops at
the first row, column or cell over the bounds, and only then does openpyxl read the values,
one row at a time. A file over a bound is refused with a message that names the bound.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

from flask_babel import lazy_gettext as _l

MAX_ROWS = 500_000
MAX_COLUMNS = 64  # the format has 19; a few stray empty columns are tolerated
MAX_CELL = 2_000  # characters in one cell; no column of the format allows more than 254
# An XLSX is a zip: what it holds unpacked is bounded, whatever the zip says it holds.
MAX_XLSX_BYTES = 512 * 1024 * 1024
MAX_SHARED_STRINGS = 2 * MAX_ROWS * 19
SPREADSHEET_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                  "http://purl.oclc.org/ooxml/spreadsheetml/main")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})$")


class FileTooLarge(ValueError):
    """The file goes over a bound; the message names it."""


def too_many_rows() -> FileTooLarge:
    return FileTooLarge(_l("more than %(n)s rows", n=f"{MAX_ROWS:,}"))


def _too_wide(row: int) -> FileTooLarge:
    return FileTooLarge(_l("row %(row)d has more than %(n)d columns", row=row,
                                    n=MAX_COLUMNS))


def _too_long(row: int | None) -> FileTooLarge:
    if row:
        return FileTooLarge(_l("row %(row)d: a cell is longer than %(n)s characters", row=row,
                               n=f"{MAX_CELL:,}"))
    return FileTooLarge(_l("a cell is longer than %(n)s characters", n=f"{MAX_CELL:,}"))


def csv_rows(data: bytes) -> Iterator[list[str]]:
    """Yield the rows of a UTF-8 CSV file, refusing rows or cells over the bounds."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(_l("the file is not UTF-8 text (byte %(byte)d); in Excel, save as "
                            "'CSV UTF-8'", byte=error.start)) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # e.g. a cell over the csv module's own limit, a NUL
            if "field larger" in str(error):
                raise _too_long(reader.line_num) from error
            raise ValueError(_l("line %(line)d: not readable as CSV (%(error)s)",
                                line=reader.line_num, error=error)) from error
        number += 1
        if number > MAX_ROWS + 1:
            raise too_many_rows()
        if len(row) > MAX_COLUMNS:
            raise _too_wide(number)
        if row and max(map(len, row)) > MAX_CELL:
            raise _too_long(number)
        yield row


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


class _Scanner:
    """Check one XML part of a workbook as it streams, against the bounds."""

    def __init__(self):
        self.rows = self.row = self.cells = self.strings = 0
        self.text = None  # characters in the current cell value or shared string

    def start(self, name: str, attributes: dict) -> None:
        namespace, _, tag = name.rpartition(" ")
        if namespace not in SPREADSHEET_NS:
            return
        if tag == "row":
            self.rows += 1
            self.cells = 0
            reference = attributes.get("r")
            self.row = int(reference) if reference and reference.isascii() \
                and reference.isdigit() and len(reference) < 9 else self.row + 1
            if self.rows > MAX_ROWS + 1 or self.row > MAX_ROWS + 1:
                raise too_many_rows()
        elif tag == "c":
            self.cells += 1
            reference = _CELL_REF.match(attributes.get("r", ""))
            column = _column_number(reference.group(1)) if reference else self.cells
            if self.cells > MAX_COLUMNS or column > MAX_COLUMNS:
                raise _too_wide(self.row)
            if reference and int(reference.group(2)) > MAX_ROWS + 1:
                raise too_many_rows()
        elif tag == "si":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise FileTooLarge(_l("more than %(n)s different texts",
                                                   n=f"{MAX_SHARED_STRINGS:,}"))
            self.text = 0
        elif tag in ("v", "is") and self.text is None:
            self.text = 0

    def end(self, name: str) -> None:
        namespace, _, tag = name.rpartition(" ")
        if namespace in SPREADSHEET_NS and tag in ("v", "is", "si"):
            self.text = None

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text += len(data)
            if self.text > MAX_CELL:
                raise _too_long(self.row or None)


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    scanner = _Scanner()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    parser.CharacterDataHandler = scanner.characters
    # zipfile never returns more than the declared size, so the sum checked below holds.
    with archive.open(info) as stream:
        while chunk := stream.read(64 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _check_workbook(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if sum(info.file_size for info in members) > MAX_XLSX_BYTES:
            raise FileTooLarge(_l("it unpacks to more than %(n)s MB",
                                                n=f"{MAX_XLSX_BYTES // 2**20:,}"))
        for info in members:
            if info.filename.endswith((".xml", ".rels")):
                _scan(archive, info)
    except FileTooLarge:
        raise
    except (zipfile.BadZipFile, expat.ExpatError, OSError, EOFError, RuntimeError,
            NotImplementedError, ValueError) as error:
        raise ValueError(_l("the file is not a readable XLSX workbook")) from error


def cell_text(value) -> str:
    """Return a cell's value as the text the checks read."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def xlsx_rows(data: bytes) -> Iterator[list[str]]:
    """Yield the rows of the workbook's first sheet, after checking the whole file's bounds."""
    from openpyxl import load_workbook

    _check_workbook(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ValueError(_l("the file is not a readable XLSX workbook")) from error
    sheet.reset_dimensions()  # never pad rows to what the file claims
    try:
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in row]
    except (FileTooLarge, GeneratorExit):
        raise
    except Exception as error:  # a broken cell deep inside the sheet
        raise ValueError(_l("the file is not a readable XLSX workbook")) from error
    finally:
        workbook.close()
