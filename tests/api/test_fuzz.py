"""The whole API fuzzed from its own OpenAPI document (schemathesis, in-process over WSGI).

Every operation gets generated valid and invalid requests, authenticated as an administrator
(a registrant's session for their own record) over seeded data: no 5xx, every response
conforms to its declared status, content type, headers and schema, and invalid input is
rejected. Derandomized and bounded, so that it is quick and the same on every run.
"""
from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance, negative_data_rejection, response_headers_conformance,
    response_schema_conformance, status_code_conformance,
)

from tests.api.conftest import auth, student

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = 12


def test_the_openapi_document_validates_and_declares_every_error(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    assert document["openapi"].startswith("3.1")
    operations = [op for methods in document["paths"].values() for op in methods.values()]
    assert len(operations) >= 12
    for op in operations:
        assert {"401", "403", "404", "409", "413", "422", "429"} <= set(op["responses"]), \
            op["operationId"]
        assert op["responses"]["422"]["content"]["application/problem+json"]


def test_the_reference_page_is_rendered_from_the_document_without_a_cdn(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "upsertStudents" in page and "ProblemDetails" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


@pytest.fixture
def seeded(app, client, world, login):
    """Data the fuzzer meets: students, and the credentials it calls with."""
    raw = world.university_token(world.a)
    client.post("/api/v1/universities/A/students",
                json={"students": [student(f"F{n}") for n in range(5)]}, headers=auth(raw))
    login("a@example.org")
    return {"admin": world.token(world.admin), "csrf": client.csrf_token(),
            "cookie": client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value}


def test_the_api_survives_schema_driven_fuzzing(app, seeded):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        own = operation.path.startswith("/api/v1/me")
        headers = ({"X-CSRFToken": seeded["csrf"]} if own else auth(seeded["admin"]))
        cookies = {app.config["SESSION_COOKIE_NAME"]: seeded["cookie"]} if own else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            checks = CHECKS + ([negative_data_rejection] if mode == GenerationMode.NEGATIVE
                               else [])

            @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                case.call_and_validate(headers=headers, cookies=cookies, checks=checks)

            call()
            checked += 1
    assert checked >= 24
