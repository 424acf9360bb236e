"""``/api/v1/import-jobs/``: customer and revenue imports for admins (others get 404, as
on the import pages): upload (the page's form and ``import_job_create``), confirm,
retry, status and the workbook of rejected rows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.common import (
    READ_ERRORS,
    ApiModelSerializer,
    errors,
    id_field,
)
from accounts.api.scoped import ScopedReadOnlyViewSet
from accounts.scoping import Scope

from ..forms_import import ImportUploadForm
from ..import_messages import translate_reason
from ..import_service import import_job_confirm, import_job_create, import_job_retry
from ..models import ImportJob, ImportJobQuerySet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportJobSerializer(ApiModelSerializer):
    """An import job: its status (preview, pending, running, done, failed), progress and
    counts; ``errors`` lists the rejected rows once it is finished."""

    errors = serializers.SerializerMethodField()  # type: ignore[assignment]
    has_error_workbook = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "original_name",
            "sheet",
            "on_duplicate",
            "date_order",
            "team",
            "owner",
            "to_pool",
            "total_rows",
            "processed_rows",
            "created_count",
            "updated_count",
            "duplicate_count",
            "rejected_count",
            "message",
            "errors",
            "has_error_workbook",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_errors(self, job: ImportJob) -> list[dict[str, str]]:
        """Rejected rows ({row, column, field, reason}) in the request's language."""
        if job.status not in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            return []
        return [
            {
                "row": str(e.get("row", "")),
                "column": str(e.get("column") or ""),
                "field": str(e.get("field") or ""),
                "reason": translate_reason(e),
            }
            for e in (job.errors or [])
        ]

    def get_has_error_workbook(self, job: ImportJob) -> bool:
        return bool(job.error_file)


class ImportUploadSerializer(serializers.Serializer):
    """A file to import (.xlsx, .xls or CSV) with the import page's options."""

    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices, default="customers")
    team = id_field(required=False, allow_null=True)
    owner = id_field(required=False, allow_null=True)
    on_duplicate = serializers.ChoiceField(
        choices=ImportJob.OnDuplicate.choices, default=ImportJob.OnDuplicate.SKIP
    )
    date_order = serializers.ChoiceField(
        choices=["", "ymd", "dmy", "mdy"], required=False, default=""
    )
    sheet = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    to_pool = serializers.BooleanField(required=False, default=False)


def _form_errors(form: ImportUploadForm) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for field, items in form.errors.get_json_data().items():
        key = "non_field_errors" if field == "__all__" else field
        out[key] = [str(item["message"]) for item in items]
    return out


@extend_schema_view(
    list=extend_schema(
        summary="List import jobs (admins)",
        description="Recent import jobs, newest first; 404 for anyone but an admin.",
        responses={200: ImportJobSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="Get an import job's status (admins)",
        description="Progress and counts; the rejected rows once it is finished.",
        responses={200: ImportJobSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="Upload a file to import (admins)",
        description="Reads the file and detects its columns; the job waits in `preview` "
        "until confirmed. A file that cannot be read is refused (400, with the reason).",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer, **errors(400, 401, 404)},
        examples=[
            OpenApiExample(
                "Customers into team 3's pool",
                value={"kind": "customers", "team": 3, "on_duplicate": "skip"},
                request_only=True,
            )
        ],
    ),
    confirm=extend_schema(
        summary="Confirm an import (admins)",
        description="Queues the job (preview -> pending); it runs in the background.",
        request=None,
        responses={200: ImportJobSerializer, **errors(400, 401, 404)},
    ),
    retry=extend_schema(
        summary="Retry a failed import (admins)",
        description="Queues a failed or stale job again; it continues after the saved rows.",
        request=None,
        responses={200: ImportJobSerializer, **errors(400, 401, 404)},
    ),
    error_workbook=extend_schema(
        summary="Download the rejected rows (admins)",
        description="The workbook of rejected rows with the reason of each; 404 when none.",
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The workbook"),
            **errors(*READ_ERRORS),
        },
    ),
)
class ImportJobViewSet(ScopedReadOnlyViewSet[ImportJob]):
    """Import jobs; admins only (404 for everyone else, as on the pages)."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["status", "kind"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    queryset = ImportJob.objects.none()  # the model, for the schema

    def scoped_queryset(self, scope: Scope) -> QuerySet[ImportJob]:
        """Jobs by the model's rule (``ImportJobQuerySet``: admins alone); anyone who may
        not start an import gets 404 for the whole endpoint, as on the import pages."""
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        if not ImportJobQuerySet.can_create(scope):
            raise Http404
        return ImportJob.objects.visible_to(scope).select_related("team", "owner", "created_by")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_queryset()  # 404 unless the caller may start an import
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: ("" if v is None else v) for k, v in data.validated_data.items()}
        upload = values.pop("file")
        form = ImportUploadForm(values, {"file": upload})
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        job = import_job_create(
            by=request.user,  # type: ignore[arg-type]
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            options=form.options(),
        )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_editable_object()
        try:
            confirmed = import_job_confirm(job=job)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc
        if not confirmed:
            raise ValidationError(_("This import is not waiting for confirmation."))
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data)

    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_editable_object()
        if not import_job_retry(job=job):
            raise ValidationError(_("This import cannot be retried now."))
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data)

    @action(detail=True, methods=["get"], url_path="errors")
    def error_workbook(self, request: Request, pk: str | None = None) -> FileResponse:
        job = self.get_object()
        if not job.error_file:
            raise Http404
        try:
            handle = job.error_file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        stem = job.original_name.rsplit(".", 1)[0] or "import"
        return FileResponse(
            handle,
            as_attachment=True,
            filename=_("%(name)s-rejected-rows.xlsx") % {"name": stem},
            content_type=XLSX,
        )
