"""The OpenAPI schema validates, describes, tags and exemplifies every operation, and
schemathesis fuzzes every operation against it, as a rep and as a supervisor (token
auth): no 5xx, and status codes, content types, headers and bodies match the schema.

Examples per operation are bounded (``API_FUZZ_EXAMPLES``, default 6) so the run stays
within a couple of minutes on two cores; it runs in both passes of ``.ci/run``
(SQLite, then PostgreSQL).
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_create
from conftest import make_org
from customers.tests.factories import make_customer

FUZZ_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))

RAW_SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
SCHEMA_JSON = json.loads(OpenApiJsonRenderer().render(RAW_SCHEMA, renderer_context={}))
schema = schemathesis.openapi.from_dict(SCHEMA_JSON)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

#: The areas of the API; every path belongs to one.
EXPECTED_PREFIXES = (
    "/api/v1/customers/",
    "/api/v1/journals/",
    "/api/v1/plan-items/",
    "/api/v1/visits/",
    "/api/v1/kpi/figures/",
    "/api/v1/me/",
    "/api/v1/users/",
    "/api/v1/units/",
    "/api/v1/memberships/",
    "/api/v1/tokens/",
    "/api/v1/notifications/",
    "/api/v1/targets/",
    "/api/v1/weekly-reports/",
    "/api/v1/team-weekly-reports/",
    "/api/v1/findings/",
    "/api/v1/coaching-plans/",
    "/api/v1/import-jobs/",
    "/api/v1/projects/",
)


def _operations() -> list[tuple[str, str, dict]]:
    return [
        (path, method, op)
        for path, item in SCHEMA_JSON["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_schema_is_valid_openapi_3_and_lists_every_area():
    validate_schema(RAW_SCHEMA)
    paths = set(SCHEMA_JSON["paths"])
    for prefix in EXPECTED_PREFIXES:
        assert any(p.startswith(prefix) for p in paths), prefix
    assert all(p.startswith("/api/v1/") for p in paths)


def test_every_operation_is_described_tagged_and_has_error_responses():
    operations = _operations()
    assert len(operations) >= 40
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        assert op.get("tags"), where
        assert "401" in op["responses"], where
        if method in {"post", "put", "patch"} and op.get("requestBody"):
            assert "400" in op["responses"], where


def test_every_operation_has_examples_and_the_main_ones_their_own():
    for path, method, op in _operations():
        assert "example" in json.dumps(op), f"{method.upper()} {path}"
    with_examples = {
        (path, method)
        for path, method, op in _operations()
        if "examples" in json.dumps(op.get("requestBody", {}))
        or "examples" in json.dumps({k: v for k, v in op["responses"].items() if k.startswith("2")})
    }
    for wanted in [
        ("/api/v1/visits/", "post"),
        ("/api/v1/customers/", "post"),
        ("/api/v1/customers/{id}/", "get"),
        ("/api/v1/customers/{id}/stage/", "post"),
        ("/api/v1/journals/", "get"),
        ("/api/v1/kpi/figures/", "get"),
        ("/api/v1/users/", "post"),
        ("/api/v1/memberships/", "post"),
        ("/api/v1/tokens/", "post"),
        ("/api/v1/targets/", "post"),
        ("/api/v1/projects/", "get"),
        ("/api/v1/projects/", "post"),
        ("/api/v1/projects/{id}/points/{position}/", "post"),
    ]:
        assert wanted in with_examples, wanted


@pytest.fixture
def personas(db, settings):
    """The persona organisation with some customers and a token for a rep and a
    supervisor; requests go straight to the WSGI app inside the test's transaction."""
    settings.ALLOWED_HOSTS = ["*"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()
    org = make_org()
    for i in range(3):
        make_customer(org.rep, name=f"模糊测试客户{i}")
    tokens = {}
    for who in ("rep", "supervisor"):
        _row, text = api_token_create(user=getattr(org, who), name="fuzz", expires_in_days=None)
        tokens[who] = text
    yield tokens
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    cache.clear()


schema.app = get_wsgi_application()


@schema.parametrize()
@hypothesis_settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema_as_rep_and_supervisor(case, personas):
    for token in personas.values():
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
