"""Import jobs: create from an upload, change mapping or sheet, confirm, retry, fail."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from salesops.celery import enqueue
from spreadsheets.reading import check_name_matches

from ..import_messages import translate_refusal
from ..importing import FileRefused, ParsedSheet, missing_required, parse_file
from ..models import ImportJob
from .fields import FIELD_LABELS, KIND_FIELDS, PREVIEW_ROWS

IMPORT_TASK = "customers.import_job_run"
"""Name of the Celery task that runs a confirmed job (``customers/tasks.py``)."""
IMPORT_TIME_LIMIT = 30 * 60
"""Hard limit (seconds) after which Celery kills an import; a job still 'running' after
it has a dead worker and may be retried (:func:`import_job_is_stale`)."""


def _enqueue(job_id: int) -> None:
    """Send the job to the import task by name (registered by CustomersConfig.ready()), so
    that this module does not import the task that calls it; eager mode runs it inline.
    When the broker cannot take it (logged by ``enqueue``), the job stays pending and the
    reconciler sends it again (customers.import_service.recovery)."""
    enqueue(IMPORT_TASK, args=[job_id])


# --------------------------------------------------------------------------- job create
def _mapping_to_json(mapping: dict[int, str | None]) -> dict[str, str | None]:
    return {str(i): fld for i, fld in sorted(mapping.items())}


def job_mapping(job: ImportJob) -> dict[int, str | None] | None:
    """The job's column mapping as ``{column index: field or None}``; None = automatic."""
    if not job.mapping:
        return None
    return {int(i): fld or None for i, fld in job.mapping.items()}


def _file_bytes(job: ImportJob) -> bytes:
    with job.file.open("rb") as fh:
        return fh.read()


def _parse(
    job: ImportJob, data: bytes, *, limit: int | None = None, keep_raw: bool = True
) -> ParsedSheet:
    return parse_file(
        data,
        kind=job.kind,
        sheet=job.sheet or None,
        mapping=job_mapping(job),
        date_order=job.date_order or None,
        max_bytes=settings.IMPORT_MAX_BYTES,
        limit=limit,
        header_row=job.header_row,
        keep_raw=keep_raw,
    )


def _refused(exc: FileRefused) -> str:
    return _("The file cannot be imported: %(reason)s") % {"reason": translate_refusal(exc)}


@transaction.atomic
def import_job_create(
    *,
    by: User | None,
    upload: object,
    kind: str,
    options: dict[str, object] | None = None,
) -> ImportJob:
    """Store an uploaded customer or revenue file as a job awaiting confirmation.

    ``upload``: a Django ``File``/``UploadedFile`` (``.name``, ``.size``, ``.read()``).
    ``kind``: 'customers' | 'revenue'. ``options``: ``team`` (OrgUnit), ``owner``
    (User), ``on_duplicate`` ('skip' | 'update' | 'create'), ``date_order`` ('' | 'ymd'
    | 'dmy' | 'mdy'), ``sheet`` (name; '' = first visible sheet), ``header_row`` (None:
    detect; 0: no header row; N: row N), ``to_pool`` (bool: new customers go straight
    into the public pool, docs/domain, section 5); all optional.

    The file is parsed once (first rows only) to refuse what cannot be imported and
    to record the sheet and the automatic column mapping. Raises ValidationError with
    a ``file`` (or ``sheet``) message for a file over settings.IMPORT_MAX_BYTES or one
    the parser refuses (HTML saved as .xls, zip bomb, damaged or empty file ...).
    """
    options = options or {}
    if kind not in KIND_FIELDS:
        raise ValidationError({"kind": _("Unknown import kind.")})
    max_bytes = settings.IMPORT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError({"file": _file_too_big(size, max_bytes)})
    data = upload.read()  # type: ignore[attr-defined]
    if len(data) > max_bytes:
        raise ValidationError({"file": _file_too_big(len(data), max_bytes)})
    sheet = str(options.get("sheet") or "").strip()
    date_order = str(options.get("date_order") or "")
    header_row = options.get("header_row")
    try:
        parsed = parse_file(
            data,
            kind=kind,
            sheet=sheet or None,
            date_order=date_order or None,
            max_bytes=max_bytes,
            limit=PREVIEW_ROWS,
            header_row=header_row if isinstance(header_row, int) else None,
        )
    except FileRefused as exc:
        if sheet:
            _raise_if_sheet_unknown(data, sheet, max_bytes)
        raise ValidationError({"file": _refused(exc)}) from exc
    name = str(getattr(upload, "name", "") or "upload")
    try:
        check_name_matches(name, parsed.format)
    except FileRefused as exc:
        raise ValidationError({"file": _refused(exc)}) from exc
    job = ImportJob(
        kind=kind,
        status=ImportJob.Status.PREVIEW,
        original_name=name.replace("\\", "/").rsplit("/", 1)[-1][:255],
        sheet=parsed.sheet,
        on_duplicate=str(options.get("on_duplicate") or ImportJob.OnDuplicate.SKIP),
        date_order=date_order,
        mapping=_mapping_to_json(parsed.mapping),
        header_row=header_row if isinstance(header_row, int) else None,
        language=translation.get_language() or "",
        team=options.get("team"),  # type: ignore[misc]
        owner=options.get("owner"),
        to_pool=bool(options.get("to_pool")),
        created_by=by,
    )
    job.file.save(f"{uuid.uuid4().hex}.{parsed.format}", ContentFile(data), save=False)
    job.full_clean(exclude=["file", "error_file", "mapping", "errors", "created_by"])
    if job.to_pool and (job.owner_id or kind != ImportJob.Kind.CUSTOMERS):
        raise ValidationError(
            {"to_pool": _("Only customers go into the public pool, and without an owner.")}
        )
    job.save()
    return job


def _file_too_big(size: int, limit: int) -> str:
    return _(
        "The file is %(size).1f MB; the limit is %(limit).0f MB. Split it into smaller files."
    ) % {
        "size": size / (1024 * 1024),
        "limit": limit / (1024 * 1024),
    }


def _raise_if_sheet_unknown(data: bytes, sheet: str, max_bytes: int) -> None:
    """Put a refusal caused by a wrong sheet name on the sheet field, listing the sheets."""
    try:
        names = parse_file(data, max_bytes=max_bytes, limit=0).sheet_names
    except FileRefused:
        return
    if sheet not in names:
        raise ValidationError(
            {
                "sheet": _("The workbook has no sheet %(sheet)s; its sheets are: %(names)s.")
                % {"sheet": sheet, "names": ", ".join(names) or "-"}
            }
        )


@transaction.atomic
def import_job_set_mapping(
    *,
    job: ImportJob,
    mapping: dict[int, str | None] | None = None,
    date_order: str | None = None,
    sheet: str | None = None,
    header_row: int | None | str = "",
) -> ImportJob:
    """Change a job's column mapping, date order, sheet or header row while it awaits
    confirmation.

    ``header_row``: None to detect it, 0 for "no header row", N for row N; '' (the
    default) leaves it. A new ``sheet`` or header row resets the mapping to the
    automatic one of that sheet and header row. Raises
    ValidationError when the job is no longer in preview, a field is mapped twice or
    is not a field of the job's kind, or the sheet cannot be read.
    """
    if job.status != ImportJob.Status.PREVIEW:
        raise ValidationError(_("This import was already confirmed."))
    if date_order is not None:
        job.date_order = date_order
    new_header = header_row != "" and header_row != job.header_row
    if (sheet is not None and sheet != job.sheet) or new_header:
        if sheet is not None:
            job.sheet = sheet
        if new_header:
            job.header_row = header_row if isinstance(header_row, int) else None
        try:
            parsed = parse_file(
                _file_bytes(job),
                kind=job.kind,
                sheet=job.sheet or None,
                max_bytes=settings.IMPORT_MAX_BYTES,
                limit=0,
                header_row=job.header_row,
            )
        except FileRefused as exc:
            raise ValidationError({"header_row" if new_header else "sheet": _refused(exc)}) from exc
        job.mapping = _mapping_to_json(parsed.mapping)
    elif mapping is not None:
        allowed = set(KIND_FIELDS[job.kind])
        seen: set[str] = set()
        for fld in mapping.values():
            if fld is None:
                continue
            if fld not in allowed:
                raise ValidationError(
                    _("%(field)s is not a field of this import.") % {"field": fld}
                )
            if fld in seen:
                raise ValidationError(
                    _("%(field)s is chosen for two columns.") % {"field": FIELD_LABELS[fld]}
                )
            seen.add(fld)
        job.mapping = _mapping_to_json(mapping)
    job.save(update_fields=["mapping", "date_order", "sheet", "header_row"])
    return job


def job_missing_required(job: ImportJob) -> list[str]:
    """The required fields no column of the job's mapping gives (every row would be
    rejected): ``['name']`` for a customer file without a name column. A job without a
    stored mapping uses the file's automatic one (a file that cannot be read is left to
    the run, which fails it with the reason)."""
    if job.mapping:
        mapped = [f for f in job.mapping.values() if f]
    else:
        try:
            mapped = [f for f in _parse(job, _file_bytes(job), limit=0).mapping.values() if f]
        except (FileRefused, OSError):
            return []
    return missing_required(job.kind, mapped)


def _refuse_missing_required(job: ImportJob) -> None:
    missing = job_missing_required(job)
    if missing:
        raise ValidationError(
            _(
                "No column is mapped to these required fields, so every row would be "
                "rejected: %(fields)s. Choose the columns and confirm again."
            )
            % {"fields": ", ".join(str(FIELD_LABELS[f]) for f in missing)}
        )


@transaction.atomic
def import_job_confirm(*, job: ImportJob) -> bool:
    """Queue a job awaiting confirmation: preview -> pending, then (after commit) the
    Celery task ``import_job_run``. Returns False when the job was not in preview (a
    second click), in which case nothing is queued. Raises ValidationError when no
    column gives a required field (the page shows Confirm disabled then; the server
    refuses too)."""
    _refuse_missing_required(job)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
        status=ImportJob.Status.PENDING, heartbeat_at=timezone.now()
    )
    if not claimed:
        return False
    job.status = ImportJob.Status.PENDING
    pk = job.pk
    transaction.on_commit(lambda: _enqueue(pk))
    return True


def import_job_is_stale(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """True when a running job's worker must be gone: its heartbeat (or, before the first
    one, its start) is older than settings.JOB_STALE_SECONDS (90 s; a live task beats every
    JOB_HEARTBEAT_SECONDS). The reconciler re-queues such a job by itself; Retry may too."""
    last = job.heartbeat_at or job.started_at
    if job.status != ImportJob.Status.RUNNING or last is None:
        return False
    return (now or timezone.now()) - last > dt.timedelta(seconds=settings.JOB_STALE_SECONDS)


@transaction.atomic
def import_job_retry(*, job: ImportJob) -> bool:
    """Queue a failed (or stale running) job again; it resumes after the rows already
    saved. Returns False when the job is in neither state."""
    if job.status == ImportJob.Status.RUNNING and not import_job_is_stale(job):
        return False
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.FAILED, ImportJob.Status.RUNNING]
    ).update(
        status=ImportJob.Status.PENDING, finished_at=None, message="", heartbeat_at=timezone.now()
    )
    if not claimed:
        return False
    job.status = ImportJob.Status.PENDING
    pk = job.pk
    transaction.on_commit(lambda: _enqueue(pk))
    return True


def import_job_fail(*, job_id: int, message: str) -> None:
    """Mark a running job failed with a user-facing message (what was saved stays)."""
    ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.RUNNING, ImportJob.Status.PENDING]
    ).update(status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now())
