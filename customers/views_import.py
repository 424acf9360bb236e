"""Import pages (docs/domain section 10: the admin starts at Imports): upload, preview with
an editable column mapping, confirm, live progress, result with the rejected rows and
their workbook, and closing a billing month.

Admins (staff users) only; everyone else gets 404, so the pages' existence does not
leak (docs/architecture.md, Access control).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import add_service_errors
from accounts.scoping import get_visible_or_404

from .forms_import import BillingMonthForm, ImportMappingForm, ImportUploadForm
from .import_messages import translate_reason
from .import_service import (
    FIELD_LABELS,
    billing_month_close,
    import_error_workbook,
    import_job_confirm,
    import_job_create,
    import_job_is_stale,
    import_job_retry,
    import_job_set_mapping,
    import_preview,
)
from .importing import FileRefused
from .models import BillingMonth, ImportJob, ImportJobQuerySet

JOBS_PER_PAGE = 20
ERRORS_PER_PAGE = 50
R = TypeVar("R", bound=HttpResponseBase)


def admin_only(view: Callable[..., R]) -> Callable[..., R]:
    """Log-in required; anyone who may not start an import (``ImportJobQuerySet.can_create``,
    admins alone) gets 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
        if not ImportJobQuerySet.can_create(request.scope):  # type: ignore[attr-defined]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _job(request: HttpRequest, pk: int) -> ImportJob:
    """The import job ``pk`` through its model's scoping rule (admins only; 404 otherwise)."""
    jobs = ImportJob.objects.select_related("team", "owner", "created_by")
    return get_visible_or_404(jobs, request.scope, pk=pk)  # type: ignore[attr-defined]


def _list_context(
    request: HttpRequest, form: ImportUploadForm, month_form: BillingMonthForm | None = None
) -> dict[str, Any]:
    jobs = (
        ImportJob.objects.visible_to(request.scope)  # type: ignore[attr-defined]
        .select_related("team", "owner", "created_by")
        .defer("errors", "mapping")
    )
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "form": form,
        "page": page,
        "month_form": month_form or BillingMonthForm(),
        "billing_months": list(BillingMonth.objects.select_related("closed_by")[:12]),
    }


@admin_only
def import_list(request: HttpRequest) -> HttpResponse:
    """Recent import jobs, the upload form and the closed billing months."""
    return render(request, "customers/import_list.html", _list_context(request, ImportUploadForm()))


@admin_only
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    """Upload a file; on success go to its preview. Refused files show the reason on
    the form (never a server error)."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                by=request.user,  # type: ignore[arg-type]
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                options=form.options(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("customers:import_preview", pk=job.pk)
    return render(request, "customers/import_new.html", {"form": form})


@admin_only
@require_http_methods(["GET", "POST"])
def import_preview_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The first rows as they will be stored, with the column mapping as selects. POST
    saves a changed mapping, date order or sheet and shows the preview again."""
    job = _job(request, pk)
    if job.status != ImportJob.Status.PREVIEW:
        return redirect("customers:import_detail", pk=job.pk)
    try:
        preview = import_preview(job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:import_list")
    form = ImportMappingForm(
        request.POST or None,
        job=job,
        columns=preview.columns,
        sheet_names=preview.sheet_names,
        detected_header=preview.header_row if job.header_row is None else None,
    )
    if request.method == "POST" and form.is_valid():
        sheet = form.cleaned_data.get("sheet") or None
        try:
            import_job_set_mapping(
                job=job,
                mapping=form.mapping(),
                date_order=form.cleaned_data.get("date_order") or "",
                sheet=sheet if sheet and sheet != job.sheet else None,
                header_row=form.chosen_header_row(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.info(request, _("The preview shows the new column mapping."))
            return redirect("customers:import_preview", pk=job.pk)
    mapped = {c.field for c in preview.columns if c.field}
    return render(
        request,
        "customers/import_preview.html",
        {
            "job": job,
            "preview": preview,
            "form": form,
            "head": form.column_fields(),
            "mapped_labels": [str(FIELD_LABELS[f]) for f in FIELD_LABELS if f in mapped],
        },
    )


@admin_only
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the job (preview -> pending); the import runs as a Celery task."""
    job = _job(request, pk)
    try:
        confirmed = import_job_confirm(job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:import_preview", pk=job.pk)
    if confirmed:
        job.refresh_from_db(fields=["status"])
        # Without a broker the task runs in this request, so the job may be finished already.
        if job.is_finished:
            messages.success(request, _("The import finished."))
        else:
            messages.success(request, _("The import was started."))
    return redirect("customers:import_detail", pk=job.pk)


@admin_only
@require_POST
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed (or stale) job again; it continues after the rows already saved."""
    job = _job(request, pk)
    if import_job_retry(job=job):
        messages.success(request, _("The import was started again."))
    else:
        messages.error(request, _("This import cannot be retried now."))
    return redirect("customers:import_detail", pk=job.pk)


@admin_only
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress (polled by htmx every second until finished), then counts and the
    rejected rows, paged."""
    # The errors (up to one entry per row) are loaded only once the job is finished,
    # not at every poll of a running job.
    job = get_visible_or_404(
        ImportJob.objects.select_related("team", "owner", "created_by").defer("errors", "mapping"),
        request.scope,  # type: ignore[attr-defined]
        pk=pk,
    )
    errors = (job.errors or []) if job.is_finished else []
    page = Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "row": e.get("row"),
            "column": e.get("column") or "",
            "field": str(FIELD_LABELS.get(e.get("field") or "", "")),
            "reason": translate_reason(e),
        }
        for e in page.object_list
    ]
    context = {
        "job": job,
        "page": page,
        "error_rows": rows,
        "stale": import_job_is_stale(job),
        "duration": (
            round((job.finished_at - job.started_at).total_seconds(), 1)
            if job.started_at and job.finished_at
            else None
        ),
        "can_retry": job.status == ImportJob.Status.FAILED or import_job_is_stale(job),
    }
    template = "customers/import_detail.html"
    if getattr(request, "htmx", False) and not request.htmx.history_restore_request:  # type: ignore[attr-defined]
        template = "customers/_import_panel.html"
    return render(request, template, context)


@admin_only
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    """Download the workbook of rejected rows (404 when there is none), in the reader's
    language: the stored one when it was written in it, else one made now."""
    job = _job(request, pk)
    if not job.error_file:
        raise Http404
    handle: Any
    try:
        if job.language and job.language != get_language():
            handle = io.BytesIO(import_error_workbook(job=job))
        else:
            handle = job.error_file.open("rb")
    except (FileNotFoundError, ValidationError, FileRefused) as exc:
        raise Http404 from exc
    stem = job.original_name.rsplit(".", 1)[0] or "import"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_("%(name)s-rejected-rows.xlsx") % {"name": stem},
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@admin_only
@require_POST
def billing_month_close_view(request: HttpRequest) -> HttpResponse:
    """Close a past billing month by hand (its revenue counts as in)."""
    form = BillingMonthForm(request.POST)
    if form.is_valid():
        try:
            closed = billing_month_close(month=form.cleaned_data["month"], by=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Billing for %(month)s is closed.") % {"month": f"{closed.month:%Y-%m}"}
            )
            return redirect("customers:import_list")
    context = _list_context(request, ImportUploadForm(), month_form=form)
    return render(request, "customers/import_list.html", context, status=200)
