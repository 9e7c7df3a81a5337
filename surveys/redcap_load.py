"""Read a REDCap data dictionary: refuse what is not one, report what has no equivalent."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

from .definition import load_definition
from .evaluate import VarInfo
from .messages import DefinitionError, Problem
from .model import Survey

COLUMNS = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
)
TAG = "@JGRAD="
REDCAP_TYPES = ("text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse",
                "descriptive", "slider", "calc", "file", "sql")
NO_EQUIVALENT = ("calc", "file", "sql")
MAX_BYTES, MAX_ROWS, MAX_CELL = 5_000_000, 5_000, 20_000
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
_FIXED = {"yesno": ("yesno", "1, Yes | 0, No"), "truefalse": ("truefalse", "1, True | 0, False")}


@dataclass(frozen=True)
class RedcapLoad:
    """A loaded survey with the fields skipped and the approximations made, by variable."""

    survey: Survey
    skipped: list[Problem]
    notes: list[Problem]


def _blob(annotation: str):
    at = annotation.find(TAG)
    if at == -1:
        return {}
    blob, _end = json.JSONDecoder().raw_decode(annotation, at + len(TAG))
    if not isinstance(blob, dict):
        raise ValueError("not an object")
    return blob


def _parse_choices(text: str) -> list[tuple[str, str]]:
    pairs = []
    for part in text.split("|"):
        code, comma, label = part.partition(",")
        if not comma or not code.strip():
            raise ValueError(part)
        pairs.append((code.strip(), label.strip()))
    return pairs


def _read_rows(data: str | bytes) -> tuple[list[dict], list[Problem]]:
    if len(data) > MAX_BYTES:
        return [], [Problem("$", "file_too_large", limit=MAX_BYTES)]
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [Problem("row 1", "redcap_not_dictionary")]
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff")))
    problems, rows = [], []
    try:
        header = next(reader, [])
        if [h.strip().lower() for h in header] != [c.lower() for c in COLUMNS]:
            return [], [Problem("row 1", "redcap_not_dictionary")]
        for number, cells in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                return [], [Problem(f"row {number}", "too_many_rows", limit=MAX_ROWS)]
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(COLUMNS):
                problems.append(Problem(f"row {number}", "redcap_columns", count=len(cells)))
                continue
            if any(len(cell) > MAX_CELL for cell in cells):
                problems.append(Problem(f"row {number}", "cell_too_long", limit=MAX_CELL))
                continue
            rows.append({"number": number, **dict(zip(COLUMNS, (c.strip() for c in cells)))})
    except csv.Error as error:
        return [], [Problem("$", "not_csv", detail=str(error))]
    return rows, problems


def _check_rows(rows: list[dict]) -> list[Problem]:
    problems, seen = [], set()
    for row in rows:
        where, name = f"row {row['number']}", row["Variable / Field Name"]
        kind = row["Field Type"]
        if not _NAME.fullmatch(name):
            problems.append(Problem(where, "redcap_bad_name", value=name[:100]))
        if name in seen:
            problems.append(Problem(where, "duplicate_name", name=name))
        seen.add(name)
        if not _NAME.fullmatch(row["Form Name"]):
            problems.append(Problem(where, "redcap_bad_form", value=row["Form Name"][:100]))
        if kind not in REDCAP_TYPES:
            problems.append(Problem(where, "redcap_unknown_type", type=kind[:40],
                                    allowed=", ".join(REDCAP_TYPES)))
        if kind in ("dropdown", "radio", "checkbox"):
            try:
                _parse_choices(row["Choices, Calculations, OR Slider Labels"])
            except ValueError:
                problems.append(Problem(where, "redcap_bad_choices", variable=name))
        try:
            row["blob"] = _blob(row["Field Annotation"])
        except ValueError:
            problems.append(Problem(where, "redcap_bad_annotation", variable=name))
    return problems


def load_redcap(data: str | bytes, *, slug: str, title: dict, version: int = 1,
                lang: str = "en") -> RedcapLoad:
    """Load a data dictionary whose labels are in `lang`; refuse it whole if it is not one."""
    rows, problems = _read_rows(data)
    if not problems and not rows:
        problems = [Problem("row 2", "redcap_empty")]
    problems += _check_rows(rows)
    if problems:
        raise DefinitionError(problems)
    builder = _Builder(lang)
    builder.skip(rows[0]["Variable / Field Name"], "skip_record_id")
    for row in rows[1:]:
        try:
            builder.add(row)
        except ValueError as error:
            problems.append(Problem(f"row {row['number']}", "redcap_bad_bound", value=str(error)))
    if problems:
        raise DefinitionError(problems)
    data = {"format": "jgrad-survey", "format_version": 1, "slug": slug, "version": version,
            "title": title, "choice_lists": builder.lists, "pages": builder.pages()}
    return RedcapLoad(load_definition(data), builder.skipped, builder.notes)


class _Builder:
    def __init__(self, lang: str):
        self.lang = lang
        self.lists: dict[str, list] = {}
        self.page_items: dict[str, list] = {}
        self.page_meta: dict[str, dict] = {}
        self.known: dict[str, VarInfo] = {}
        self.skipped: list[Problem] = []
        self.notes: list[Problem] = []
        self.skipped_names: set[str] = set()

    def skip(self, name: str, key: str, **params) -> None:
        self.skipped.append(Problem(name, key, **params))
        self.skipped_names.add(name)

    def text(self, column: str, full: dict | None = None) -> dict | None:
        if full:
            return full
        return {self.lang: column} if column else None

    def pages(self) -> list[dict]:
        from .redcap_items import strip_groups

        pages = [{"name": name, **self.page_meta.get(name, {}), "items": items}
                 for name, items in self.page_items.items() if items]
        strip_groups(pages)
        return pages

    def choice_list(self, row: dict, blob: dict) -> tuple[str, frozenset[int]] | None:
        name, kind = row["Variable / Field Name"], row["Field Type"]
        default = row["Matrix Group Name"] if _NAME.fullmatch(row["Matrix Group Name"]) else name
        choices = row["Choices, Calculations, OR Slider Labels"]
        list_name, text = _FIXED.get(kind, (default, choices))
        pairs = _parse_choices(text)
        if not all(re.fullmatch(r"-?[0-9]{1,6}", code) for code, _ in pairs):
            self.skip(name, "skip_codes")
            return None
        spec = blob.get("choices", {})
        labels, values = spec.get("labels", {}), spec.get("values", {})
        entries = []
        for code, label in pairs:
            entry = {"code": int(code), "label": labels.get(code) or {self.lang: label or code}}
            if code in values:
                entry["value"] = values[code]
            entries.append(entry)
        list_name = spec.get("list", list_name)
        if self.lists.get(list_name, entries) != entries:
            list_name = name
        self.lists[list_name] = entries
        return list_name, frozenset(int(code) for code, _ in pairs)

    def add(self, row: dict) -> None:
        from .redcap_items import item_from_row

        item_from_row(self, row)
