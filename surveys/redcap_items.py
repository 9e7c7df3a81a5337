"""One REDCap data-dictionary row to one item (or a matrix row, or a career-block item)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .conditions import serialise
from .evaluate import VarInfo
from .redcap_logic import Untranslatable, from_redcap

_KINDS = {"select_one": "code", "likert": "code", "select_multiple": "multi", "integer": "number",
          "decimal": "number", "date": "date", "year_month": "year_month"}


def _bound(text: str, kind: str):
    if not text:
        return None
    try:
        return int(text) if kind == "integer" else Decimal(text)
    except (ValueError, InvalidOperation):
        raise ValueError(text) from None


def _type(builder, row: dict, blob: dict) -> tuple[str, dict] | None:
    """Return our type and its bounds for a row, or None when it is skipped."""
    name, kind = row["Variable / Field Name"], row["Field Type"]
    validation = row["Text Validation Type OR Show Slider Number"]
    if kind in ("calc", "file", "sql"):
        detail = "file (signature)" if validation == "signature" else kind
        builder.skip(name, "skip_no_equivalent", type=detail)
        return None
    if kind == "descriptive":
        return "note", {}
    if kind == "notes":
        return "long_text", {}
    if kind in ("dropdown", "radio", "yesno", "truefalse"):
        return ("likert" if blob.get("type") == "likert" else "select_one"), {}
    if kind == "checkbox":
        return "select_multiple", {}
    low, high = row["Text Validation Min"], row["Text Validation Max"]
    if kind == "slider":
        builder.notes.append(_note(name, "note_slider", low or "0", high or "100"))
        return "integer", {"min": int(low or 0), "max": int(high or 100)}
    if blob.get("type") in ("year_month", "country"):
        return blob["type"], {}
    ours = ("integer" if validation == "integer" else
            "decimal" if validation == "number" or validation.startswith("number_") else
            "date" if validation in ("date_ymd", "date_mdy", "date_dmy") else "text")
    if ours == "text" and validation:
        builder.notes.append(_note(name, "note_validation", validation))
    if ours in ("integer", "decimal"):
        bounds = (("min", _bound(low, ours)), ("max", _bound(high, ours)))
        return ours, {key: value for key, value in bounds if value is not None}
    if ours == "date" and (low or high):
        builder.notes.append(_note(name, "note_date_bounds"))
    return ours, {}


def _note(name: str, key: str, *args):
    from .messages import Problem

    params = dict(zip(("min", "max"), args)) if key == "note_slider" else (
        {"validation": args[0]} if args else {})
    return Problem(name, key, **params)


def _relevant(builder, row: dict, blob: dict):
    """Return (ok, our condition text or None) for the row's branching logic."""
    if "relevant" in blob:
        return True, blob["relevant"]
    logic = row["Branching Logic (Show field only if...)"]
    if not logic:
        return True, None
    name = row["Variable / Field Name"]
    for other in re.findall(r"\[([a-z][a-z0-9_]*)", logic):
        if other in builder.skipped_names:
            builder.skip(name, "skip_depends", other=other)
            return False, None
    try:
        return True, serialise(from_redcap(logic, builder.known))
    except Untranslatable as error:
        builder.skip(name, "skip_logic", logic=logic[:200], detail=str(error))
        return False, None


def item_from_row(builder, row: dict) -> None:
    name, blob, form = row["Variable / Field Name"], row["blob"], row["Form Name"]
    items = builder.page_items.setdefault(form, [])
    if "page" in blob:
        meta = {k: v for k, v in blob["page"].items() if v is not None}
        builder.page_meta[form] = meta
    typed = _type(builder, row, blob)
    if typed is None:
        return
    our_type, extra = typed
    choices = None
    if row["Field Type"] in ("dropdown", "radio", "checkbox", "yesno", "truefalse"):
        listed = builder.choice_list(row, blob)
        if listed is None:
            return
        choices, codes = listed
    ok, relevant = _relevant(builder, row, blob)
    if not ok:
        return
    label = builder.text(row["Field Label"], blob.get("row_label") or blob.get("label"))
    section = row["Section Header"]
    group = row["Matrix Group Name"]
    if section and not group and not blob:
        header = f"sh_{name}"[:32]
        items.append({"name": header, "type": "note", "label": {builder.lang: section}})
        builder.notes.append(_note(name, "note_section"))
    if group and our_type == "select_one" and choices:
        matrix = items[-1] if items and items[-1].get("_group") == group else None
        if matrix is not None and matrix["choices"] == choices \
                and matrix.get("relevant") == relevant:
            matrix["rows"].append({"name": name, "label": label or {builder.lang: name}})
            matrix["required"] = matrix.get("required", False) or row["Required Field?"] == "y"
            builder.known[name] = VarInfo("code", codes)
            return
        if matrix is None:
            head = blob.get("matrix", {})
            item = {"_group": group, "name": group, "type": "matrix", "choices": choices,
                    "label": head.get("label") or builder.text(section) or {builder.lang: group},
                    "rows": [{"name": name, "label": label or {builder.lang: name}}]}
            for key, value in (("hint", head.get("hint")), ("relevant", relevant),
                               ("required", row["Required Field?"] == "y" or None)):
                if value is not None:
                    item[key] = value
            items.append(item)
            builder.known[name] = VarInfo("code", codes)
            return
    item = {"name": name, "type": our_type, "label": label or {builder.lang: name}, **extra}
    hint = builder.text(row["Field Note"], blob.get("hint"))
    optional = {"hint": hint, "choices": choices, "relevant": relevant,
                "required": (row["Required Field?"] == "y") or None,
                "constraint": blob.get("constraint"),
                "constraint_message": blob.get("constraint_message"),
                "prefill": blob.get("prefill"), "writeback": blob.get("writeback")}
    if our_type == "note":
        optional["required"] = None
    item.update((k, v) for k, v in optional.items() if v is not None)
    target = items
    if "career" in blob:
        head = blob["career"]
        block = {"name": head["name"], "type": "career", "label": head["label"], "items": []}
        block.update((k, head[k]) for k in ("hint", "relevant") if head.get(k) is not None)
        items.append(block)
    if "block" in blob and items and items[-1].get("name") == blob["block"]:
        target = items[-1]["items"]
    target.append(item)
    if our_type != "note":
        kind = _KINDS.get(our_type, "text")
        builder.known[name] = VarInfo(kind, codes if choices else frozenset())


def strip_groups(pages: list[dict]) -> None:
    """Remove the bookkeeping keys the row reader leaves on matrices."""
    for page in pages:
        for item in page["items"]:
            item.pop("_group", None)
