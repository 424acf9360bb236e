"""Bulk pages of a supervisor (docs/domain, section 1): hand a leaver's customers over in
one step; reassign, release to the public pool or correct the stage of many customers at
once, each with a reason kept in every customer's history. Thin views over
``customers.bulk``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import id_param, text_param
from accounts.models import User
from accounts.scoping import Scope

from . import bulk
from .models import Stage

#: Rows the selection list shows at most.
LIST_MAX = 300


def _scope(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not (scope.is_admin or scope.supervised_team_ids):
        raise PermissionDenied(_("Only a team's supervisor may change customers in bulk."))
    return scope


def _user_or_404(raw: object, choices: list[User]) -> User | None:
    wanted = id_param(raw)
    if wanted is None:
        return None
    for user in choices:
        if user.pk == wanted:
            return user
    raise Http404


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_http_methods(["GET", "POST"])
def customer_bulk(request: HttpRequest) -> HttpResponse:
    """GET: the customers of the viewer's teams (``?owner=``, ``?stage=`` narrow the list)
    with check boxes and the bulk actions. POST (``action`` reassign / release / stage,
    ``ids``, ``owner``, ``to_stage``, ``reason``): apply to the chosen customers."""
    scope = _scope(request)
    targets = bulk.bulk_targets(scope, scope.day)
    sources = bulk.handover_sources(scope)
    if request.method == "POST":
        return _apply(request, scope, targets)
    owner = _user_or_404(request.GET.get("owner"), sources)
    stage = request.GET.get("stage") or ""
    rows = bulk.bulk_queryset(scope).select_related("owner", "team").order_by("name", "pk")
    if owner is not None:
        rows = rows.filter(owner=owner)
    if stage in Stage.values:
        rows = rows.filter(stage=stage)
    customers = list(rows[: LIST_MAX + 1])
    return render(
        request,
        "customers/bulk.html",
        {
            "customers": customers[:LIST_MAX],
            "more": len(customers) > LIST_MAX,
            "owner": owner,
            "stage": stage,
            "sources": sources,
            "targets": targets,
            "stages": list(Stage),
            "query": request.GET.urlencode(),
        },
    )


def _apply(request: HttpRequest, scope: Scope, targets: list[User]) -> HttpResponse:
    action = request.POST.get("action") or ""
    ids = [i for i in map(id_param, request.POST.getlist("ids")) if i is not None]
    reason = text_param(request.POST.get("reason"), max_length=200)
    back = reverse("customers:customer_bulk") + "?" + (request.POST.get("query") or "")[:500]
    by: User = request.user  # type: ignore[assignment]
    try:
        if action == "reassign":
            owner = _user_or_404(request.POST.get("owner"), targets)
            if owner is None:
                raise ValidationError({"owner": _("Choose the rep who takes the customers.")})
            n = bulk.customers_reassign_many(
                scope=scope, ids=ids, owner=owner, by=by, reason=reason
            )
            text = ngettext(
                "%(n)d customer moved to %(name)s.", "%(n)d customers moved to %(name)s.", n
            ) % {"n": n, "name": owner}
        elif action == "release":
            n = bulk.customers_release_many(scope=scope, ids=ids, by=by, reason=reason)
            text = ngettext(
                "%(n)d customer released to the public pool.",
                "%(n)d customers released to the public pool.",
                n,
            ) % {"n": n}
        elif action == "stage":
            to_stage = request.POST.get("to_stage") or ""
            n = bulk.customers_correct_stage(
                scope=scope, ids=ids, to_stage=to_stage, by=by, reason=reason
            )
            text = ngettext(
                "Stage corrected for %(n)d customer.", "Stage corrected for %(n)d customers.", n
            ) % {"n": n}
        else:
            raise ValidationError({"action": _("Choose what to do with the customers.")})
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(back)
    messages.success(request, text)
    return redirect(back)


@login_required
@require_POST
def customer_handover(request: HttpRequest) -> HttpResponse:
    """A leaver's customers to a colleague in one step (``leaver``, ``owner``, ``reason``)."""
    scope = _scope(request)
    leaver = _user_or_404(request.POST.get("leaver"), bulk.handover_sources(scope))
    owner = _user_or_404(request.POST.get("owner"), bulk.bulk_targets(scope, scope.day))
    back = reverse("customers:customer_bulk")
    if leaver is None or owner is None:
        messages.error(request, _("Choose the leaver and the colleague who takes over."))
        return redirect(back)
    try:
        n = bulk.customers_handover(
            scope=scope,
            leaver=leaver,
            owner=owner,
            by=request.user,  # type: ignore[arg-type]
            reason=text_param(request.POST.get("reason"), max_length=200),
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(back)
    messages.success(
        request,
        ngettext(
            "%(n)d customer of %(leaver)s handed over to %(name)s.",
            "%(n)d customers of %(leaver)s handed over to %(name)s.",
            n,
        )
        % {"n": n, "leaver": leaver, "name": owner},
    )
    return redirect(back + "?" + urlencode({"owner": str(owner.pk)}))
