"""Turn one page of a definition into what its template renders (labels, choices, values)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import Item, Page, Survey as Definition

INPUT_TYPES = {"text": "text", "integer": "text", "decimal": "text", "date": "date",
               "year_month": "month", "country": "text"}
INPUT_MODES = {"integer": "numeric", "decimal": "decimal"}


@dataclass
class Widget:
    """One thing on the page: a question, a matrix, a note or a career block."""

    name: str
    type: str
    label: str
    hint: str = ""
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    value: str = ""
    selected: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    rows: list["Widget"] = field(default_factory=list)  # matrix rows, career items
    input_type: str = "text"
    input_mode: str | None = None
    condition: str = ""  # the item's own `relevant`, as text (shown in previews)
    prefill: str | None = None
    writeback: str | None = None


@dataclass
class PageView:
    title: str
    widgets: list[Widget]


def _shown(name: str, answers: dict, raw: dict | None) -> tuple[str, set[str]]:
    value = raw.get(name) if raw is not None else answers.get(name)
    if value is None:
        return "", set()
    if isinstance(value, (list, tuple)):
        return "", {str(v) for v in value}
    return str(value), {str(value)}


def _widget(definition: Definition, item: Item, lang: str, answers: dict, raw, errors) -> Widget:
    widget = Widget(name=item.name, type=item.type, label=item.label.get(lang),
                    hint=item.hint.get(lang) if item.hint else "", required=item.required,
                    input_type=INPUT_TYPES.get(item.type, "text"),
                    input_mode=INPUT_MODES.get(item.type),
                    condition=str(item.relevant) if item.relevant else "",
                    prefill=item.prefill, writeback=item.writeback)
    if item.choices:
        widget.choices = [(str(c.code), c.label.get(lang))
                          for c in definition.choice_list(item.choices).choices]
    if item.type == "matrix":
        for row in item.rows:
            value, selected = _shown(row.name, answers, raw)
            widget.rows.append(Widget(name=row.name, type="row", label=row.label.get(lang),
                                      value=value, selected=selected,
                                      errors=errors.get(row.name, [])))
    elif item.type == "career":
        widget.rows = [_widget(definition, sub, lang, answers, raw, errors) for sub in item.items]
    elif item.type != "note":
        widget.value, widget.selected = _shown(item.name, answers, raw)
        widget.errors = errors.get(item.name, [])
    return widget


def page_view(definition: Definition, page: Page, lang: str, answers: dict,
              raw: dict | None, errors: dict[str, list[str]]) -> PageView:
    """Return the page's widgets with the saved answers (or the values just sent)."""
    return PageView(
        title=page.title.get(lang) if page.title else "",
        widgets=[_widget(definition, item, lang, answers, raw, errors) for item in page.items])
