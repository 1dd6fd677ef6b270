"""Property-based fuzzing of every REST operation with schemathesis, as an authenticated owner.

Every generated request (valid and invalid) must get a non-5xx answer that conforms to the OpenAPI
document (status code documented, body matches its schema, problem+json on errors).
`SNAPLEADS_FUZZ_EXAMPLES` sets examples per operation: small in CI, e.g. 500 for a long local run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api_ext import build_api
from tests.factories import make_lead, register_owner

EXAMPLES = int(os.environ.get("SNAPLEADS_FUZZ_EXAMPLES", "5"))
# The API layer is the same on both databases; one backend keeps CI short (the bad-input corpus and
# the tenancy proof run on both).
pytestmark = pytest.mark.skipif(
    os.environ.get("SNAPLEADS_TEST_BACKEND", "embedded") != "postgres", reason="fuzzed on PostgreSQL"
)

# Checked: no 5xx, documented status codes, content types and headers, response bodies matching their
# schemas, 405 with a correct Allow header for undeclared methods, auth enforced. Not checked:
# - positive data acceptance: schema-valid is not always domain-valid (password strength, e-mail
#   deliverability, phone numbers) and those get a 422 problem, which is right;
# - negative data rejection: pydantic's lax mode reads 0/1 as booleans and 1.0 as an integer, a
#   leniency integrations rely on (strings are never coerced to numbers in bodies).
NOT_CHECKED = [positive_data_acceptance, negative_data_rejection]

app = build_api()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
# Logging out would end the session the rest of the run uses; its behaviour has its own tests.
schema = schema.exclude(path="/api/v1/auth/logout")


@pytest.fixture
def owner_headers(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    # Rate limits have their own tests; here they would turn most examples into 429s.
    monkeypatch.setattr("api_ext.middleware.rate_limit_group", lambda path, method: ("", 0))
    owner = register_owner()
    for n in range(3):
        make_lead(owner, username=f"fuzz{n}", email=f"fuzz{n}@example.com")
    yield owner.auth


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_operation_survives_generated_input(
    case: schemathesis.Case, owner_headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=owner_headers, excluded_checks=NOT_CHECKED)
