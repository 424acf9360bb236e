"""Customer file pages: list, detail with timeline, create/edit, stage change,
reassignment, public pool, export.

Every customer is read through :func:`customers.selectors.customer_queryset`: hidden
customers answer 404; visible ones the viewer may not change answer 403 on write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import add_service_errors
from accounts.http import id_param, safe_next
from accounts.models import OrgSettings, User
from accounts.scoping import Scope, get_visible_or_404

from . import exporting, selectors, services, timeline
from .forms import (
    ContactForm,
    ContractForm,
    CustomerForm,
    EvaluationForm,
    NoteForm,
    ProductForm,
    ReassignForm,
    StageForm,
)
from .models import FUNNEL, Customer, ProductUsage, Stage

#: Column sorts of the list: column -> (first click, second click).
SORT_COLUMNS = {
    "name": ("name", "-name"),
    "stage": ("stage", "-stage"),
    "days": ("-days", "days"),
    "activity": ("activity", "-activity"),
    "created": ("-created", "created"),
}


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    """The signed-in user: every view here is login_required."""
    return cast(User, request.user)


def _querystring(request: HttpRequest, drop: tuple[str, ...] = ("page",), **changes: str) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


# ---------------------------------------------------------------------------
# List and export
# ---------------------------------------------------------------------------


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    """Search, filter, sort and page the visible customers, with counts per stage. An htmx
    request (the filter form, pills, sort and page links) gets only the ``_table.html``
    partial; without JavaScript the same URL renders the whole page."""
    scope = _scope(request)
    settings_by_stage = services.stage_settings()
    filterset = selectors.CustomerFilter(
        request.GET, scope=scope, settings_by_stage=settings_by_stage
    )
    counts = selectors.stage_counts(filterset.queryset_without("stage"))
    page = Paginator(selectors.sorted_customers(filterset), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    current_stage = request.GET.get("stage", "")
    pills = [
        {
            "stage": "",
            "label": _("All"),
            "count": sum(counts.values()),
            "url": "?" + _querystring(request, drop=("page", "stage")),
            "active": current_stage not in Stage.values,
        }
    ] + [
        {
            "stage": stage.value,
            "label": stage.label,
            "count": counts[stage.value],
            "url": "?" + _querystring(request, stage=stage.value),
            "active": current_stage == stage.value,
        }
        for stage in Stage
    ]
    current_sort = filterset.sort_key
    sort_links = {}
    for column, (first, second) in SORT_COLUMNS.items():
        target = second if current_sort == first else first
        arrow = ""
        if current_sort in (first, second):
            arrow = "down" if current_sort.startswith("-") else "up"
        sort_links[column] = {"url": "?" + _querystring(request, sort=target), "arrow": arrow}
    is_htmx = bool(request.htmx) and not request.htmx.history_restore_request  # type: ignore[attr-defined]
    if is_htmx:
        for name in ("stage", "sort"):
            filterset.form.fields[name].widget.attrs["hx-swap-oob"] = "true"
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page": page,
        "rows": selectors.customer_rows(page.object_list, settings_by_stage, now),
        "pills": pills,
        "sort_links": sort_links,
        "querystring": _querystring(request),
        "export_query": _querystring(request),
        "is_lead": scope.is_admin or scope.is_supervisor or scope.is_manager,
        "can_create": _can(services.customer_check_can_create, scope=scope),
        "oob": is_htmx,
    }
    template = "customers/_table.html" if is_htmx else "customers/customer_list.html"
    return render(request, template, context)


def _can(check: Callable[..., None], **kwargs: Any) -> bool:
    try:
        check(**kwargs)
    except PermissionDenied:
        return False
    return True


@login_required
@require_GET
def customer_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The list's visible, filtered customers as ``?format=xlsx`` (default) or ``csv``."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in {"xlsx", "csv"}:
        return HttpResponseBadRequest(_("Unknown export format."))
    filterset = selectors.CustomerFilter(request.GET, scope=_scope(request))
    customers = selectors.sorted_customers(filterset).iterator(chunk_size=2000)
    columns = exporting.COLUMNS
    headers = [str(c.header) for c in columns]
    kinds = [c.kind for c in columns]
    rows = (exporting.customer_values(c, columns) for c in customers)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            (chunk.encode("utf-8") for chunk in exporting.csv_chunks(headers, kinds, rows)),
            content_type="text/csv; charset=utf-8",
        )
    else:
        response = HttpResponse(
            exporting.xlsx_bytes(headers, kinds, rows, sheet=_("Customers")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.{fmt}"'
    return response


@login_required
@require_GET
def customer_search(request: HttpRequest) -> JsonResponse:
    """JSON for customer pickers: ``?q=sztf[&own=1]`` ->
    ``{"results": [{"id", "name", "short_name", "stage", "stage_label", "owner"}]}``."""
    rows = selectors.customer_search(
        scope=_scope(request),
        q=request.GET.get("q", "")[:100],
        own_only=request.GET.get("own") == "1",
    )
    return JsonResponse(
        {
            "results": [
                {
                    "id": c.pk,
                    "name": c.name,
                    "short_name": c.short_name,
                    "stage": c.stage,
                    "stage_label": str(c.get_stage_display()),
                    "owner": str(c.owner) if c.owner_id else "",
                }
                for c in rows
            ]
        }
    )


# ---------------------------------------------------------------------------
# Detail and its actions
# ---------------------------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> Customer:
    scope = _scope(request)
    return get_visible_or_404(
        selectors.customer_queryset(scope).select_related("owner", "team"), scope, pk=pk
    )


def _detail_context(
    request: HttpRequest,
    customer: Customer,
    *,
    bound: dict[str, forms.BaseForm] | None = None,
    open_panel: str = "",
) -> dict[str, Any]:
    scope = _scope(request)
    now = timezone.now()
    settings_by_stage = services.stage_settings()
    setting = settings_by_stage.get(customer.stage)
    can_edit = _can(services.customer_check_can_edit, customer=customer, scope=scope)
    can_manage = _can(services.customer_check_can_reassign, customer=customer, scope=scope)
    can_release = (
        can_manage
        and customer.owner_id is not None
        and selectors.pool_release_candidates(scope, now).filter(pk=customer.pk).exists()
    )
    reached = selectors.stages_reached(customer.stage_changes.all(), customer.created_at)
    funnel = [
        {
            "stage": stage.value,
            "label": stage.label,
            "at": reached.get(stage.value),
            "current": customer.stage == stage.value,
        }
        for stage in FUNNEL
    ]
    products = list(customer.products.all())
    bound = bound or {}
    context: dict[str, Any] = {
        "customer": customer,
        "days_in_stage": customer.days_in_stage(now),
        "stall_days": setting.stall_days if setting else None,
        "stalled": selectors.is_stalled(customer, settings_by_stage, now),
        "funnel": funnel,
        "lost_at": reached.get(Stage.LOST),
        "timeline": timeline.customer_timeline(customer),
        "can_follow_up": customer.stage != Stage.LOST  # docs/domain 3: calls, WeChat, e-mail
        and customer.team_id in (scope.rep_team_ids | scope.supervised_team_ids),
        "contacts": list(customer.contacts.all()),
        "products_in_use": [p for p in products if p.status == ProductUsage.Status.IN_USE],
        "products_needed": [p for p in products if p.status == ProductUsage.Status.NEEDED],
        "contracts": list(customer.contracts.all()),
        "evaluations": list(customer.evaluations.all()),
        "can_edit": can_edit,
        "can_manage": can_manage,
        "can_release": can_release,
        "can_claim": customer.owner_id is None
        and customer.team_id is not None
        and customer.team_id in scope.rep_team_ids,
        "open_panel": open_panel,
    }
    if can_edit:
        context.update(
            stage_form=bound.get("stage")
            or StageForm(customer=customer, settings_by_stage=settings_by_stage),
            contact_form=bound.get("contact") or ContactForm(prefix="contact"),
            product_form=bound.get("product") or ProductForm(prefix="product"),
            note_form=bound.get("note") or NoteForm(prefix="note"),
            contract_form=bound.get("contract")
            or ContractForm(prefix="contract", initial={"signed_on": timezone.localdate()}),
            evaluation_form=bound.get("evaluation")
            or EvaluationForm(prefix="evaluation", initial={"evaluated_on": timezone.localdate()}),
        )
    if can_manage or "reassign" in bound:
        context["reassign_form"] = bound.get("reassign") or ReassignForm(
            prefix="reassign",
            candidates=services.reassign_candidates(customer=customer, day=scope.day),
        )
    return context


def _render_detail(
    request: HttpRequest, pk: int, *, bound: dict[str, forms.BaseForm], open_panel: str
) -> HttpResponse:
    customer = selectors.customer_detail(scope=_scope(request), pk=pk)
    context = _detail_context(request, customer, bound=bound, open_panel=open_panel)
    return render(request, "customers/customer_detail.html", context)


@login_required
@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer file: data, contacts, products, stage with time in it, timeline."""
    customer = selectors.customer_detail(scope=_scope(request), pk=pk)
    return render(request, "customers/customer_detail.html", _detail_context(request, customer))


@login_required
def customer_create(request: HttpRequest) -> HttpResponse:
    """New customer: a rep's own, or for a supervisor/admin any rep of their teams."""
    scope = _scope(request)
    services.customer_check_can_create(scope=scope)
    form = CustomerForm(request.POST or None, scope=scope, user=_user(request), creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
        try:
            customer = services.customer_create(
                by=_user(request),
                name=fields.pop("name"),
                owner=data.get("owner"),
                team=data.get("team"),
                stage=data.get("stage") or Stage.LEAD,
                check_required=True,
                scope=scope,
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "creating": True})


@login_required
def customer_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the company data. Owner or the team's supervisor; others 403, hidden 404."""
    scope = _scope(request)
    customer = _visible(request, pk)
    services.customer_check_can_edit(customer=customer, scope=scope)
    form = CustomerForm(
        request.POST or None, instance=customer, scope=scope, user=_user(request), creating=False
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        try:
            services.customer_update(customer=customer, by=_user(request), scope=scope, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Customer file saved."))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "creating": False, "customer": customer},
    )


@login_required
@require_POST
def customer_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the stage with a reason; fields the stage requires may be filled in with it."""
    scope = _scope(request)
    customer = _visible(request, pk)
    services.customer_check_can_edit(customer=customer, scope=scope)
    form = StageForm(request.POST, customer=customer, settings_by_stage=services.stage_settings())
    if form.is_valid():
        to_stage = form.cleaned_data["to_stage"]
        try:
            services.customer_move(
                customer=customer,
                to_stage=to_stage,
                by=_user(request),
                reason=form.cleaned_data["reason"],
                fields=form.extra_values,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Stage changed to %(stage)s.") % {"stage": Stage(to_stage).label}
            )
            return redirect("customers:customer_detail", pk=pk)
    return _render_detail(request, pk, bound={"stage": form}, open_panel="stage")


@login_required
@require_POST
def customer_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor gives the customer to another rep of the team, with a reason."""
    scope = _scope(request)
    customer = _visible(request, pk)
    services.customer_check_can_reassign(customer=customer, scope=scope)
    form = ReassignForm(
        request.POST,
        prefix="reassign",
        candidates=services.reassign_candidates(customer=customer, day=scope.day),
    )
    if form.is_valid():
        try:
            services.customer_reassign(
                customer=customer,
                owner=form.cleaned_data["owner"],
                by=_user(request),
                scope=scope,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Customer reassigned to %(owner)s.") % {"owner": form.cleaned_data["owner"]},
            )
            return redirect("customers:customer_detail", pk=pk)
    return _render_detail(request, pk, bound={"reassign": form}, open_panel="reassign")


@login_required
@require_POST
def customer_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """A rep of the customer's team takes it from the public pool."""
    scope = _scope(request)
    customer = _visible(request, pk)
    try:
        services.customer_claim(customer=customer, user=_user(request), scope=scope)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(safe_next(request, reverse("customers:pool")))
    messages.success(request, _("You now own %(name)s.") % {"name": customer.name})
    return redirect("customers:customer_detail", pk=pk)


@login_required
@require_POST
def customer_release(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor releases one customer without follow-up to the public pool."""
    scope = _scope(request)
    customer = _visible(request, pk)
    try:
        services.customer_release(
            customer=customer, by=_user(request), scope=scope, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s was released to the public pool.") % {"name": customer.name}
        )
    return redirect(safe_next(request, reverse("customers:customer_detail", args=[pk])))


def _record_view(
    form_class: type[forms.ModelForm],
    service: Callable[..., Any],
    panel: str,
    success: Promise,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A POST view that adds one small record (contact, product, note, ...) to a customer."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        scope = _scope(request)
        customer = _visible(request, pk)
        services.customer_check_can_edit(customer=customer, scope=scope)
        form = form_class(request.POST, prefix=panel)
        if form.is_valid():
            try:
                service(customer=customer, by=_user(request), **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, str(success))
                return redirect(reverse("customers:customer_detail", args=[pk]) + f"#{panel}s")
        return _render_detail(request, pk, bound={panel: form}, open_panel=panel)

    view.__name__ = f"{panel}_create"
    return view


contact_create = _record_view(
    ContactForm, services.contact_create, "contact", gettext_lazy("Contact added.")
)
product_create = _record_view(
    ProductForm, services.product_usage_create, "product", gettext_lazy("Product added.")
)
note_create = _record_view(
    NoteForm,
    services.customer_note_create,
    "note",
    gettext_lazy("Entry added to the timeline."),
)
contract_create = _record_view(
    ContractForm, services.contract_create, "contract", gettext_lazy("Contract recorded.")
)
evaluation_create = _record_view(
    EvaluationForm,
    services.evaluation_create,
    "evaluation",
    gettext_lazy("Service evaluation recorded."),
)


# ---------------------------------------------------------------------------
# Public pool
# ---------------------------------------------------------------------------


@login_required
@require_GET
def pool(request: HttpRequest) -> HttpResponse:
    """The public pool (公海): visible customers without owner, searchable and paged;
    for supervisors and admins also the owned customers they may release."""
    scope = _scope(request)
    now = timezone.now()
    q = request.GET.get("q", "").strip()[:100]
    rows = selectors.pool_queryset(scope).select_related("team")
    if q:
        rows = rows.filter(selectors.search_q(q))
    rows = rows.order_by("-pool_since", "name", "id")
    page = Paginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    settings_by_stage = services.stage_settings()
    pool_rows = [
        {
            "row": row,
            "days_in_pool": (now - row.customer.pool_since).days
            if row.customer.pool_since
            else None,
            "can_claim": row.customer.team_id in scope.rep_team_ids,
        }
        for row in selectors.customer_rows(page.object_list, settings_by_stage, now)
    ]
    can_release = scope.is_admin or scope.is_supervisor
    candidates: list[Any] = []
    candidate_count = 0
    release_days = OrgSettings.load().pool_release_days
    if can_release:
        queryset = (
            selectors.pool_release_candidates(scope, now)
            .select_related("owner", "team")
            .order_by("last_activity_at", "created_at", "id")
        )
        candidate_count = queryset.count()
        candidates = selectors.customer_rows(queryset[:50], settings_by_stage, now)
    return render(
        request,
        "customers/pool.html",
        {
            "page": page,
            "rows": pool_rows,
            "q": q,
            "querystring": _querystring(request),
            "can_release": can_release,
            "candidates": candidates,
            "candidate_count": candidate_count,
            "release_days": release_days,
        },
    )


@login_required
@require_POST
def pool_release(request: HttpRequest) -> HttpResponse:
    """Release the chosen customers (``ids``), or with ``all`` every candidate, to the pool."""
    scope = _scope(request)
    if not (scope.is_admin or scope.is_supervisor):
        raise PermissionDenied(_("Only supervisors and admins release customers."))
    ids = None
    if not request.POST.get("all"):
        ids = [i for i in map(id_param, request.POST.getlist("ids")) if i is not None]
        if not ids:
            messages.warning(request, _("Choose the customers to release."))
            return redirect("customers:pool")
    count = services.customers_release_stalled(scope=scope, by=_user(request), ids=ids)
    messages.success(
        request,
        ngettext(
            "%(count)s customer released to the public pool.",
            "%(count)s customers released to the public pool.",
            count,
        )
        % {"count": count},
    )
    return redirect("customers:pool")
