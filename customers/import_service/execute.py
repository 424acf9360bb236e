"""Run an import job: parse the whole file and write it in chunks, resumable."""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import nullcontext

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from salesops.events import ImportCompleted, publish

from ..import_messages import error_entry
from ..importing import FileRefused, ParsedRow, ParsedSheet, mark_duplicates_in_file
from ..importing.bulk import gc_paused
from ..models import ImportJob
from .customer_rows import _apply_customers, _plan_customers
from .error_workbook import import_error_workbook
from .fast_insert import bulk_write_settings
from .fields import _RELEASED, chunk_rows_for
from .jobs import _file_bytes, _parse, _refused
from .resolving import _Resolver, _validate_rows
from .revenue_rows import _apply_revenue, _close_billing_months, _plan_revenue


# --------------------------------------------------------------------------- execute
def _column_of(parsed: ParsedSheet) -> dict[str, str]:
    return {
        fld: parsed.headers[i] if i < len(parsed.headers) else ""
        for i, fld in parsed.mapping.items()
        if fld
    }


def import_job_execute(*, job: ImportJob, chunk_rows: int | None = None) -> ImportJob:
    """Run an import: parse the whole file, then write it in chunks of ``chunk_rows``
    (default: :func:`.fields.chunk_rows_for` the file's rows, 1,000 to 5,000).

    Works from any status but done (a done job is returned unchanged). Each chunk is
    one transaction that writes its rows and saves the job's progress, counts and
    errors, so a crash keeps the committed chunks and a new run resumes after
    ``processed_rows`` with the same final result. Counts: every data row ends in
    exactly one of created, updated, duplicates (skipped, or unchanged by an update),
    rejected. ``errors``: ``[{"row", "field", "column", "reason"}]`` for rejected rows,
    in file order. At the end: the error workbook (when rows were rejected) and, for
    revenue, the BillingMonth rows of its months (docs/domain, section 9). A file that can
    no longer be read fails the job with the parser's message.
    """
    # Parsing, checking and writing allocate millions of long-lived objects without
    # cycles; the collector would rescan them all the way (customers.importing.bulk).
    with gc_paused():
        return _import_job_execute(job=job, chunk_rows=chunk_rows)


def _import_job_execute(*, job: ImportJob, chunk_rows: int | None) -> ImportJob:
    """:func:`import_job_execute` with the collector paused."""
    if job.status == ImportJob.Status.DONE:
        return job
    now = timezone.now()
    job.status = ImportJob.Status.RUNNING
    job.started_at = job.started_at or now
    job.finished_at = None
    job.message = ""
    ImportJob.objects.filter(pk=job.pk).update(
        status=job.status, started_at=job.started_at, finished_at=None, message=""
    )
    try:
        parsed = _parse(job, _file_bytes(job), keep_raw=False)
    except FileRefused as exc:
        job.status = ImportJob.Status.FAILED
        job.message = _refused(exc)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return job
    rows = parsed.rows
    resolver = _Resolver(job, rows)
    # Parsed without the cells as read (keep_raw=False): only the error workbook needs
    # them, and it parses the file again.
    _validate_rows(job, rows, resolver)
    mark_duplicates_in_file(rows)
    del rows
    with bulk_write_settings():
        months, errors, days = _execute_chunks(job, parsed, resolver, chunk_rows)
    del parsed
    with transaction.atomic():
        if job.kind == ImportJob.Kind.REVENUE:
            _close_billing_months(job, months)
        job.errors = errors
        if job.rejected_count and not job.error_file:
            # In the language of whoever started it (the worker has none of its own).
            speaking = translation.override(job.language) if job.language else nullcontext()
            with speaking:
                content = import_error_workbook(job=job)
            job.error_file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(content), save=False)
        job.status = ImportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at", "error_file", "errors"])
    if job.created_count or job.updated_count:
        # Figures depend on the rows written; kpi subscribes (docs/architecture.md, Events).
        # The local days of the dated rows written (stage changes, revenue months), so
        # the recompute also covers their past periods (docs/domain, section 5, Imports).
        publish(
            ImportCompleted(job_id=job.pk, team_id=job.team_id, days=tuple(sorted(days | months)))
        )
    return job


def _execute_chunks(
    job: ImportJob, parsed: ParsedSheet, resolver: _Resolver, chunk_rows: int | None
) -> tuple[set[dt.date], list[dict[str, object]], set[dt.date]]:
    """Write the rows after ``job.processed_rows`` chunk by chunk; returns the months of
    the rows not rejected (revenue), the errors of all rejected rows and the local days of
    the stage dates written (customers; rows written by an earlier, interrupted run are
    not among them)."""
    rows = parsed.rows
    chunk_rows = chunk_rows or chunk_rows_for(len(rows))
    columns = _column_of(parsed)
    job.total_rows = len(rows)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    errors: list[dict[str, object]] = list(job.errors or [])
    rejected = {int(e["row"]) for e in errors}  # type: ignore[call-overload]
    start = min(job.processed_rows, len(rows))
    plan_chunk = _plan_revenue if job.kind == ImportJob.Kind.REVENUE else _plan_customers
    months: set[dt.date] = set()
    days: set[dt.date] = set()

    def release(row: ParsedRow) -> None:
        """Keep the month (for billing) of a row that was written and let its values
        go, so the next chunks reuse the memory."""
        if row.row_number in rejected:
            return
        month = row.values.get("month")
        if isinstance(month, dt.date):
            months.add(month)
        row.values = _RELEASED
        row.keys = None

    for row in rows[:start]:
        release(row)
    for offset in range(start, len(rows), chunk_rows):
        chunk = rows[offset : offset + chunk_rows]
        with transaction.atomic():
            plans = plan_chunk(job, chunk, resolver, rejected)
            if job.kind == ImportJob.Kind.REVENUE:
                _apply_revenue(job, plans)
            else:
                _apply_customers(job, plans, resolver)
            new_errors = False
            for plan in plans:
                action = plan.action
                if action in ("create", "update") and plan.stage_at is not None:
                    days.add(timezone.localdate(plan.stage_at))
                if action == "create":
                    job.created_count += 1
                elif action == "update":
                    job.updated_count += 1
                elif action in ("duplicate", "unchanged"):
                    job.duplicate_count += 1
                else:
                    job.rejected_count += 1
                    rejected.add(plan.row.row_number)
                    new_errors = True
                    errors.extend(
                        error_entry(plan.row.row_number, e, columns.get(e.field, ""))
                        for e in plan.row.errors
                    )
            job.processed_rows = offset + len(chunk)
            update = {
                "processed_rows": job.processed_rows,
                "created_count": job.created_count,
                "updated_count": job.updated_count,
                "duplicate_count": job.duplicate_count,
                "rejected_count": job.rejected_count,
            }
            if new_errors:
                job.errors = errors
                update["errors"] = errors  # type: ignore[assignment]
            ImportJob.objects.filter(pk=job.pk).update(**update)
        for row in chunk:
            release(row)
    return months, errors, days
