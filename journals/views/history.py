"""The history import page (admins and supervisors): upload a file of visits, follow-ups
and stage changes from another CRM, see where each row will be attached and why a row is
refused, then import (``journals.history_import``). Anyone else gets 404."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..history_import import (
    HistoryFileRefused,
    HistoryPlan,
    history_check_can_import,
    history_import,
    history_plan,
)
from ..history_import.messages import (
    ACTION_LABELS,
    KIND_LABELS,
    plan_counts,
    plan_summary,
    problem_text,
)
from ._common import _scope

_SALT = "journals.history_import"
_MAX_AGE = 24 * 3600  # seconds a previewed file may wait for its import
_FOLDER = "history-imports"


class HistoryUploadForm(forms.Form):
    """The file of history rows (.xlsx, .xls or CSV, at most settings.IMPORT_MAX_BYTES)."""

    file = forms.FileField(
        label=gettext_lazy("History file"),
        help_text=gettext_lazy(
            "One row per visit, follow-up or stage change: customer code or name, date, rep, "
            "purpose, outcome, contact type (in person, phone, WeChat or e-mail; in person when "
            "empty), notes, next step and date, or the new stage."
        ),
    )

    def clean_file(self) -> object:
        """Refuse a file over the size limit with its size and the limit."""
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
                % {
                    "size": upload.size / (1024 * 1024),
                    "limit": settings.IMPORT_MAX_BYTES / (1024 * 1024),
                }
            )
        return upload


def _allowed(request: HttpRequest) -> None:
    try:
        history_check_can_import(_scope(request))
    except PermissionDenied as exc:
        raise Http404 from exc


def _rows(plan: HistoryPlan) -> list[dict[str, object]]:
    return [
        {
            "number": p.row.row_number,
            "kind": KIND_LABELS.get(p.row.kind, p.row.kind),
            "at": p.at,
            "customer": p.customer,
            "given": p.row.customer_code or p.row.credit_code or p.row.customer,
            "rep": p.rep,
            "team": p.team,
            "action": p.action,
            "action_label": ACTION_LABELS[p.action],
            "problems": [problem_text(problem) for problem in p.problems],
        }
        for p in plan.rows
    ]


@login_required
def history_import_page(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: read the file and show the plan of every row, with a
    signed token that lets the same user import that file within a day."""
    _allowed(request)
    form = HistoryUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            plan = history_plan(by=request.user, data=data)  # type: ignore[arg-type]
        except HistoryFileRefused as exc:
            form.add_error("file", str(exc))
        else:
            name = default_storage.save(f"{_FOLDER}/{uuid.uuid4().hex}", ContentFile(data))
            context.update(
                plan=plan,
                rows=_rows(plan),
                counts=plan_counts(plan),
                summary=plan_summary(plan, done=False),
                unknown=plan.sheet.unknown_columns,
                token=signing.dumps({"file": name, "user": request.user.pk}, salt=_SALT),
            )
    return render(request, "journals/history_import.html", context)


@login_required
@require_POST
def history_import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the previewed file (its token): plans it again (the scope may have changed)
    and writes the rows to attach. A missing, forged, expired or someone else's token
    answers 400."""
    _allowed(request)
    try:
        token = signing.loads(request.POST.get("token", ""), salt=_SALT, max_age=_MAX_AGE)
    except signing.BadSignature:
        return HttpResponseBadRequest(_("This preview expired; upload the file again."))
    name = str(token.get("file", ""))
    if token.get("user") != request.user.pk or not name.startswith(f"{_FOLDER}/"):
        return HttpResponseBadRequest(_("This preview expired; upload the file again."))
    if not default_storage.exists(name):
        return HttpResponseBadRequest(_("This preview expired; upload the file again."))
    with default_storage.open(name, "rb") as fh:
        data = fh.read()
    try:
        plan = history_import(by=request.user, data=data)
    except HistoryFileRefused as exc:
        return HttpResponseBadRequest(str(exc))
    default_storage.delete(name)
    return render(
        request,
        "journals/history_import.html",
        {
            "form": HistoryUploadForm(),
            "done": True,
            "plan": plan,
            "rows": _rows(plan),
            "counts": plan_counts(plan),
            "summary": plan_summary(plan, done=True),
        },
    )
