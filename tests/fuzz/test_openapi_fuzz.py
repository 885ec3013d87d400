"""Issue 12: a bounded property-based fuzz of the whole OpenAPI, one authenticated pass per role.

schemathesis (the maintained OpenAPI fuzzer built on hypothesis, which the suite already uses)
generates requests from the published schema for every operation and sends them through the
ASGI app, in the test's rolled-back transaction. A case fails on any 5xx and on any answer
that breaks its declared schema (status, content type and body). Bounded to a few examples
per operation and role so that it adds ~2 minutes to the SQLite pass; the case count is
printed at the end (conftest.py)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, \
    response_schema_conformance

from backend.main import create_app

PERSONAS = ("admin", "supervisor", "inspector", "grid_worker", "manager_a")
# Logging out would end the persona's pass: every later case would only test the 401.
EXCLUDED = ("/api/auth/logout",)
EXAMPLES = 6


# The schema is read once, from an app of its own; each test's units of work run on that
# test's connection whatever app serves them (the `app` fixture swaps the sessions).
schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app())


@pytest.mark.fuzz
@schema.exclude(path=EXCLUDED).parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_5xx_or_breaks_its_schema(case, app, world, fuzz_counts):
    """Each generated request is sent once as each role (one authenticated pass per role)."""
    for persona in PERSONAS:
        fuzz_counts["cases"] += 1
        response = case.call(headers=world.headers(persona))
        fuzz_counts[f"status {response.status_code}"] += 1
        if response.status_code >= 500:
            fuzz_counts["server_errors"] += 1
        try:
            case.validate_response(response, checks=[
                not_a_server_error, response_schema_conformance, content_type_conformance])
        except Exception:
            fuzz_counts["schema_violations"] += response.status_code < 500
            raise
