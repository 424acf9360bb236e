"""Errors under ``/api/`` are JSON ``{"detail": ...}`` in the request's language (README,
"REST API"), also those answered outside an API view: an unknown URL (with ``DEBUG`` on
too), a plain view's 405, a 500 or 503; and a malformed JSON body is reported in the
caller's language, not in DRF's untranslated English."""

from __future__ import annotations

import json

import pytest
from django.http import HttpResponse, HttpResponseNotAllowed
from django.test import RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from salesops.middleware import ApiErrorJsonMiddleware

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(("language", "detail"), [("zh-hans", "未找到。"), ("en", "Not found.")])
def test_an_unknown_api_url_answers_a_json_404(client, settings, debug, language, detail):
    settings.DEBUG = debug
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": detail}


def test_an_unknown_page_outside_the_api_stays_html(client, settings):
    settings.DEBUG = True
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _through_middleware(path: str, response: HttpResponse, method: str = "get") -> HttpResponse:
    request = getattr(RequestFactory(), method)(path)
    return ApiErrorJsonMiddleware(lambda _request: response)(request)


def test_a_405_and_a_server_error_under_the_api_become_json_with_their_headers():
    with translation.override("en"):
        answer = _through_middleware("/api/v1/x/", HttpResponseNotAllowed(["GET"]), method="delete")
        assert answer.status_code == 405
        assert answer["Allow"] == "GET"
        assert json.loads(answer.content) == {"detail": 'Method "DELETE" not allowed.'}
        unavailable = HttpResponse("<h1>503</h1>", status=503)
        unavailable["Retry-After"] = "30"
        answer = _through_middleware("/api/v1/x/", unavailable)
        assert (answer.status_code, answer["Retry-After"]) == (503, "30")
        assert answer["Content-Type"].startswith("application/json")
        answer = _through_middleware("/api/v1/x/", HttpResponse("<h1>500</h1>", status=500))
        assert json.loads(answer.content) == {"detail": "A server error occurred."}
    with translation.override("zh-hans"):
        answer = _through_middleware("/api/v1/x/", HttpResponse("<h1>500</h1>", status=500))
        assert json.loads(answer.content) == {"detail": "服务器出错。"}
        page = _through_middleware("/customers/", HttpResponse("<h1>500</h1>", status=500))
        assert page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("zh-hans", "JSON 格式错误：第 1 行第 2 列。"),
        ("en", "Malformed JSON at line 1, column 2."),
    ],
)
def test_malformed_json_is_reported_in_the_callers_language(org, language, detail):
    org.rep.language = ""
    org.rep.save(update_fields=["language"])
    client = APIClient()
    client.force_login(org.rep)
    response = client.post(
        "/api/v1/visits/",
        data="{oops",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json() == {"detail": detail}
