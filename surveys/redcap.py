"""REDCap data dictionaries (the 18-column CSV) in and out.

What REDCap cannot say (the second language, choice lists shared by name, career mapping,
constraints, page titles, and our own types year_month, likert and country) travels in the
Field Annotation as one `@JGRAD={...}` JSON object, which REDCap ignores as an unknown tag.
"""
from __future__ import annotations

import csv
import io
import json

from .conditions import And, serialise
from .dump import _text
from .evaluate import VarInfo
from .messages import Problem
from .model import Item, Survey
from .redcap_logic import Untranslatable, from_redcap, to_redcap
from .redcap_load import COLUMNS, TAG, RedcapLoad, load_redcap

__all__ = ["COLUMNS", "RedcapLoad", "export_redcap", "load_redcap"]


_NATIVE = {"select_one": "radio", "select_multiple": "checkbox", "text": "text",
           "long_text": "notes", "integer": "text", "decimal": "text", "date": "text",
           "year_month": "text", "likert": "radio", "country": "text", "note": "descriptive",
           "matrix": "radio"}
_VALIDATION = {"integer": "integer", "decimal": "number", "date": "date_ymd"}
_OWN_TYPES = ("year_month", "likert", "country")


def _other_language(text, lang: str) -> bool:
    return text is not None and (text.ja if lang == "en" else text.en) is not None


def _choices(survey: Survey, list_name: str, lang: str) -> str:
    # REDCap splits choices on "|": a label's own bars become slashes (the annotation is exact).
    return " | ".join(f"{c.code}, {c.label.get(lang).replace('|', '/')}"
                      for c in survey.choice_list(list_name).choices)


class _Writer:
    def __init__(self, survey: Survey, lang: str):
        self.survey, self.lang = survey, lang
        self.rows: list[dict[str, str]] = []
        self.known: dict[str, VarInfo] = {}
        self.warnings: list[Problem] = []

    def row(self, item: Item, page, name: str, blob: dict, outer: tuple, **cells) -> None:
        from .definition import var_info

        lists = {cl.name: cl for cl in self.survey.choice_lists}
        own = item.relevant
        conditions = [c.tree for c in outer] + ([own.tree] if own else [])
        column = ""
        if conditions:
            tree = conditions[0] if len(conditions) == 1 else And(tuple(conditions))
            try:
                column = to_redcap(tree, self.known)
            except Untranslatable:
                self.warnings.append(Problem(name, "redcap_logic_lost", logic=serialise(tree)))
        exact = False
        if column and not outer and own:
            try:
                exact = from_redcap(column, self.known) == own.tree
            except Untranslatable:
                exact = False
        if (own or outer) and not exact:
            blob["relevant"] = str(own) if own else None
        if item.choices:
            choice_list = lists[item.choices]
            blob["choices"] = {"list": item.choices}
            other = {str(c.code): _text(c.label) for c in choice_list.choices}
            blob["choices"]["labels"] = other
            values = {str(c.code): c.value for c in choice_list.choices if c.value is not None}
            if values:
                blob["choices"]["values"] = values
        annotation = TAG + json.dumps(blob, ensure_ascii=False, sort_keys=True) if blob else ""
        self.rows.append({
            "Variable / Field Name": name, "Form Name": page.name,
            "Field Type": _NATIVE[item.type],
            "Choices, Calculations, OR Slider Labels":
                _choices(self.survey, item.choices, self.lang) if item.choices else "",
            "Branching Logic (Show field only if...)": column,
            "Required Field?": "y" if item.required else "",
            "Field Annotation": annotation, **cells,
        })
        self.known[name] = var_info(item, lists)

    def item(self, item: Item, page, outer: tuple, blob: dict) -> None:
        if item.type == "career":
            inner = outer + ((item.relevant,) if item.relevant else ())
            head = {"name": item.name, "label": _text(item.label), "hint": _text(item.hint),
                    "relevant": str(item.relevant) if item.relevant else None}
            for i, sub in enumerate(item.items):
                extra = {"block": item.name, "prefill": sub.prefill, "writeback": sub.writeback}
                if i == 0:
                    extra["career"] = head
                self.item(sub, page, inner, {**blob, **extra} if i == 0 else extra)
            return
        if item.type in _OWN_TYPES:
            blob["type"] = item.type
        for key in ("label", "hint", "constraint_message"):
            text = getattr(item, key)
            if key != "label" and text is not None or _other_language(text, self.lang):
                blob[key] = _text(text)
        if item.constraint is not None:
            blob["constraint"] = str(item.constraint)
        cells = {
            "Field Label": item.label.get(self.lang),
            "Field Note": item.hint.get(self.lang) if item.hint else "",
            "Text Validation Type OR Show Slider Number": _VALIDATION.get(item.type, ""),
            "Text Validation Min": "" if item.minimum is None else str(item.minimum),
            "Text Validation Max": "" if item.maximum is None else str(item.maximum),
        }
        if item.type != "matrix":
            self.row(item, page, item.name, blob, outer, **cells)
            return
        for r, matrix_row in enumerate(item.rows):
            row_blob = dict(blob) if r == 0 else {}
            row_blob["row_label"] = _text(matrix_row.label)
            if r == 0:
                row_blob["matrix"] = {"label": _text(item.label), "hint": _text(item.hint)}
            self.row(item, page, matrix_row.name, row_blob, outer,
                     **{"Field Label": matrix_row.label.get(self.lang),
                        "Section Header": item.label.get(self.lang) if r == 0 else "",
                        "Matrix Group Name": item.name})


def export_redcap(survey: Survey, lang: str = "en") -> tuple[str, list[Problem]]:
    """Return the data dictionary CSV (labels in `lang`) and what REDCap cannot enforce."""
    writer = _Writer(survey, lang)
    taken = {q.name for q in survey.questions()}
    record_id = "record_id" if "record_id" not in taken else "jgrad_record_id"
    writer.rows.append({"Variable / Field Name": record_id, "Form Name": survey.pages[0].name,
                        "Field Type": "text", "Field Label": "Record ID"})
    for page in survey.pages:
        outer = (page.relevant,) if page.relevant else ()
        for i, item in enumerate(page.items):
            blob = {}
            if i == 0:
                blob["page"] = {"title": _text(page.title),
                                "relevant": str(page.relevant) if page.relevant else None}
            writer.item(item, page, outer, blob)
    out = io.StringIO()
    csv_writer = csv.DictWriter(out, COLUMNS, restval="", lineterminator="\r\n")
    csv_writer.writeheader()
    csv_writer.writerows(writer.rows)
    return out.getvalue(), writer.warnings
