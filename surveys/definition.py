"""Load a JSON survey definition: the schema first, then every rule the schema cannot say."""
from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

from jsonschema import Draft202012Validator

from . import career
from .conditions import ConditionSyntaxError, parse
from .evaluate import VarInfo, check
from .messages import DefinitionError, Problem
from .model import Choice, ChoiceList, Condition, Item, Page, Row, Survey, Text

MAX_DEFINITION_BYTES = 5_000_000


@lru_cache(maxsize=1)
def schema() -> dict:
    """Return the JSON Schema of the definition format (surveys/schema/)."""
    text = resources.files("surveys").joinpath("schema/survey-v1.schema.json").read_text("utf-8")
    return json.loads(text)


def load_json(text: str | bytes) -> Survey:
    """Load a definition from JSON text, refusing it with every problem found."""
    if len(text) > MAX_DEFINITION_BYTES:
        raise DefinitionError([Problem("$", "file_too_large", limit=MAX_DEFINITION_BYTES)])
    try:
        data = json.loads(text, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise DefinitionError([Problem("$", "not_json", detail=str(error))]) from None
    return load_definition(data)


def _path(parts) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _schema_problem(error) -> Problem:
    path = _path(error.absolute_path)
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = [p for p in value if p not in instance]
        return Problem(path, "missing_property", property=", ".join(missing))
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = sorted(str(p) for p in instance if p not in known)
        return Problem(path, "unknown_property", property=", ".join(extra))
    if kind == "not":
        forbidden = [value] if "required" in value else value.get("anyOf", [])
        names = [p for sub in forbidden for p in sub.get("required", []) if p in instance]
        return Problem(path, "property_not_allowed", property=", ".join(names),
                       type=instance.get("type", ""))
    if kind == "pattern":
        return Problem(path, "bad_name" if "a-z0-9_" in value else "bad_pattern",
                       value=str(instance)[:80], pattern=value)
    if kind in ("const", "enum"):
        allowed = value if kind == "enum" else [value]
        return Problem(path, "not_one_of", value=str(instance)[:80],
                       allowed=", ".join(json.dumps(a) for a in allowed))
    if kind == "type":
        return Problem(path, "wrong_type", type=value)
    if kind in ("minItems", "minLength", "minProperties", "minimum"):
        return Problem(path, "too_small", limit=value)
    if kind in ("maxItems", "maxLength", "maxProperties", "maximum"):
        return Problem(path, "too_large", limit=value)
    return Problem(path, "invalid", detail=kind)


def load_definition(data: Any) -> Survey:
    """Build a Survey from decoded JSON, or raise DefinitionError listing every problem."""
    validator = Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        raise DefinitionError([_schema_problem(error) for error in errors])
    return _Builder(data).build()


def _text(data: Mapping | None) -> Text | None:
    return None if data is None else Text(ja=data.get("ja"), en=data.get("en"))


def _bound(value, item_type: str):
    if value is None:
        return None
    return int(value) if item_type == "integer" else Decimal(str(value))


def var_info(item: Item, lists: Mapping[str, ChoiceList]) -> VarInfo:
    """Return what a condition may do with an item's answer."""
    codes = lists[item.choices].codes() if item.choices in lists else frozenset()
    if item.type in ("select_one", "likert", "matrix"):
        return VarInfo("code", codes)
    kind = {"select_multiple": "multi", "integer": "number", "decimal": "number", "date": "date",
            "year_month": "year_month"}.get(item.type, "text")
    return VarInfo(kind, codes if kind == "multi" else frozenset())


class _Builder:
    def __init__(self, data: Mapping):
        self.data = data
        self.problems: list[Problem] = []
        self.lists: dict[str, ChoiceList] = {}
        self.known: dict[str, VarInfo] = {}
        self.names: set[str] = set()
        self.writebacks: dict[str, str] = {}
        self.all_names = self._all_names(data)

    @staticmethod
    def _all_names(data) -> set[str]:
        names = set()

        def walk(items):
            for item in items:
                names.add(item["name"])
                names.update(row["name"] for row in item.get("rows", ()))
                walk(item.get("items", ()))

        for page in data["pages"]:
            walk(page["items"])
        return names

    def problem(self, path: str, key: str, **params) -> None:
        self.problems.append(Problem(path, key, **params))

    def build(self) -> Survey:
        for name, entries in self.data.get("choice_lists", {}).items():
            self.lists[name] = self._choice_list(name, entries)
        pages, page_names = [], set()
        for p, page in enumerate(self.data["pages"]):
            path = f"$.pages[{p}]"
            if page["name"] in page_names:
                self.problem(path + ".name", "duplicate_name", name=page["name"])
            page_names.add(page["name"])
            relevant = self._condition(page.get("relevant"), path + ".relevant")
            items = tuple(self._item(item, f"{path}.items[{i}]", False)
                          for i, item in enumerate(page["items"]))
            pages.append(Page(page["name"], _text(page.get("title")), items, relevant))
        if self.problems:
            raise DefinitionError(self.problems)
        return Survey(self.data["slug"], self.data["version"], _text(self.data["title"]),
                      tuple(sorted(self.lists.values(), key=lambda cl: cl.name)), tuple(pages))

    def _choice_list(self, name: str, entries) -> ChoiceList:
        seen_codes, seen_values = set(), set()
        for c, entry in enumerate(entries):
            path = f"$.choice_lists.{name}[{c}]"
            if entry["code"] in seen_codes:
                self.problem(path + ".code", "duplicate_code", code=entry["code"])
            if "value" in entry and entry["value"] in seen_values:
                self.problem(path + ".value", "duplicate_value", value=entry["value"])
            seen_codes.add(entry["code"])
            seen_values.add(entry.get("value"))
        return ChoiceList(name, tuple(Choice(e["code"], _text(e["label"]), e.get("value"))
                                      for e in entries))

    def _condition(self, text, path, self_info=None) -> Condition | None:
        if text is None:
            return None
        try:
            tree = parse(text)
        except ConditionSyntaxError as error:
            self.problem(path, "syntax_" + error.key, position=error.position, **error.params)
            return None
        later = self.all_names - set(self.known)
        for found in check(tree, self.known, later, self_info):
            self.problem(path, found.key, position=found.position, **found.params)
        return Condition(tree, text)

    def _name(self, name: str, path: str) -> None:
        if name in self.names:
            self.problem(path, "duplicate_name", name=name)
        self.names.add(name)

    def _item(self, data: Mapping, path: str, in_career: bool) -> Item:
        kind = data["type"]
        self._name(data["name"], path + ".name")
        if kind == "career" and in_career:
            self.problem(path + ".type", "career_in_career")
        choices = data.get("choices")
        if choices is not None and choices not in self.lists:
            self.problem(path + ".choices", "unknown_choice_list", name=choices)
        elif kind == "likert":
            codes = [c.code for c in self.lists[choices].choices]
            if len(codes) < 3 or codes != sorted(codes):
                self.problem(path + ".choices", "likert_scale", name=choices)
        minimum, maximum = _bound(data.get("min"), kind), _bound(data.get("max"), kind)
        if minimum is not None and maximum is not None and minimum > maximum:
            self.problem(path + ".min", "min_above_max", min=minimum, max=maximum)
        relevant = self._condition(data.get("relevant"), path + ".relevant")
        item = Item(name=data["name"], type=kind, label=_text(data["label"]),
                    hint=_text(data.get("hint")), required=data.get("required", False),
                    relevant=relevant, choices=choices, minimum=minimum, maximum=maximum,
                    constraint_message=_text(data.get("constraint_message")),
                    prefill=data.get("prefill"), writeback=data.get("writeback"))
        self._career_mapping(item, path, in_career)
        if kind == "career":
            subs = tuple(self._item(sub, f"{path}.items[{i}]", True)
                         for i, sub in enumerate(data["items"]))
            return _replace(item, items=subs)
        if kind == "matrix":
            rows = []
            for r, row in enumerate(data["rows"]):
                self._name(row["name"], f"{path}.rows[{r}].name")
                rows.append(Row(row["name"], _text(row["label"])))
            for row in rows:
                self.known[row.name] = var_info(item, self.lists)
            return _replace(item, rows=tuple(rows))
        if kind == "note":
            return item
        info = var_info(item, self.lists)
        constraint = self._condition(data.get("constraint"), path + ".constraint", info)
        self.known[item.name] = info
        return _replace(item, constraint=constraint)

    def _career_mapping(self, item: Item, path: str, in_career: bool) -> None:
        mapped = [(key, getattr(item, key)) for key in ("prefill", "writeback")
                  if getattr(item, key)]
        if not in_career:
            for key, _field in mapped:
                self.problem(f"{path}.{key}", "mapping_outside_career")
            return
        if not mapped:
            self.problem(path, "career_item_unmapped")
        checked = set()
        for key, field_name in mapped:
            if field_name in checked and key == "writeback":
                self._writeback(item, path, field_name)
                continue
            checked.add(field_name)
            career_field = career.FIELDS.get(field_name)
            if career_field is None:
                self.problem(f"{path}.{key}", "unknown_career_field", field=field_name,
                             allowed=", ".join(career.FIELDS))
                continue
            if career_field.item_type != item.type:
                self.problem(f"{path}.type", "career_type", field=field_name,
                             type=career_field.item_type)
            elif career_field.values and item.choices in self.lists:
                for c, choice in enumerate(self.lists[item.choices].choices):
                    if choice.value not in career_field.values:
                        self.problem(f"$.choice_lists.{item.choices}[{c}].value",
                                     "career_value", field=field_name,
                                     value=choice.value or "",
                                     allowed=", ".join(sorted(career_field.values)))
            if key == "writeback":
                self._writeback(item, path, field_name)

    def _writeback(self, item: Item, path: str, field_name: str) -> None:
        if field_name in self.writebacks:
            self.problem(f"{path}.writeback", "duplicate_writeback", field=field_name,
                         other=self.writebacks[field_name])
        self.writebacks[field_name] = item.name


def _replace(item: Item, **changes) -> Item:
    return dataclasses.replace(item, **changes)
