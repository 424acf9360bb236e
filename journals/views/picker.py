"""The journal's customer picker: search the viewer's own customers and quick-create a lead."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import local_today, team_of
from customers.services import customer_create as customers_customer_create
from domain.visits import NON_OWNER_RELATIONS

from .. import selectors
from ._common import _scope


@login_required
@require_GET
def customer_search(request: HttpRequest) -> HttpResponse:
    """Picker results: the viewer's own customers by name or pinyin initials; with
    ``relation`` accompanied or covering, the other customers the viewer may visit."""
    q = (request.GET.get("q") or "").strip()[:100]
    if request.GET.get("relation") in NON_OWNER_RELATIONS:
        others = selectors.visitable_customers(rep=request.user, day=local_today())  # type: ignore[arg-type]
        rows = list(
            others.exclude(owner_id=request.user.pk)
            .filter(name__icontains=q)
            .select_related("owner")
            .order_by("name")[:10]
        )
        return render(
            request,
            "journals/_picker_results.html",
            {"customers": rows, "q": q, "others": True},
        )
    rows = selectors.picker_customers(
        scope=_scope(request),
        rep=request.user,  # type: ignore[arg-type]
        q=q,
    )
    return render(
        request,
        "journals/_picker_results.html",
        {"customers": rows, "q": q, "can_create": bool(q)},
    )


@login_required
@require_POST
def customer_create(request: HttpRequest) -> HttpResponse:
    """Create a new lead owned by the viewer, inline from the picker; it is picked."""
    name = (request.POST.get("name") or "").strip()[:200]
    if not name:
        return render(
            request,
            "journals/_picker_results.html",
            {"customers": [], "q": "", "error": _("Type the customer's name first.")},
        )
    if team_of(request.user, local_today()) is None:  # type: ignore[arg-type]
        raise PermissionDenied(_("Only members of a team create leads."))
    try:
        customer = customers_customer_create(
            by=request.user,  # type: ignore[arg-type]
            name=name,
            owner=request.user,  # type: ignore[arg-type]
            scope=_scope(request),
        )
    except ValidationError as exc:
        return render(
            request,
            "journals/_picker_results.html",
            {"customers": [], "q": name, "error": " ".join(exc.messages)},
        )
    return render(
        request,
        "journals/_picker_results.html",
        {"customers": [customer], "q": name, "created": customer},
    )


# --- reading: detail, list, calendar, export ----------------------------------------------
