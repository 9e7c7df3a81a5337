"""Factories for survey definitions: plain data in, a loaded Survey out (no app needed)."""
from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from surveys import load_definition

YES_NO = [{"code": 1, "label": {"ja": "はい", "en": "Yes"}},
          {"code": 2, "label": {"ja": "いいえ", "en": "No"}}]
SCALE = [{"code": c, "label": {"en": f"level {c}", "ja": f"レベル{c}"}} for c in range(1, 6)]


@pytest.fixture
def definition():
    """Return a callable building a definition dict from pages of items."""

    def make(*pages, choice_lists=None, **top):
        data = {
            "format": "jgrad-survey", "format_version": 1, "slug": "test-survey", "version": 1,
            "title": {"ja": "テスト調査", "en": "Test survey"},
            "choice_lists": {"yes_no": YES_NO, "scale": SCALE, **(choice_lists or {})},
            "pages": [{"name": f"page{i + 1}", "items": list(items)}
                      for i, items in enumerate(pages)],
        }
        data.update(top)
        return data

    return make


@pytest.fixture
def survey(definition):
    """Return a callable building a loaded Survey from pages of items."""

    def make(*pages, **kwargs):
        return load_definition(definition(*pages, **kwargs))

    return make


def question(name, type_, **extra):
    """Return one item definition with English and Japanese labels."""
    item = {"name": name, "type": type_,
            "label": {"en": name.replace("_", " ").capitalize(), "ja": f"{name}の質問"}}
    item.update(extra)
    return item


@pytest.fixture(scope="session")
def example_data():
    text = resources.files("surveys").joinpath("examples/career_wave.json").read_text("utf-8")
    return json.loads(text)


@pytest.fixture
def example(example_data):
    return copy.deepcopy(example_data)


EXAMPLE = resources.files("surveys").joinpath("examples/career_wave.json")


@pytest.fixture
def make_survey(app):
    """Return a callable storing a survey in the database (the example career wave by default).

    ``rule`` sets its population, ``state`` "open" opens it.
    """
    from jgrad.extensions import db
    from surveys import services
    from surveys.targeting import Rule

    def make(data: dict | None = None, *, slug: str | None = None, rule: dict | None = None,
             owner=None, state: str = "open", **settings):
        data = copy.deepcopy(data) if data else json.loads(EXAMPLE.read_text("utf-8"))
        if slug:
            data["slug"] = slug
        survey, _version = services.store(load_definition(data))
        services.set_targeting(survey, Rule.from_dict(rule or {"wave_months": 18}),
                               owner_university_id=owner.id if owner else None, **settings)
        if state in ("open", "closed"):
            survey.open()
        if state == "closed":
            survey.close()
        db.session.commit()
        return survey

    return make
