"""The API's front door: ``/api/v1/`` lists the collections a signed-in caller can open,
``/api/`` leads there, and ``/favicon.ico`` finds the icon (no 404 on every page load)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_the_collections_with_working_links(org):
    client = APIClient()
    client.force_login(org.rep)
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    links = response.json()
    for prefix in ("customers", "journals", "visits", "weekly-reports", "findings", "me"):
        assert links[prefix].endswith(f"/api/v1/{prefix}/"), links
    assert links["kpi/figures"].endswith("/api/v1/kpi/figures/")
    # Actions (POST-only routes) are not collections.
    assert "targets/acknowledge" not in links
    assert "notifications/read" not in links
    # Every link answers: a scoped list, or 404 where the role has no such rows at all
    # (a rep starts no imports); never a server error.
    answers = {}
    for url in links.values():
        if "kpi/figures" in url:
            continue  # needs a scope and period: covered by the KPI API tests
        response = client.get(url, HTTP_ACCEPT="application/json")
        answers[url.split("/api/v1/")[1]] = response.status_code
    assert set(answers.values()) <= {200, 404}, answers
    assert answers["customers/"] == answers["journals/"] == answers["visits/"] == 200


def test_the_api_root_needs_a_signed_in_caller():
    response = APIClient().get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401


def test_api_leads_to_the_root_and_favicon_to_the_icon(client):
    response = client.get("/api/")
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/"
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
