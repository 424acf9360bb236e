"""The preview of an import job: the first rows as they will be stored, with actions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from spreadsheets.messages import render

from ..import_messages import translate_reason
from ..importing import NO_HEADER_COLUMN, FileRefused, column_letter, mark_duplicates_in_file
from ..models import ImportJob, Segment, Stage
from .customer_rows import _plan_customers, _plan_updates
from .fields import FIELD_LABELS, PREVIEW_ROWS
from .jobs import _file_bytes, _parse, _refused
from .resolving import _Plan, _Resolver, _validate_rows
from .revenue_rows import _plan_revenue


@dataclass
class PreviewCell:
    """One cell of the preview: the value as it will be stored, and its problem."""

    field: str | None
    value: str
    error: str = ""


@dataclass
class PreviewRow:
    """One previewed row: row number as in Excel, action code and label, cells, notes."""

    row_number: int
    action: str
    action_label: str
    cells: list[PreviewCell]
    errors: list[str]
    note: str = ""


@dataclass
class PreviewColumn:
    """A column of the file: its index, header text and the field it is mapped to."""

    index: int
    header: str
    field: str | None

    @property
    def letter(self) -> str:
        """The column's letter as in Excel (A, B, ..., AA)."""
        return column_letter(self.index)


@dataclass
class ImportPreview:
    """What :func:`import_preview` returns. ``missing_required``: labels of required
    fields no column is mapped to (every row will be rejected)."""

    job: ImportJob
    format: str
    sheet_names: list[str]
    sheet: str
    header_row: int
    columns: list[PreviewColumn]
    unknown_columns: list[str]
    duplicate_columns: list[str]
    required_in_file: list[str]
    missing_required: list[str]
    rows: list[PreviewRow]
    counts: dict[str, int]


POOL_LABEL = gettext_lazy("Public pool")

ACTION_LABELS: dict[str, Promise] = {
    "create": gettext_lazy("New"),
    "update": gettext_lazy("Update"),
    "unchanged": gettext_lazy("Unchanged"),
    "duplicate": gettext_lazy("Skip: duplicate"),
    "reject": gettext_lazy("Rejected"),
}


def _display(fld: str, value: object, plan: _Plan) -> str:
    if value is None:
        return ""
    if fld == "owner":
        if plan.action == "create" and plan.owner is None:
            return str(POOL_LABEL)  # the file's owner is not used (to_pool)
        return plan.owner.name if plan.owner else str(value)
    if fld == "team":
        return plan.team.name if plan.team else str(value)
    if fld == "stage":
        return str(Stage(str(value)).label)
    if fld == "segment":
        return str(Segment(str(value)).label)
    if fld == "month" and isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _raw_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def import_preview(job: ImportJob, limit: int = PREVIEW_ROWS) -> ImportPreview:
    """The first ``limit`` rows of the job's file as they will be stored.

    Each row gets the action the import will take (new, update, unchanged, skipped as
    duplicate, rejected) with the existing customer it matches, and each cell its
    converted value and problem; the rows are planned by the import's own functions, so
    ``counts`` (``create``, ``update``, ``duplicate`` with the unchanged rows, ``reject``)
    equal the result's counts for a file within the sample. Raises ValidationError
    (``file``) when the stored file can no longer be read. Reads only; writes nothing.
    """
    try:
        parsed = _parse(job, _file_bytes(job), limit=limit)
    except FileRefused as exc:
        raise ValidationError({"file": _refused(exc)}) from exc
    resolver = _Resolver(job, parsed.rows)
    _validate_rows(job, parsed.rows, resolver)
    mark_duplicates_in_file(parsed.rows)
    if job.kind == ImportJob.Kind.REVENUE:
        plans = _plan_revenue(job, parsed.rows, resolver, set())
    else:
        plans = _plan_customers(job, parsed.rows, resolver, set())
        # What an update really changes (nothing: counted as a duplicate; a changed stage
        # and its date), decided as the import decides it, without writing.
        _plan_updates(job, [p for p in plans if p.action == "update"], resolver)
    mapping = dict(parsed.mapping)
    width = max([len(parsed.headers), *(len(r.raw) for r in parsed.rows)])
    columns = [
        PreviewColumn(i, parsed.headers[i] if i < len(parsed.headers) else "", mapping.get(i))
        for i in range(width)
    ]
    unknown = [c.header for c in columns if c.field is None and c.header.strip()]
    # The parser names a column without header in English: said in the reader's language.
    said = {
        render(NO_HEADER_COLUMN, {"letter": column_letter(i)}): gettext(NO_HEADER_COLUMN)
        % {"letter": column_letter(i)}
        for i in range(width)
    }
    unknown += [said.get(u, u) for u in parsed.unknown_columns if said.get(u, u) not in unknown]
    counts: dict[str, int] = defaultdict(int)
    rows = []
    for plan in plans:
        row = plan.row
        if row.errors:
            plan.action = "reject"
        counts[plan.action] += 1
        errors_by_field: dict[str, list[str]] = defaultdict(list)
        for row_error in row.errors:
            errors_by_field[row_error.field].append(translate_reason(row_error))
        cells = []
        for column in columns:
            if column.field:
                value = _display(column.field, row.values.get(column.field), plan)
                error = "; ".join(errors_by_field.get(column.field, []))
                if not value and error:
                    value = _raw_text(row.raw[column.index]) if column.index < len(row.raw) else ""
            else:
                value = _raw_text(row.raw[column.index]) if column.index < len(row.raw) else ""
                error = ""
            cells.append(PreviewCell(column.field, value, error))
        mapped = {c.field for c in columns if c.field}
        loose = [
            f"{FIELD_LABELS[e.field]}: {translate_reason(e)}"
            if e.field in FIELD_LABELS
            else translate_reason(e)
            for e in row.errors
            if e.field not in mapped
        ]
        rows.append(
            PreviewRow(
                row_number=row.row_number,
                action=plan.action,
                action_label=str(ACTION_LABELS[plan.action]),
                cells=cells,
                errors=loose,
                note=plan.note,
            )
        )
    # The counts the result will show: an unchanged row is skipped as a duplicate.
    if "unchanged" in counts:
        counts["duplicate"] += counts.pop("unchanged")
    mapped_fields = {c.field for c in columns if c.field}
    if job.kind == ImportJob.Kind.REVENUE:
        required = ["month", "billed"]
        if not mapped_fields & {"credit_code", "external_code", "name"}:
            required.append("name")
    else:
        required = ["name"]
    missing = [str(FIELD_LABELS[f]) for f in required if f not in mapped_fields]
    return ImportPreview(
        job=job,
        format=parsed.format,
        sheet_names=parsed.sheet_names,
        sheet=parsed.sheet,
        header_row=parsed.header_row,
        columns=columns,
        unknown_columns=unknown,
        duplicate_columns=parsed.duplicate_columns,
        required_in_file=parsed.required_in_file,
        missing_required=missing,
        rows=rows,
        counts=dict(counts),
    )
