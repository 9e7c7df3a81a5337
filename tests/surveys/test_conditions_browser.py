"""The page script's conditions in a real browser (headless Chromium): the JavaScript
evaluator gives the Python evaluator's answer on many generated cases (one page, one call
per batch), reads typed input as the server parses it, and on a survey page a question
appears and disappears as the answer it depends on changes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jgrad.extensions import db
from surveys import load_definition, validate_page
from surveys.conditions import parse
from surveys.client import encode, encode_answers, page_logic
from surveys.evaluate import evaluate, to_json
from surveys.invitations import invite
from surveys.models import Response
from tests.factories import link_in, outbox
from tests.surveys.strategies import ANSWERS, KINDS, condition_tree, typed_value
from tests.test_e2e_browser import CHROMIUM, browse, launch, live_server  # noqa: F401

playwright = pytest.importorskip("playwright.sync_api")
SCRIPT = Path(__file__).resolve().parents[2] / "jgrad" / "static" / "survey-conditions.js"
AT_WAVE = dt.datetime(2022, 9, 30, 3, 0, tzinfo=dt.timezone.utc)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the whole module."""
    with playwright.sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def script_page(browser):
    """One blank page with the page script loaded, for every evaluator case."""
    blank = browser.new_page()
    blank.set_content("<!doctype html><html><body></body></html>")
    blank.add_script_tag(path=str(SCRIPT))
    return blank


@pytest.fixture
def page(browser, live_server, tmp_path):  # noqa: F811 (this module's own page)
    yield from browse(browser, tmp_path)


@st.composite
def case(draw):
    self_kind = draw(st.sampled_from([None, "number", "text", "date", "year_month"]))
    tree = draw(condition_tree(self_kind))
    answers = draw(ANSWERS)
    self_value = draw(typed_value(self_kind)) if self_kind else None
    return tree, answers, self_kind, self_value


def _edge(text: str, **answers) -> tuple:
    return parse(text), {name: answers.get(name) for name in KINDS}, None, None


# Where a careless script would differ: code points past the surrogates, exact decimals,
# calendar dates, nulls against null-ish literals, sets, integers past a double's.
EDGES = [
    _edge("${t} < '！'", t="𝒳"), _edge("${t} > '！'", t="𝒳"), _edge("${t} = ''", t=""),
    _edge("not (${t} != 'x')"), _edge("${d} > 0.1", d=Decimal("0.10000000000000000001")),
    _edge("${d} = 2.50", d=Decimal("2.5")), _edge("${n} < 9007199254740993", n=9007199254740992),
    _edge("${n} = 0.0", n=0), _edge("${dt} < '2000-02-30'", dt=dt.date(2000, 1, 1)),
    _edge("${dt} >= '2000-02-29'", dt=dt.date(2000, 2, 29)), _edge("${ym} < '2000-10'", ym="2000-02"),
    _edge("count-selected(${m}) = 0", m=frozenset()), _edge("selected(${c}, 2)", c=2),
    _edge("selected(${m}, 2) and not empty(${m})", m=frozenset({2})),
    _edge("empty(${m}) or empty(${t})", m=frozenset(), t="x"), _edge("${c} = 1.0", c=1),
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(case(), min_size=60, max_size=80).map(lambda cases: EDGES + cases))
def test_the_script_evaluates_conditions_as_the_server_does(script_page, cases):
    sent = [{"tree": to_json(tree), "answers": encode_answers(KINDS, answers),
             "self": [kind, encode(kind, value)] if kind else None}
            for tree, answers, kind, value in cases]
    results = script_page.evaluate(
        """([kinds, cases]) => cases.map(c =>
               JgradConditions.evaluate(c.tree, kinds, c.answers, c.self))""", [KINDS, sent])
    expected = [evaluate(tree, answers, value) for tree, answers, _kind, value in cases]
    assert len(results) == len(expected) > 0
    for (tree, answers, _kind, value), got, want in zip(cases, results, expected):
        assert got == want, (tree, answers, value)


PARSED = load_definition({
    "format": "jgrad-survey", "format_version": 1, "slug": "parse", "version": 1,
    "title": {"en": "Parse"}, "choice_lists": {"l": [{"code": c, "label": {"en": str(c)}}
                                                      for c in (-1, 1, 2, 30)]},
    "pages": [{"name": "p", "items": [
        {"name": "i", "type": "integer", "label": {"en": "i"}, "min": -50, "max": 1500,
         "constraint": ". != 7"},
        {"name": "d", "type": "decimal", "label": {"en": "d"}, "max": 99.75},
        {"name": "o", "type": "select_one", "choices": "l", "label": {"en": "o"}},
        {"name": "t", "type": "text", "label": {"en": "t"}},
        {"name": "a", "type": "date", "label": {"en": "a"}},
        {"name": "y", "type": "year_month", "label": {"en": "y"}},
        {"name": "k", "type": "country", "label": {"en": "k"}}]}]})
RAW = st.one_of(
    st.text(st.sampled_from(list("0123456789,.-+ １２ｊｐJPe")), max_size=8),
    st.sampled_from(["1,200", "1,2000", "７", "7", "-50", "-51", "1500", "99.75", "99.76",
                     "2020-02-29", "2021-02-29", "2020-13-01", "0000-01-01", "2020-04",
                     "2020-00", "jp", "ＪＰ", "xx", "30", "-1", "030", " 2 ", "a" * 201]))


@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("idotayk"), RAW), min_size=40, max_size=60))
def test_the_script_reads_typed_input_as_the_server_parses_it(script_page, raws):
    page_ = PARSED.pages[0]
    logic = page_logic(PARSED, page_, {})
    questions = {q["name"]: q for q in logic["questions"]}
    results = script_page.evaluate(
        """([questions, countries, cases]) => cases.map(([name, raw]) => {
               const q = questions[name];
               const v = JgradConditions.parseAnswer(q, [raw], countries);
               if (v !== null && q.constraint &&
                   !JgradConditions.context({kinds: {}, known: {}, countries: countries,
                     questions: [{...q, shown_if: []}]}, () => [raw])[name]) { return null; }
               if (v === null) { return null; }
               if (v.m !== undefined) { return ["num", v.m.toString(), v.e]; }
               if (v.text !== undefined) { return ["date", v.text]; }
               return ["text", v];
           })""", [questions, logic["countries"], raws])
    checked = 0
    for (name, raw), got in zip(raws, results):
        want = validate_page(PARSED, "p", {name: raw}).values[name]
        if want is None or got is None:
            assert got is None and want is None, (name, raw, got, want)
        elif got[0] == "num":
            assert Decimal(got[1]).scaleb(got[2]) == want, (name, raw)
        elif got[0] == "date":
            assert got[1] == want.isoformat(), (name, raw)
        else:
            assert got[1] == want, (name, raw)
        checked += 1
    assert checked == len(raws)


SHOW_HIDE = {
    "format": "jgrad-survey", "format_version": 1, "slug": "show-hide", "version": 1,
    "title": {"en": "Show and hide", "ja": "表示と非表示"},
    "choice_lists": {"yes_no": [{"code": 1, "label": {"en": "Yes", "ja": "はい"}},
                                {"code": 2, "label": {"en": "No", "ja": "いいえ"}}]},
    "pages": [
        {"name": "first", "items": [
            {"name": "works", "type": "select_one", "choices": "yes_no",
             "label": {"en": "Do you work?"}}]},
        {"name": "second", "items": [
            {"name": "employer", "type": "text", "label": {"en": "Your employer"},
             "relevant": "${works} = 1"},
            {"name": "not_working", "type": "text", "label": {"en": "Why not?"},
             "relevant": "${works} = 2"},
            {"name": "years", "type": "integer", "label": {"en": "Years there"}},
            {"name": "promoted", "type": "select_one", "choices": "yes_no",
             "label": {"en": "Promoted since?"}, "relevant": "${years} >= 3"}]}]}


def test_a_dependent_question_appears_and_disappears_in_the_browser(
        live_server, page, make_survey, make_registrant):  # noqa: F811 (a fixture)
    survey = make_survey(SHOW_HIDE)
    person = make_registrant()
    invite(survey, AT_WAVE)
    [message] = outbox(to=person.account.email, kind="survey_invite")
    link = link_in(message)
    page.goto(live_server + link)
    page.check("input[name=works][value='1']")
    page.click("button:has-text('Save and continue')")
    page.wait_for_selector("text=Years there")

    # Known from the first page: the employer question shows, the other one is hidden.
    assert page.is_visible("#q-employer") and not page.is_visible("#q-not_working")
    assert page.get_attribute("[data-item=not_working]", "hidden") is not None
    assert page.is_disabled("#q-not_working")
    promoted = "[data-item=promoted]"
    assert page.get_attribute(promoted, "hidden") is not None  # years unanswered: null
    page.fill("#q-years", "３")  # full-width, as Japanese input methods type it
    page.wait_for_selector(promoted, state="visible")
    assert not page.is_disabled("input[name=promoted][value='1']")
    page.fill("#q-years", "1")
    page.wait_for_selector(promoted, state="hidden")
    assert page.is_disabled("input[name=promoted][value='1']")
    page.fill("#q-years", "1,0")  # not a number the server takes: the question stays hidden
    assert page.get_attribute(promoted, "hidden") is not None
    page.fill("#q-years", "4")
    page.check("input[name=promoted][value='2']")
    page.fill("#q-employer", "Photon Ltd")
    page.click("button:has-text('Save and continue')")
    page.wait_for_selector("text=You have answered every page")
    db.session.expire_all()
    answers = db.session.scalar(sa.select(Response)).answers
    assert answers == {"works": 1, "employer": "Photon Ltd", "years": 4, "promoted": 2}
