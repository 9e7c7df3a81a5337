"""XLSForm survey and choices rows to the definition format (pages, matrices, career blocks)."""
from __future__ import annotations

import re

from .messages import Problem
from .xlsform_load import _SIMPLE, NO_EQUIVALENT, _bounds, _texts

_TRUE = ("yes", "true", "true()", "1")


class Builder:
    def __init__(self, lang: str):
        self.lang = lang
        self.problems: list[Problem] = []
        self.skipped: list[Problem] = []

    def choice_lists(self, rows: list[dict]) -> dict[str, list]:
        lists: dict[str, list] = {}
        for row in rows:
            where = f"choices!{row['number']}"
            code = row.get("name", "")
            if not re.fullmatch(r"-?[0-9]{1,6}(\.0)?", code):
                self.problems.append(Problem(where, "xlsform_bad_code", value=code[:40]))
                continue
            entry = {"code": int(float(code)),
                     "label": _texts(row, "label", self.lang) or {self.lang: code}}
            if row.get("value"):
                entry["value"] = row["value"]
            lists.setdefault(row.get("list_name", ""), []).append(entry)
        return lists

    def _common(self, row: dict) -> dict:
        data = {"name": row.get("name", ""),
                "label": _texts(row, "label", self.lang) or {self.lang: row.get("name", "")}}
        hint = _texts(row, "hint", self.lang)
        if hint:
            data["hint"] = hint
        if row.get("relevant"):
            data["relevant"] = row["relevant"]
        return data

    def _item(self, row: dict, where: str) -> dict | None:
        words = row.get("type", "").split()
        kind, appearance = " ".join(words[:1]), row.get("appearance", "")
        if " ".join(words) in NO_EQUIVALENT or kind in NO_EQUIVALENT:
            self.skipped.append(Problem(row.get("name") or where, "skip_no_equivalent",
                                        type=" ".join(words)))
            return None
        item = self._common(row)
        if kind in ("select_one", "select_multiple") and len(words) >= 2:
            item["type"] = "likert" if appearance == "likert" and kind == "select_one" else kind
            item["choices"] = words[1]
        elif kind in _SIMPLE and len(words) == 1:
            item["type"] = {("text", "multiline"): "long_text", ("text", "country"): "country",
                            ("date", "month-year"): "year_month"}.get((kind, appearance),
                                                                      _SIMPLE[kind])
        else:
            self.problems.append(Problem(where, "xlsform_unknown_type",
                                         type=" ".join(words)[:60]))
            return None
        if row.get("required", "").lower() in _TRUE and item["type"] != "note":
            item["required"] = True
        for key in ("constraint", "prefill", "writeback"):
            if row.get(key):
                item[key] = row[key]
        message = _texts(row, "constraint_message", self.lang)
        if message:
            item["constraint_message"] = message
        if row.get("parameters") and item["type"] in ("integer", "decimal"):
            try:
                item.update(_bounds(row["parameters"], item["type"]))
            except ValueError as error:
                self.problems.append(Problem(where, "redcap_bad_bound", value=str(error)))
        return item

    def pages(self, rows: list[dict]) -> list[dict]:
        pages: list[dict] = []
        stack: list[dict] = []
        loose: dict | None = None  # a page for questions outside any group
        for row in rows:
            where = f"survey!{row['number']}"
            kind = " ".join(row.get("type", "").replace("_group", " group").split())
            if kind == "begin group":
                group = self._common(row)
                appearance = row.get("appearance", "")
                if not stack:
                    page = {"name": group["name"], "items": []}
                    if group["label"] != {self.lang: group["name"]}:
                        page["title"] = group["label"]
                    if "relevant" in group:
                        page["relevant"] = group["relevant"]
                    pages.append(page)
                    stack.append(page)
                    loose = None
                    continue
                if appearance == "table-list" and "rows" not in stack[-1]:
                    group.update(type="matrix", rows=[])
                elif appearance == "career" and stack[-1].get("type") != "career":
                    group.update(type="career", items=[])
                else:
                    self.problems.append(Problem(where, "xlsform_nested_group"))
                stack[-1].setdefault("items", []).append(group)
                stack.append(group)
            elif kind == "end group":
                if not stack:
                    self.problems.append(Problem(where, "xlsform_unbalanced"))
                else:
                    stack.pop()
            else:
                item = self._item(row, where)
                if item is None:
                    continue
                if not stack:
                    if loose is None:
                        loose = {"name": f"page{len(pages) + 1}", "items": []}
                        pages.append(loose)
                    loose["items"].append(item)
                elif stack[-1].get("type") == "matrix":
                    self._matrix_row(stack[-1], item, where)
                else:
                    stack[-1]["items"].append(item)
        if stack:
            self.problems.append(Problem("survey", "xlsform_unbalanced"))
        return pages

    def _matrix_row(self, matrix: dict, item: dict, where: str) -> None:
        if item.get("type") != "select_one" or matrix.setdefault("choices", item["choices"]) \
                != item["choices"]:
            self.problems.append(Problem(where, "xlsform_matrix_row"))
            return
        matrix["rows"].append({"name": item["name"], "label": item["label"]})
        if item.get("required"):
            matrix["required"] = True
