"""Schemathesis against the service's OpenAPI schema: no 5xx, no schema violations.

Bounded: a few examples per operation (PERSONAGUARD_FUZZ_EXAMPLES, default 12), so it fits CI.
Schemathesis's own pytest plugin does not run under this pytest, so each operation is driven
through Hypothesis directly with schemathesis's strategies and checks.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from personaguard.service.app import create_app
from personaguard.service.settings import Settings

N_EXAMPLES = int(os.environ.get("PERSONAGUARD_FUZZ_EXAMPLES", "12"))

# The published schema does not depend on the database, so it can be read without starting one.
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(database_url="sqlite://")).openapi())
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_errors_and_responses_match_the_schema(label: str, live: Any, tenant: Any) -> None:
    operation = OPERATIONS[label]

    @given(case=operation.as_strategy())
    @settings(max_examples=N_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case: Any) -> None:
        # Requests go out as a real tenant so they reach the handlers. positive_data_acceptance is
        # left out: a schema-valid body may still name an unknown user (404).
        case.call_and_validate(
            base_url=live.url,
            headers={"Authorization": f"Bearer {tenant.key}"},
            excluded_checks=[positive_data_acceptance],
        )

    run()
