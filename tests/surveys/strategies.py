"""Hypothesis strategies: random but valid survey definitions, for round-trip properties."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from surveys import syntax

# Text as people write it: letters, kana and kanji, digits and punctuation, inner spaces.
_CHARS = st.sampled_from(list("abcXYZ019 ,.|'\"=-()?はいえ調査満足％"))
TEXT = st.text(_CHARS, min_size=1, max_size=12).map(str.strip).filter(bool)
LANG_TEXT = st.one_of(
    st.builds(lambda ja, en: {"ja": ja, "en": en}, TEXT, TEXT),
    st.builds(lambda en: {"en": en}, TEXT),
    st.builds(lambda ja: {"ja": ja}, TEXT),
)
SECTOR = [{"code": 1, "label": {"en": "University", "ja": "大学等"}, "value": "university"},
          {"code": 2, "label": {"en": "Company", "ja": "民間企業"}, "value": "company"}]


@st.composite
def choice_list(draw):
    size = draw(st.integers(3, 5))
    start = draw(st.integers(-1, 5))
    return [{"code": start + i, "label": draw(LANG_TEXT)} for i in range(size)]


@st.composite
def condition(draw, known: dict):
    """A condition over variables answered earlier (known: name -> (type, codes))."""
    if not known:
        return None
    name = draw(st.sampled_from(sorted(known)))
    kind, codes = known[name]
    var = "${" + name + "}"
    if kind in ("select_one", "likert", "matrix"):
        code = draw(st.sampled_from(sorted(codes)))
        options = [f"{var} = {code}", f"selected({var}, {code})", f"{var} >= {code}"]
    elif kind == "select_multiple":
        code = draw(st.sampled_from(sorted(codes)))
        options = [f"selected({var}, {code})", f"not selected({var}, {code})",
                   f"count-selected({var}) >= 2"]
    elif kind in ("integer", "decimal"):
        options = [f"{var} > 3", f"{var} <= 2.5", f"{var} != -1"]
    elif kind == "date":
        options = [f"{var} < '2020-01-01'"]
    elif kind == "year_month":
        options = [f"{var} >= '2020-04'"]
    else:
        options = [f"{var} != 'x'", f"{var} = \"it's\""]
    options += [f"empty({var})", f"not empty({var})"]
    first = draw(st.sampled_from(options))
    if draw(st.booleans()):
        return first
    second = draw(condition(known))
    word = draw(st.sampled_from(["and", "or"]))
    return f"{first} {word} ({second})" if draw(st.booleans()) else f"{first} {word} {second}"


SIMPLE = ["select_one", "select_multiple", "text", "long_text", "integer", "decimal", "date",
          "year_month", "likert", "country", "note", "matrix", "career"]


@st.composite
def definition(draw):
    lists = {f"list{i}": draw(choice_list()) for i in range(draw(st.integers(1, 3)))}
    list_names = sorted(lists)
    known: dict = {}
    counter = iter(range(1000))
    pages, used, career_done = [], set(), False
    for p in range(draw(st.integers(1, 3))):
        page = {"name": f"page{p}", "items": []}
        if draw(st.booleans()):
            page["title"] = draw(LANG_TEXT)
        if p and draw(st.booleans()) and known:
            page["relevant"] = draw(condition(known))
        page_known = {}
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(SIMPLE))
            if kind == "career" and career_done:
                kind = "text"  # one career block a survey: two would write one field twice
            name = f"q{next(counter)}"
            item = {"name": name, "type": kind, "label": draw(LANG_TEXT)}
            if draw(st.booleans()):
                item["hint"] = draw(LANG_TEXT)
            if draw(st.booleans()) and (known or page_known):
                item["relevant"] = draw(condition({**known, **page_known}))
            if kind not in ("note", "career") and draw(st.booleans()):
                item["required"] = True
            if kind in ("select_one", "select_multiple", "likert", "matrix"):
                item["choices"] = draw(st.sampled_from(list_names))
                used.add(item["choices"])
            if kind == "integer" and draw(st.booleans()):
                item.update(min=draw(st.integers(-5, 0)), max=draw(st.integers(1, 99)))
                item["constraint"] = f". != {item['max'] - 1}"
                item["constraint_message"] = draw(LANG_TEXT)
            if kind == "decimal" and draw(st.booleans()):
                item["max"] = Decimal(draw(st.sampled_from(["2.5", "10", "99.75"])))
            if kind == "matrix":
                item["rows"] = [{"name": f"{name}_r{r}", "label": draw(LANG_TEXT)}
                                for r in range(draw(st.integers(1, 3)))]
                codes = {c["code"] for c in lists[item["choices"]]}
                for row in item["rows"]:
                    page_known[row["name"]] = ("matrix", codes)
            elif kind == "career":
                career_done = True
                lists["sector"] = SECTOR
                used.add("sector")
                item["items"] = [
                    {"name": f"{name}_sector", "type": "select_one", "choices": "sector",
                     "label": draw(LANG_TEXT), "prefill": "career.current.sector",
                     "writeback": "career.current.sector"},
                    {"name": f"{name}_employer", "type": "text", "label": draw(LANG_TEXT),
                     "writeback": "career.current.employer",
                     "relevant": f"${{{name}_sector}} = 2"}]
                page_known[f"{name}_sector"] = ("select_one", {1, 2})
                page_known[f"{name}_employer"] = ("text", set())
            elif kind != "note":
                codes = {c["code"] for c in lists[item["choices"]]} if "choices" in item else set()
                page_known[name] = (kind, codes)
            page["items"].append(item)
        known.update(page_known)
        pages.append(page)
    return {"format": "jgrad-survey", "format_version": 1, "slug": "generated", "version": 2,
            "title": draw(LANG_TEXT),
            "choice_lists": {name: entries for name, entries in lists.items() if name in used},
            "pages": pages}


# Condition trees over variables of every kind, well typed as the load-time check wants
# them, and typed answers for those variables: for evaluator parity and JSON round trips.
KINDS = {"n": "number", "d": "number", "c": "code", "m": "multi", "t": "text", "dt": "date",
         "ym": "year_month"}
CODES = (1, 2, 3)
_TEXT = st.text(st.sampled_from(list("ab Zé日！𝒳")), max_size=4)  # BMP past surrogates too
_DECIMAL = st.decimals(min_value=-5, max_value=5, places=3, allow_nan=False)
_DATE = st.dates(dt.date(1999, 12, 25), dt.date(2000, 3, 5))
_YEAR_MONTH = st.sampled_from(["1999-12", "2000-01", "2000-02", "2000-10"])


def _literal_for(kind: str):
    if kind == "number":
        return st.one_of(st.integers(-6, 6), _DECIMAL,
                         st.sampled_from([2 ** 60, -(2 ** 60)])).map(syntax.Literal)
    if kind == "code":
        return st.sampled_from(CODES + (4,)).map(syntax.Literal)
    if kind == "text":
        return _TEXT.map(syntax.Literal)
    if kind == "date":
        return _DATE.map(lambda day: syntax.Literal(day.isoformat()))
    return _YEAR_MONTH.map(syntax.Literal)


def _operand(kind: str, self_kind: str | None):
    names = [name for name, k in KINDS.items() if k == kind]
    options = [st.sampled_from(names).map(syntax.Var), _literal_for(kind)]
    if kind == "number":
        options.append(st.just(syntax.Call("count-selected", syntax.Var("m"))))
    if kind == self_kind:
        options.append(st.just(syntax.Self()))
    return st.one_of(options)


@st.composite
def _comparison(draw, self_kind):
    kind = draw(st.sampled_from(["number", "code", "text", "date", "year_month"]))
    if kind == "code":  # codes compare with codes and numbers alike
        left, right = draw(_operand("code", None)), draw(_operand(
            draw(st.sampled_from(["code", "number"])), self_kind))
    else:
        left, right = draw(_operand(kind, self_kind)), draw(_operand(kind, self_kind))
    return syntax.Compare(draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">="])), left, right)


def condition_tree(self_kind: str | None = None):
    """A well-typed condition tree; `self_kind` allows `.` of that kind (a constraint)."""
    leaves = st.one_of(
        _comparison(self_kind),
        st.builds(lambda name, code: syntax.Call("selected", syntax.Var(name), code),
                  st.sampled_from(["c", "m"]), st.sampled_from(CODES)),
        st.sampled_from(sorted(KINDS)).map(lambda name: syntax.Call("empty", syntax.Var(name))),
        st.booleans().map(syntax.Literal),
    )
    return st.recursive(leaves, lambda inner: st.one_of(
        inner.map(syntax.Not),
        st.lists(inner, min_size=2, max_size=3).map(lambda args: syntax.And(tuple(args))),
        st.lists(inner, min_size=2, max_size=3).map(lambda args: syntax.Or(tuple(args)))),
        max_leaves=6)


def typed_value(kind: str):
    """An answer as the server holds it (None: unanswered or hidden)."""
    values = {
        "number": st.one_of(st.integers(-6, 6), _DECIMAL, st.just(10 ** 15 - 1)),
        "code": st.sampled_from(CODES),
        "multi": st.frozensets(st.sampled_from(CODES)),
        "text": _TEXT,
        "date": _DATE,
        "year_month": _YEAR_MONTH,
    }[kind]
    return st.one_of(st.none(), values)


ANSWERS = st.fixed_dictionaries({name: typed_value(kind) for name, kind in KINDS.items()})
