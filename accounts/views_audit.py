"""The audit log page for admins (docs/architecture.md, Security, "Audit log")."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from .audit import audit_entries
from .audit_display import audit_rows, audited_models
from .http import EARLIEST_DAY, LATEST_DAY, date_param, id_param, text_param
from .middleware import ScopedRequest
from .models import User

PAGE_SIZE = 50


def _day_start(day: dt.date) -> dt.datetime:
    """The first moment of a local ``day`` as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
def audit_log(request: ScopedRequest) -> HttpResponse:
    """The audit log for admins (404 for everyone else): who changed what, with the old and
    new values as people read them (``accounts.audit_display``), newest first, 50 a page.

    Filters (GET): ``model`` (``customers.customer``, or a bare model name), ``object`` (an
    id), ``actor`` (a user id, or a user name), ``date_from`` / ``date_to`` (local days
    YYYY-MM-DD, both inclusive; a bad date is ignored with a warning naming it). Queries: a
    fixed number per page, whatever its length (pinned by
    ``accounts/tests/test_audit.py::test_audit_page_query_count_does_not_grow_with_entries``).
    """
    scope = request.scope
    if not scope.is_admin:
        raise Http404
    entries = audit_entries(scope)
    model = text_param(request.GET.get("model"), max_length=100).lower()
    if "." in model:
        app_label, _dot, name = model.partition(".")
        entries = entries.filter(content_type__app_label=app_label, content_type__model=name)
    elif model:
        entries = entries.filter(content_type__model=model)
    object_raw = text_param(request.GET.get("object"), max_length=30)
    if (object_id := id_param(object_raw)) is not None:
        entries = entries.filter(object_id=object_id)
    actor_raw = text_param(request.GET.get("actor"), max_length=150)
    if (actor_id := id_param(actor_raw)) is not None:
        entries = entries.filter(actor_id=actor_id)
    elif actor_raw:
        entries = entries.filter(actor__username=actor_raw)
    day_from_raw = text_param(request.GET.get("date_from"), max_length=40)
    day_to_raw = text_param(request.GET.get("date_to"), max_length=40)
    if day_from_raw:
        day_from = date_param(request, day_from_raw, EARLIEST_DAY)
        entries = entries.filter(timestamp__gte=_day_start(day_from))
    if day_to_raw:
        day_to = date_param(request, day_to_raw, LATEST_DAY)
        entries = entries.filter(timestamp__lt=_day_start(day_to + dt.timedelta(days=1)))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {
        "model": model,
        "object": object_raw,
        "actor": actor_raw,
        "date_from": day_from_raw,
        "date_to": day_to_raw,
    }
    actors = User.objects.filter(pk__in=audit_entries(scope).values("actor_id")).order_by(
        "username"
    )
    context = {
        "page": page,
        "rows": audit_rows(page.object_list, scope),
        "filters": filters,
        "querystring": urlencode({k: v for k, v in filters.items() if v}),
        "models": audited_models(),
        "actors": [(str(u.pk), str(u)) for u in actors],
    }
    return render(request, "accounts/audit_log.html", context)
