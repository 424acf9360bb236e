"""Column choices given as text (the command's ``--map 'COLUMN=FIELD'``): which column a
text names and which field, and the columns a job leaves out."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..importing import (
    FileRefused,
    column_letter,
    match_headers,
    normalise_header,
)
from ..models import ImportJob
from .fields import FIELD_LABELS, KIND_FIELDS
from .jobs import _file_bytes, _parse, _refused, job_mapping


def _columns(job: ImportJob) -> list[tuple[int, str]]:
    """(index, header text) of every column of the job's sheet, header row included."""
    try:
        parsed = _parse(job, _file_bytes(job), limit=20)
    except FileRefused as exc:
        raise ValidationError(_refused(exc)) from exc
    width = max([len(parsed.headers), *(len(r.raw) for r in parsed.rows)])
    return [(i, parsed.headers[i] if i < len(parsed.headers) else "") for i in range(width)]


def _describe(index: int, header: str) -> str:
    letter = column_letter(index)
    text = " ".join(header.split())
    return f"{letter} {text}" if text else letter


def _field_of(text: str, kind: str) -> str | None:
    allowed = KIND_FIELDS[kind]
    code = text.strip()
    if code in allowed:
        return code
    wanted = normalise_header(code)
    for fld in allowed:
        if normalise_header(str(FIELD_LABELS[fld])) == wanted:
            return fld
    found = match_headers([code], kind)[0].get(0)
    return found if found in allowed else None


def _column_of(text: str, columns: list[tuple[int, str]]) -> int | None:
    wanted = normalise_header(text)
    for index, header in columns:
        if header.strip() and normalise_header(header) == wanted:
            return index
    token = text.strip().upper()
    if token.isdigit() and 1 <= int(token) <= len(columns):
        return int(token) - 1
    for index, _header in columns:
        if column_letter(index) == token:
            return index
    return None


def mapping_from_options(job: ImportJob, specs: list[str]) -> dict[int, str | None]:
    """The job's mapping with each ``COLUMN=FIELD`` of ``specs`` applied.

    COLUMN: a header text of the file (compared as headers are matched), a letter (A,
    B, ..., AA) or a 1-based number; FIELD: a field code (``name``, ``contact_phone``),
    its label, or a header synonym (``客户名称``); ``-`` or empty ignores the column. A
    field given to a column is taken from any other column. Raises ValidationError
    naming the spec, the file's columns or the fields when a part is not understood.
    """
    columns = _columns(job)
    mapping = job_mapping(job) or {}
    mapping = {i: mapping.get(i) for i, _h in columns}
    for spec in specs:
        column_text, sep, field_text = spec.rpartition("=")
        if not sep or not column_text.strip():
            raise ValidationError(
                _("--map takes COLUMN=FIELD, not %(spec)s") % {"spec": repr(spec)}
            )
        index = _column_of(column_text, columns)
        if index is None:
            raise ValidationError(
                _("--map %(spec)s: the file has no column %(column)s; its columns: %(columns)s")
                % {
                    "spec": repr(spec),
                    "column": repr(column_text),
                    "columns": ", ".join(_describe(i, h) for i, h in columns),
                }
            )
        if field_text.strip() in ("", "-"):
            mapping[index] = None
            continue
        fld = _field_of(field_text, job.kind)
        if fld is None:
            raise ValidationError(
                _("--map %(spec)s: %(field)s is not a field; the fields: %(fields)s")
                % {
                    "spec": repr(spec),
                    "field": repr(field_text),
                    "fields": ", ".join(KIND_FIELDS[job.kind]),
                }
            )
        for other, current in mapping.items():
            if current == fld:
                mapping[other] = None
        mapping[index] = fld
    return mapping


def unmapped_columns(job: ImportJob) -> tuple[list[str], str]:
    """(the columns the job does not import, each as 'letter header'; all the file's
    columns described the same way, comma-separated)."""
    columns = _columns(job)
    mapping = job_mapping(job) or {}
    unmapped = [_describe(i, h) for i, h in columns if not mapping.get(i)]
    described = ", ".join(
        f"{_describe(i, h)} ({mapping[i]})" if mapping.get(i) else _describe(i, h)
        for i, h in columns
    )
    return unmapped, described
