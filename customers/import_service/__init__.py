"""Write customer and revenue imports (docs/domain, section 5).

:mod:`customers.importing` parses and validates a file without touching the database;
this module does everything that needs it:

- :func:`import_job_create` stores an uploaded file as an :class:`ImportJob` awaiting
  confirmation (refusing files the parser refuses, with the parser's message);
- :func:`import_preview` shows the first rows as they will be stored, with the column
  mapping, what each row will do (create, update, skip) and each problem;
- :func:`import_job_execute` writes the rows in chunks (CHUNK_ROWS to MAX_CHUNK_ROWS rows), one
  transaction per chunk that also records the job's progress and counts. A crash keeps
  the chunks already committed; running the job again resumes after them, so the final
  result is the same as an uninterrupted run (idempotent);
- :func:`import_error_workbook` builds the workbook of rejected rows, ready to fix and
  import again; :func:`billing_month_close` closes a billing month by hand.

By purpose: ``fields`` (what a job can fill), ``jobs`` (create, mapping, confirm, retry),
``resolving`` (owners, teams, database row checks), ``customer_rows`` and ``revenue_rows``
(plan and write a chunk), ``preview``, ``execute`` (the chunked run; publishes
``ImportCompleted`` after commit when rows were written), ``error_workbook``.

Rules applied here (the parser's are in its docstrings):

- duplicates against existing customers: by credit code, external code, contact phone,
  then name key (strongest first), with bulk lookups per chunk. ``on_duplicate``
  skip counts the row as a duplicate, update fills/overwrites the existing customer's
  fields with the row's non-empty values, create adds a new customer anyway. A row that
  repeats an earlier row of the same file is skipped unless the job says create.
  In update mode a row that would change nothing counts as a duplicate, so importing
  the same file twice reports 0 created and 0 updated the second time;
- owner: the row's owner (username or display name) or the job's owner; none means the
  public pool (公海) of the team. Team: the row's team (code or name), else the owner's
  team today, else the job's team. Segment defaults to the team's segment;
- stage and stage date: the customer starts at that stage on that date with one
  StageChange row from lead, attributed to the owner and the owner's team on that date
  (docs/domain, section 9; skipped stages count as reached at the same time, so no rows
  for them);
- revenue rows find their customer by credit code, external code or name key and are
  upserted on (customer, month, product); when a revenue import completes, its months
  get a BillingMonth row, so lagged ARPU for the next month stops being pending
  (docs/domain, section 9).
"""

from __future__ import annotations

from .error_workbook import import_error_workbook
from .execute import import_job_execute
from .fields import (
    CHUNK_ROWS,
    CUSTOMER_FIELDS,
    FIELD_LABELS,
    KIND_FIELDS,
    PREVIEW_ROWS,
    REVENUE_FIELDS,
)
from .jobs import (
    IMPORT_TASK,
    IMPORT_TIME_LIMIT,
    import_job_confirm,
    import_job_create,
    import_job_fail,
    import_job_is_stale,
    import_job_retry,
    import_job_set_mapping,
    job_mapping,
    job_missing_required,
)
from .preview import (
    ACTION_LABELS,
    ImportPreview,
    PreviewCell,
    PreviewColumn,
    PreviewRow,
    import_preview,
)
from .recovery import import_job_claim, import_job_heartbeat, import_reconcile
from .revenue_rows import billing_month_close

__all__ = [
    "ACTION_LABELS",
    "CHUNK_ROWS",
    "CUSTOMER_FIELDS",
    "FIELD_LABELS",
    "IMPORT_TASK",
    "IMPORT_TIME_LIMIT",
    "KIND_FIELDS",
    "PREVIEW_ROWS",
    "REVENUE_FIELDS",
    "ImportPreview",
    "PreviewCell",
    "PreviewColumn",
    "PreviewRow",
    "billing_month_close",
    "import_error_workbook",
    "import_job_claim",
    "import_job_confirm",
    "import_job_create",
    "import_job_execute",
    "import_job_fail",
    "import_job_heartbeat",
    "import_job_is_stale",
    "import_job_retry",
    "import_job_set_mapping",
    "import_reconcile",
    "import_preview",
    "job_mapping",
    "job_missing_required",
]
