"""The global search pages: ``search`` (the results page, ``/search/``) and
``search_suggest`` (the menu box's live suggestions, an htmx partial)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.http import text_param
from accounts.middleware import ScopedRequest

from .kinds import KINDS, KINDS_BY_CODE, Hit, Kind, Results
from .terms import Terms, parse_terms

PAGE_SIZE = 20
"""Hits per page when one kind is shown."""
OVERVIEW_SIZE = 5
"""Hits per kind on the overview (every kind at once)."""
SUGGEST_SIZE = 3
"""Hits per kind in the menu's live suggestions."""


@dataclass(frozen=True)
class Group:
    """One kind's results: ``count`` hits in all, ``hits`` shown, ``url`` of the kind's
    own paged list."""

    kind: Kind
    count: int
    hits: list[Hit]
    url: str
    results: Results


def _terms(request: ScopedRequest) -> Terms:
    return parse_terms(
        request.GET.get("q"), request.GET.get("date_from"), request.GET.get("date_to")
    )


def _query(terms: Terms, **extra: str) -> str:
    """The query string of a search (q and dates) plus ``extra``."""
    params = {"q": terms.text}
    if terms.day_from and terms.day_from.isoformat() not in terms.text:
        params["date_from"] = terms.day_from.isoformat()
    if terms.day_to and terms.day_to.isoformat() not in terms.text:
        params["date_to"] = terms.day_to.isoformat()
    params.update(extra)
    return urlencode(params)


def _groups(request: ScopedRequest, terms: Terms, size: int) -> list[Group]:
    """Every kind that applies to ``terms``: its count and first ``size`` hits (two queries
    per kind, plus the journals' matched visits)."""
    groups = []
    for kind in KINDS:
        results = kind.search(request.scope, terms)
        if results is None:
            continue
        count = results.count()
        hits = results[:size] if count and size else []
        url = reverse("search") + "?" + _query(terms, kind=kind.code)
        groups.append(Group(kind, count, hits, url, results))
    return groups


@never_cache
@login_required
@require_safe
def search(request: ScopedRequest) -> HttpResponse:
    """The results page. GET ``q`` (keyword, pinyin, phone, code, dates such as
    ``2026-12-01..2026-12-07``), optional ``date_from`` / ``date_to`` (YYYY-MM-DD, for
    journals and weekly reports), ``kind`` (one of :data:`KINDS`' codes: that kind alone,
    paged by ``page``), else every kind with its count and first hits.

    Everything is read through each model's ``visible_to(request.scope)``. Bad input never
    fails: a long query is cut, an impossible date left out, an unknown kind shows every
    kind, each with a message saying so."""
    terms = _terms(request)
    for notice in terms.notices:
        messages.warning(request, notice)
    raw_kind = text_param(request.GET.get("kind"), max_length=40)
    kind = KINDS_BY_CODE.get(raw_kind)
    if raw_kind and kind is None:
        messages.warning(
            request,
            _("%(value)s is not a kind of result; showing every kind.") % {"value": raw_kind[:30]},
        )
    context: dict[str, Any] = {
        "terms": terms,
        "search_terms": terms,
        "kinds": KINDS,
        "kind": kind,
        "groups": [],
        "page": None,
        "total": 0,
        "all_url": reverse("search") + "?" + _query(terms),
    }
    if not terms.is_empty:
        groups = _groups(request, terms, OVERVIEW_SIZE if kind is None else 0)
        context["groups"] = groups
        context["total"] = sum(g.count for g in groups)
        chosen = next((g for g in groups if kind is not None and g.kind == kind), None)
        if chosen is not None:
            paginator: Paginator[Hit] = Paginator(chosen.results, PAGE_SIZE)  # type: ignore[arg-type]
            context["page"] = paginator.get_page(request.GET.get("page"))
            context["querystring"] = _query(terms, kind=chosen.kind.code)
    return render(request, "search/results.html", context)


@never_cache
@login_required
@require_safe
def search_suggest(request: ScopedRequest) -> HttpResponse:
    """The menu box's live suggestions (htmx, GET ``q``): the first hits of every kind
    and a link to all results; nothing for fewer than two characters."""
    terms = _terms(request)
    groups: list[Group] = []
    if len(terms.text) >= 2 and not terms.is_empty:
        groups = [g for g in _groups(request, terms, SUGGEST_SIZE) if g.count]
    return render(
        request,
        "search/_suggestions.html",
        {"terms": terms, "groups": groups, "all_url": reverse("search") + "?" + _query(terms)},
    )
