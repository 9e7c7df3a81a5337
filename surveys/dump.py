"""Write a Survey back as the JSON definition format (the inverse of surveys.definition)."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from .model import FORMAT, FORMAT_VERSION, Item, Page, Survey, Text


def _text(text: Text | None) -> dict | None:
    if text is None:
        return None
    return {lang: value for lang, value in (("ja", text.ja), ("en", text.en)) if value is not None}


def _item(item: Item) -> dict[str, Any]:
    data: dict[str, Any] = {"name": item.name, "type": item.type, "label": _text(item.label)}
    optional = {
        "hint": _text(item.hint),
        "required": item.required or None,
        "relevant": str(item.relevant) if item.relevant else None,
        "constraint": str(item.constraint) if item.constraint else None,
        "constraint_message": _text(item.constraint_message),
        "choices": item.choices,
        "min": item.minimum,
        "max": item.maximum,
        "rows": [{"name": r.name, "label": _text(r.label)} for r in item.rows] or None,
        "items": [_item(sub) for sub in item.items] or None,
        "prefill": item.prefill,
        "writeback": item.writeback,
    }
    data.update((key, value) for key, value in optional.items() if value is not None)
    return data


def _page(page: Page) -> dict[str, Any]:
    data: dict[str, Any] = {"name": page.name}
    if page.title is not None:
        data["title"] = _text(page.title)
    if page.relevant is not None:
        data["relevant"] = str(page.relevant)
    data["items"] = [_item(item) for item in page.items]
    return data


def to_dict(survey: Survey) -> dict[str, Any]:
    """Return the definition as plain JSON data (decimals kept as Decimal)."""
    data: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "slug": survey.slug, "version": survey.version, "title": _text(survey.title),
    }
    if survey.choice_lists:
        data["choice_lists"] = {
            cl.name: [{"code": c.code, "label": _text(c.label),
                       **({"value": c.value} if c.value is not None else {})}
                      for c in cl.choices]
            for cl in survey.choice_lists
        }
    data["pages"] = [_page(page) for page in survey.pages]
    return data


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


def to_json(survey: Survey) -> str:
    """Return the definition as JSON text (UTF-8, Japanese kept readable)."""
    return json.dumps(to_dict(survey), ensure_ascii=False, indent=2, cls=_Encoder) + "\n"
