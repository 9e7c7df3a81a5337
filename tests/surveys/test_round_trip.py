"""Round trips: export then load gives the same definition, for random definitions too."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from surveys import load_definition, load_json, to_json
from surveys.redcap import export_redcap, load_redcap
from surveys.xlsform import export_xlsform, load_xlsform

from .strategies import definition

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(definition())
def test_json_round_trip(data):
    survey = load_definition(data)
    assert load_json(to_json(survey)) == survey


@pytest.mark.parametrize("lang", ["en", "ja"])
@SETTINGS
@given(data=definition())
def test_redcap_round_trip(data, lang):
    survey = load_definition(data)
    text, _warnings = export_redcap(survey, lang=lang)
    back = load_redcap(text, slug=survey.slug, title=data["title"], version=survey.version,
                       lang=lang)
    assert back.survey == survey
    assert [p.key for p in back.skipped] == ["skip_record_id"]


@SETTINGS
@given(definition())
def test_xlsform_round_trip(data):
    survey = load_definition(data)
    back = load_xlsform(export_xlsform(survey))
    assert back.survey == survey and back.skipped == []
