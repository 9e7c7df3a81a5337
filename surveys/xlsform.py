"""XLSForm (.xlsx with survey, choices and settings sheets) in and out.

Pages are top-level groups; a group with appearance `table-list` inside a page is a matrix
and one with appearance `career` a career block. Our own types travel as appearances
(`multiline` long text, `month-year` dates, `likert`, `country` text); integer and decimal
bounds as `parameters` (`min=0 max=10`); career mappings in `prefill` and `writeback` columns.
"""
from __future__ import annotations

import io

from openpyxl import Workbook

from .dump import _text
from .model import Item, Survey, Text
from .xlsform_load import SURVEY_COLUMNS, XlsformLoad, load_xlsform

__all__ = ["XlsformLoad", "export_xlsform", "load_xlsform"]

_TYPE = {"text": ("text", ""), "long_text": ("text", "multiline"), "integer": ("integer", ""),
         "decimal": ("decimal", ""), "date": ("date", ""), "year_month": ("date", "month-year"),
         "country": ("text", "country"), "note": ("note", "")}


def _cell(sheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula


def _texts(prefix: str, text: Text | None) -> dict:
    if text is None:
        return {}
    return {f"{prefix}::{lang}": value for lang, value in (("en", text.en), ("ja", text.ja))
            if value is not None}


class _Rows:
    def __init__(self):
        self.rows: list[dict] = []

    def add(self, type_: str, name: str, label: Text | None = None, **cells) -> None:
        row = {"type": type_, "name": name, **_texts("label", label)}
        row.update((k, v) for k, v in cells.items() if v not in (None, "", {}))
        for key in ("hint", "constraint_message"):
            row.update(_texts(key, row.pop(key, None)))
        self.rows.append(row)

    def item(self, item: Item) -> None:
        common = {"hint": item.hint, "relevant": str(item.relevant) if item.relevant else None}
        if item.type in ("career", "matrix"):
            appearance = "career" if item.type == "career" else "table-list"
            self.add("begin group", item.name, item.label, appearance=appearance, **common)
            for row in item.rows:
                self.add(f"select_one {item.choices}", row.name, row.label,
                         required="yes" if item.required else None)
            for sub in item.items:
                self.item(sub)
            self.add("end group", "")
            return
        if item.choices:
            kind = "select_multiple" if item.type == "select_multiple" else "select_one"
            type_, appearance = f"{kind} {item.choices}", "likert" if item.type == "likert" else ""
        else:
            type_, appearance = _TYPE[item.type]
        bounds = " ".join(f"{key}={value}" for key, value in (("min", item.minimum),
                                                              ("max", item.maximum))
                          if value is not None)
        self.add(type_, item.name, item.label, appearance=appearance, parameters=bounds,
                 required="yes" if item.required else None,
                 constraint=str(item.constraint) if item.constraint else None,
                 constraint_message=item.constraint_message, prefill=item.prefill,
                 writeback=item.writeback, **common)


def _sheet(workbook, title: str, columns, rows: list[dict]) -> None:
    sheet = workbook.create_sheet(title)
    used = [c for c in columns if any(c in row for row in rows)] or list(columns[:2])
    for column, name in enumerate(used, start=1):
        _cell(sheet, 1, column, name)
    for number, row in enumerate(rows, start=2):
        for column, name in enumerate(used, start=1):
            if name in row:
                _cell(sheet, number, column, row[name])


def export_xlsform(survey: Survey) -> bytes:
    """Return the survey as an XLSForm workbook."""
    rows = _Rows()
    for page in survey.pages:
        rows.add("begin group", page.name, page.title, appearance="field-list",
                 relevant=str(page.relevant) if page.relevant else None)
        for item in page.items:
            rows.item(item)
        rows.add("end group", "")
    choices = [{"list_name": cl.name, "name": c.code, **_texts("label", c.label),
                **({"value": c.value} if c.value is not None else {})}
               for cl in survey.choice_lists for c in cl.choices]
    settings = [{"form_id": survey.slug, "version": survey.version,
                 **{f"form_title::{k}": v for k, v in (_text(survey.title) or {}).items()}}]
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "survey", SURVEY_COLUMNS, rows.rows)
    _sheet(workbook, "choices", ("list_name", "name", "label::en", "label::ja", "value"), choices)
    _sheet(workbook, "settings", ("form_id", "version", "form_title::en", "form_title::ja"),
           settings)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
