"""Write customer and revenue imports (DOMAIN.md section 5; issue 3, items 3-5).

:mod:`customers.importing` parses and validates a file without touching the database;
this module does everything that needs it:

- :func:`import_job_create` stores an uploaded file as an :class:`ImportJob` awaiting
  confirmation (refusing files the parser refuses, with the parser's message);
- :func:`import_preview` shows the first rows as they will be stored, with the column
  mapping, what each row will do (create, update, skip) and each problem;
- :func:`import_job_execute` writes the rows in chunks of :data:`CHUNK_ROWS`, one
  transaction per chunk that also records the job's progress and counts. A crash keeps
  the chunks already committed; running the job again resumes after them, so the final
  result is the same as an uninterrupted run (idempotent);
- :func:`import_error_workbook` builds the workbook of rejected rows, ready to fix and
  import again; :func:`billing_month_close` closes a billing month by hand.

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
  (DOMAIN.md section 9; skipped stages count as reached at the same time, so no rows
  for them);
- revenue rows find their customer by credit code, external code or name key and are
  upserted on (customer, month, product); when a revenue import completes, its months
  get a BillingMonth row, so lagged ARPU for the next month stops being pending
  (DOMAIN.md section 9).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import local_today

from .import_messages import translate_reason, translate_refusal
from .importing import (
    FileRefused,
    ParsedRow,
    ParsedSheet,
    RowError,
    dedupe_keys,
    mark_duplicates_in_file,
    parse_file,
)
from .models import (
    BillingMonth,
    Contact,
    Customer,
    ImportJob,
    Ownership,
    RevenueRecord,
    Segment,
    Stage,
    StageChange,
)
from .services import customer_fill_derived

PREVIEW_ROWS = 20
"""Rows shown on the preview page."""
CHUNK_ROWS = 1000
"""Rows written per transaction; progress is saved after each chunk."""

# Fields the admin can map a column to, per kind, in the order of the mapping selects.
CUSTOMER_FIELDS: tuple[str, ...] = (
    "name",
    "short_name",
    "credit_code",
    "external_code",
    "industry",
    "size",
    "segment",
    "province",
    "city",
    "address",
    "website",
    "source",
    "listed_on",
    "notes",
    "contact_name",
    "contact_phone",
    "contact_phone2",
    "contact_email",
    "owner",
    "team",
    "stage",
    "stage_date",
)
REVENUE_FIELDS: tuple[str, ...] = (
    "credit_code",
    "external_code",
    "name",
    "month",
    "product",
    "billed",
    "notes",
)
KIND_FIELDS = {ImportJob.Kind.CUSTOMERS: CUSTOMER_FIELDS, ImportJob.Kind.REVENUE: REVENUE_FIELDS}

FIELD_LABELS: dict[str, Promise] = {
    "name": gettext_lazy("Customer name"),
    "short_name": gettext_lazy("Short name"),
    "credit_code": gettext_lazy("Unified social credit code"),
    "external_code": gettext_lazy("Customer code"),
    "industry": gettext_lazy("Industry"),
    "size": gettext_lazy("Size"),
    "segment": gettext_lazy("Segment"),
    "province": gettext_lazy("Province"),
    "city": gettext_lazy("City"),
    "address": gettext_lazy("Address"),
    "website": gettext_lazy("Website"),
    "source": gettext_lazy("Source"),
    "listed_on": gettext_lazy("Listed on"),
    "notes": gettext_lazy("Notes"),
    "contact_name": gettext_lazy("Contact name"),
    "contact_phone": gettext_lazy("Contact phone"),
    "contact_phone2": gettext_lazy("Contact other phone"),
    "contact_email": gettext_lazy("Contact email"),
    "owner": gettext_lazy("Owner"),
    "team": gettext_lazy("Team"),
    "stage": gettext_lazy("Stage"),
    "stage_date": gettext_lazy("Stage date"),
    "month": gettext_lazy("Month"),
    "product": gettext_lazy("Product"),
    "billed": gettext_lazy("Billed"),
}

# Row value -> customer field, copied as they are.
_CUSTOMER_COPY = (
    "name",
    "short_name",
    "credit_code",
    "external_code",
    "industry",
    "size",
    "segment",
    "province",
    "city",
    "address",
    "website",
    "source",
    "listed_on",
    "notes",
)
_CONTACT_COPY = {
    "contact_name": "name",
    "contact_phone": "phone",
    "contact_phone2": "phone2",
    "contact_email": "email",
}


def _max_lengths() -> dict[str, int]:
    lengths = {}
    for fld in _CUSTOMER_COPY:
        max_length = getattr(Customer._meta.get_field(fld), "max_length", None)
        if max_length:
            lengths[fld] = max_length
    for fld, model_field in _CONTACT_COPY.items():
        lengths[fld] = Contact._meta.get_field(model_field).max_length  # type: ignore[assignment]
    lengths["product"] = RevenueRecord._meta.get_field("product").max_length  # type: ignore[assignment]
    return lengths


_MAX_LENGTHS = _max_lengths()
_RELEASED: dict[str, object] = {}  # values of a row already written (never mutated)
_KEY_LABELS = {
    "credit_code": gettext_lazy("credit code"),
    "external_code": gettext_lazy("customer code"),
    "phone": gettext_lazy("contact phone"),
    "name": gettext_lazy("name"),
}


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


def _parse(job: ImportJob, data: bytes, *, limit: int | None = None) -> ParsedSheet:
    return parse_file(
        data,
        kind=job.kind,
        sheet=job.sheet or None,
        mapping=job_mapping(job),
        date_order=job.date_order or None,
        max_bytes=settings.IMPORT_MAX_BYTES,
        limit=limit,
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
    | 'dmy' | 'mdy'), ``sheet`` (name; '' = first visible sheet); all optional.

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
    try:
        parsed = parse_file(
            data,
            kind=kind,
            sheet=sheet or None,
            date_order=date_order or None,
            max_bytes=max_bytes,
            limit=PREVIEW_ROWS,
        )
    except FileRefused as exc:
        if sheet:
            _raise_if_sheet_unknown(data, sheet, max_bytes)
        raise ValidationError({"file": _refused(exc)}) from exc
    name = str(getattr(upload, "name", "") or "upload")
    job = ImportJob(
        kind=kind,
        status=ImportJob.Status.PREVIEW,
        original_name=name.replace("\\", "/").rsplit("/", 1)[-1][:255],
        sheet=parsed.sheet,
        on_duplicate=str(options.get("on_duplicate") or ImportJob.OnDuplicate.SKIP),
        date_order=date_order,
        mapping=_mapping_to_json(parsed.mapping),
        team=options.get("team"),  # type: ignore[misc]
        owner=options.get("owner"),  # type: ignore[misc]
        created_by=by,
    )
    job.file.save(f"{uuid.uuid4().hex}.{parsed.format}", ContentFile(data), save=False)
    job.full_clean(exclude=["file", "error_file", "mapping", "errors", "created_by"])
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
) -> ImportJob:
    """Change a job's column mapping, date order or sheet while it awaits confirmation.

    A new ``sheet`` resets the mapping to the automatic one of that sheet. Raises
    ValidationError when the job is no longer in preview, a field is mapped twice or
    is not a field of the job's kind, or the sheet cannot be read.
    """
    if job.status != ImportJob.Status.PREVIEW:
        raise ValidationError(_("This import was already confirmed."))
    if date_order is not None:
        job.date_order = date_order
    if sheet is not None and sheet != job.sheet:
        job.sheet = sheet
        try:
            parsed = parse_file(
                _file_bytes(job),
                kind=job.kind,
                sheet=sheet,
                max_bytes=settings.IMPORT_MAX_BYTES,
                limit=0,
            )
        except FileRefused as exc:
            raise ValidationError({"sheet": _refused(exc)}) from exc
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
    job.save(update_fields=["mapping", "date_order", "sheet"])
    return job


# --------------------------------------------------------------------------- resolving
_AMBIGUOUS = object()


def _batches(values: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    """Sorted values in lists of ``size`` (IN lists stay under SQLite's variable limit)."""
    ordered = sorted(values)
    for i in range(0, len(ordered), size):
        yield ordered[i : i + size]


class _Resolver:
    """Everything a row needs from the database besides duplicates, loaded once per job:
    owners (by username or display name), teams (by code or name) and the owners'
    memberships for attribution (the rule of services.team_of, DOMAIN.md section 9)."""

    def __init__(self, job: ImportJob, rows: Iterable[ParsedRow]) -> None:
        self.job = job
        self.now = timezone.now()
        self.today = local_today()
        owner_texts: set[str] = set()
        team_texts: set[str] = set()
        for row in rows:
            owner = row.values.get("owner")
            team = row.values.get("team")
            if owner:
                owner_texts.add(str(owner))
            if team:
                team_texts.add(str(team))
        self.users: dict[str, object] = {}
        if owner_texts:
            by_pk: dict[int, User] = {}
            for part in _batches(owner_texts):
                for user in User.objects.filter(Q(username__in=part) | Q(display_name__in=part)):
                    by_pk[user.pk] = user
            found = [by_pk[pk] for pk in sorted(by_pk)]
            by_display: dict[str, list[User]] = defaultdict(list)
            for user in found:
                by_display[user.display_name].append(user)
            for text in owner_texts:
                exact = [u for u in found if u.username == text]
                if exact:
                    self.users[text] = exact[0]
                elif len(by_display.get(text, [])) == 1:
                    self.users[text] = by_display[text][0]
                elif by_display.get(text):
                    self.users[text] = _AMBIGUOUS
        self.teams: dict[str, object] = {}
        if team_texts:
            units = [
                unit
                for part in _batches(team_texts)
                for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).filter(
                    Q(code__in=part) | Q(name__in=part)
                )
            ]
            for text in team_texts:
                by_code = [u for u in units if u.code == text]
                by_name = [u for u in units if u.name == text]
                if by_code:
                    self.teams[text] = by_code[0]
                elif len(by_name) == 1:
                    self.teams[text] = by_name[0]
                elif by_name:
                    self.teams[text] = _AMBIGUOUS
        user_ids = {u.pk for u in self.users.values() if isinstance(u, User)}
        if job.owner_id:
            user_ids.add(job.owner_id)
        self._memberships: dict[int, list[Membership]] = defaultdict(list)
        for m in (
            Membership.objects.filter(
                user_id__in=user_ids, role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR]
            )
            .select_related("unit")
            .order_by("-start", "id")
        ):
            self._memberships[m.user_id].append(m)
        self._team_cache: dict[tuple[int, dt.date], OrgUnit | None] = {}

    def team_of(self, user: User | None, day: dt.date) -> OrgUnit | None:
        """Same answer as :func:`customers.services.team_of`, without a query per call."""
        if user is None:
            return None
        key = (user.pk, day)
        if key not in self._team_cache:
            self._team_cache[key] = next(
                (m.unit for m in self._memberships.get(user.pk, ()) if m.is_active_on(day)), None
            )
        return self._team_cache[key]


@dataclass(slots=True)
class _Plan:
    """What one row will do. ``action``: create | update | unchanged | duplicate | reject."""

    row: ParsedRow
    action: str = ""
    note: str = ""
    existing_id: int | None = None
    owner: User | None = None
    team: OrgUnit | None = None
    owner_given: bool = False
    team_given: bool = False
    stage_at: dt.datetime | None = None
    customer_id: int | None = None  # revenue: the matched customer
    changes: list[str] = field(default_factory=list)


def _add_error(row: ParsedRow, fld: str, reason: str) -> None:
    row.errors.append(RowError(fld, reason))


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _validate_rows(job: ImportJob, rows: Sequence[ParsedRow], resolver: _Resolver) -> None:
    """Row checks that need the database or the model (but not duplicates): owner and
    team exist, lengths fit the columns, e-mail is an address, dates not in the future.
    Appends RowError to ``row.errors``; run before :func:`mark_duplicates_in_file`."""
    today = resolver.today
    this_month = today.replace(day=1)
    for row in rows:
        values = row.values
        for fld, max_length in _MAX_LENGTHS.items():
            value = values.get(fld)
            if value is not None and len(str(value)) > max_length:
                _add_error(row, fld, _("too long (at most %(n)d characters)") % {"n": max_length})
        if job.kind == ImportJob.Kind.REVENUE:
            month = values.get("month")
            if isinstance(month, dt.date) and month > this_month:
                _add_error(
                    row, "month", _("%(month)s is in the future") % {"month": f"{month:%Y-%m}"}
                )
            continue
        owner = values.get("owner")
        if owner:
            user = resolver.users.get(str(owner))
            if user is None:
                _add_error(row, "owner", _("unknown user %(name)s") % {"name": owner})
            elif user is _AMBIGUOUS:
                _add_error(
                    row,
                    "owner",
                    _("several users are called %(name)s; give the username") % {"name": owner},
                )
            elif not user.is_active:  # type: ignore[attr-defined]
                _add_error(row, "owner", _("user %(name)s is inactive") % {"name": owner})
        team = values.get("team")
        if team:
            unit = resolver.teams.get(str(team))
            if unit is None:
                _add_error(row, "team", _("unknown team %(name)s") % {"name": team})
            elif unit is _AMBIGUOUS:
                _add_error(
                    row,
                    "team",
                    _("several teams are called %(name)s; give the team code") % {"name": team},
                )
        email = values.get("contact_email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                _add_error(
                    row, "contact_email", _("not an e-mail address: %(value)s") % {"value": email}
                )
        stage_date = values.get("stage_date")
        if isinstance(stage_date, dt.date) and stage_date > today:
            _add_error(
                row, "stage_date", _("%(date)s is in the future") % {"date": stage_date.isoformat()}
            )


def _assign_owner(plan: _Plan, job: ImportJob, resolver: _Resolver) -> None:
    values = plan.row.values
    owner_text = values.get("owner")
    team_text = values.get("team")
    plan.owner_given = bool(owner_text)
    plan.team_given = bool(team_text)
    owner = resolver.users.get(str(owner_text)) if owner_text else job.owner
    plan.owner = owner if isinstance(owner, User) else None
    team = resolver.teams.get(str(team_text)) if team_text else None
    if not isinstance(team, OrgUnit):
        team = resolver.team_of(plan.owner, resolver.today) or job.team
    plan.team = team
    stage_date = values.get("stage_date")
    if isinstance(stage_date, dt.date):
        plan.stage_at = _local_midnight(stage_date)


# --------------------------------------------------------------------------- customers
def _customer_keys(plans: Sequence[_Plan]) -> dict[int, list[tuple[str, str]]]:
    return {id(p): dedupe_keys(p.row.values) for p in plans}


def _find_existing_customers(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Map dedupe keys to the id of the oldest existing customer with that key.
    Two queries: customers by credit code / external code / name key, contacts by phone."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for kind, value in keys:
        wanted[kind].add(value)
    found: dict[tuple[str, str], int] = {}
    condition = Q()
    if wanted["credit_code"]:
        condition |= Q(credit_code__in=wanted["credit_code"])
    if wanted["external_code"]:
        condition |= Q(external_code__in=wanted["external_code"])
    if wanted["name"]:
        condition |= Q(name_key__in=wanted["name"])
    if condition:
        rows = (
            Customer.objects.filter(condition)
            .order_by("id")
            .values_list("id", "credit_code", "external_code", "name_key")
        )
        for pk, credit, code, key in rows:
            for kind, value in (("credit_code", credit), ("external_code", code), ("name", key)):
                if value and value in wanted[kind]:
                    found.setdefault((kind, value), pk)
    if wanted["phone"]:
        rows = (
            Contact.objects.filter(phone__in=wanted["phone"])
            .order_by("customer_id")
            .values_list("phone", "customer_id")
        )
        for phone, pk in rows:
            found.setdefault(("phone", phone), pk)
    return found


def _plan_customers(
    job: ImportJob, rows: Sequence[ParsedRow], resolver: _Resolver, rejected: set[int]
) -> list[_Plan]:
    """Decide each row's action; two queries for the whole chunk."""
    plans = [_Plan(row) for row in rows]
    mode = job.on_duplicate
    candidates = [p for p in plans if not p.row.errors]
    keys = _customer_keys(candidates)
    existing = _find_existing_customers(k for ks in keys.values() for k in ks)
    for plan in plans:
        row = plan.row
        if row.errors:
            plan.action = "reject"
            continue
        if row.duplicate_of is not None and row.duplicate_of in rejected:
            plan.action = "reject"
            _add_error(
                row,
                "",
                _("same customer as row %(row)d, which was rejected") % {"row": row.duplicate_of},
            )
            continue
        if row.duplicate_of is not None and mode != ImportJob.OnDuplicate.CREATE:
            plan.action = "duplicate"
            plan.note = _("duplicate of row %(row)d") % {"row": row.duplicate_of}
            continue
        _assign_owner(plan, job, resolver)
        for kind, value in keys[id(plan)]:
            pk = existing.get((kind, value))
            if pk is not None:
                plan.existing_id = pk
                plan.note = _("matches customer #%(id)d by %(key)s") % {
                    "id": pk,
                    "key": _KEY_LABELS[kind],
                }
                break
        if plan.existing_id is None or mode == ImportJob.OnDuplicate.CREATE:
            plan.action = "create"
        elif mode == ImportJob.OnDuplicate.SKIP:
            plan.action = "duplicate"
        else:
            plan.action = "update"
    return plans


def _new_customer(plan: _Plan, job: ImportJob, now: dt.datetime) -> Customer:
    values = plan.row.values
    fields = {f: values[f] for f in _CUSTOMER_COPY if values.get(f) is not None}
    if "segment" not in fields:
        segment = plan.team.segment if plan.team else ""
        fields["segment"] = segment if segment in Segment.values else Segment.MASS
    stage = values.get("stage") or Stage.LEAD
    since = plan.stage_at or now
    customer = Customer(
        **fields,
        owner=plan.owner,
        team=plan.team,
        stage=stage,
        stage_changed_at=since,
        pool_since=since if plan.owner is None else None,
        created_by=job.created_by,
    )
    customer_fill_derived(customer)
    return customer


def _new_contact(customer_id: int, values: dict[str, object]) -> Contact | None:
    data = {model: values.get(fld) for fld, model in _CONTACT_COPY.items()}
    if not any(data.values()):
        return None
    return Contact(customer_id=customer_id, **{k: str(v or "") for k, v in data.items()})


def _apply_customers(job: ImportJob, plans: Sequence[_Plan], resolver: _Resolver) -> None:
    """Write one chunk: bulk updates for existing customers, then bulk inserts for new
    ones with their ownership, stage change and contact rows."""
    ownerships: list[Ownership] = []
    changes: list[StageChange] = []
    contacts: list[Contact] = []
    updates = [p for p in plans if p.action == "update"]
    if updates:
        _apply_updates(job, updates, resolver, ownerships, changes, contacts)
    by = job.created_by
    reason = _("Imported")
    creates = [p for p in plans if p.action == "create"]
    customers = [_new_customer(p, job, resolver.now) for p in creates]
    Customer.objects.bulk_create(customers)
    for plan, customer in zip(creates, customers, strict=True):
        plan.customer_id = customer.pk
        ownerships.append(
            Ownership(
                customer_id=customer.pk,
                owner=plan.owner,
                team=plan.team,
                start=customer.stage_changed_at,
                changed_by=by,
                reason=reason,
            )
        )
        if customer.stage != Stage.LEAD:
            day = timezone.localdate(customer.stage_changed_at)
            changes.append(
                StageChange(
                    customer_id=customer.pk,
                    from_stage=Stage.LEAD,
                    to_stage=customer.stage,
                    at=customer.stage_changed_at,
                    by=by,
                    reason=reason,
                    source=StageChange.Source.IMPORT,
                    rep=plan.owner,
                    team=resolver.team_of(plan.owner, day) or plan.team,
                )
            )
        contact = _new_contact(customer.pk, plan.row.values)
        if contact is not None:
            contacts.append(contact)
    Ownership.objects.bulk_create(ownerships)
    StageChange.objects.bulk_create(changes)
    Contact.objects.bulk_create(contacts)


def _apply_updates(
    job: ImportJob,
    plans: Sequence[_Plan],
    resolver: _Resolver,
    ownerships: list[Ownership],
    changes: list[StageChange],
    contacts: list[Contact],
) -> None:
    """Fill/overwrite existing customers with the rows' non-empty values."""
    now = resolver.now
    by = job.created_by
    reason = _("Imported")
    ids = {p.existing_id for p in plans}
    existing = Customer.objects.in_bulk(ids)
    last_change = dict(
        StageChange.objects.filter(customer_id__in=ids)
        .values("customer_id")
        .annotate(last=Max("at"))
        .values_list("customer_id", "last")
    )
    known_contacts: dict[int, set[str]] = defaultdict(set)
    for cid, name, phone in Contact.objects.filter(customer_id__in=ids).values_list(
        "customer_id", "name", "phone"
    ):
        known_contacts[cid].add(phone or f"name:{name}")
    changed_fields: set[str] = set()
    to_save: dict[int, Customer] = {}
    reassigned: list[int] = []
    for plan in plans:
        customer = existing.get(plan.existing_id)  # type: ignore[arg-type]
        if customer is None:  # deleted meanwhile
            plan.action = "create"
            continue
        values = plan.row.values
        stage = values.get("stage")
        at = plan.stage_at or now
        last = last_change.get(customer.pk)
        if stage and stage != customer.stage and last is not None and at < last:
            # History is kept in order: a change dated before the last recorded one
            # would rewrite it (STYLE.md, Models: history is never overwritten).
            plan.action = "reject"
            _add_error(
                plan.row,
                "stage_date",
                _("the customer's stage last changed on %(date)s, after this date")
                % {"date": timezone.localdate(last).isoformat()},
            )
            continue
        touched: list[str] = []
        for fld in _CUSTOMER_COPY:
            value = values.get(fld)
            if value is not None and getattr(customer, fld) != value:
                setattr(customer, fld, value)
                touched.append(fld)
        if {"name", "short_name"} & set(touched):
            customer_fill_derived(customer)
            touched += ["name_key", "pinyin_initials"]
        owner = plan.owner if plan.owner_given else customer.owner
        owner_id = owner.pk if owner else None
        if plan.team_given:
            team = plan.team
        elif owner_id != customer.owner_id:
            team = resolver.team_of(owner, resolver.today) or customer.team
        else:
            team = customer.team
        if owner_id != customer.owner_id or (team.pk if team else None) != customer.team_id:
            if owner_id != customer.owner_id:
                customer.pool_since = None if owner else now
            customer.owner = owner
            customer.team = team
            touched += ["owner", "team", "pool_since"]
            reassigned.append(customer.pk)
            ownerships.append(
                Ownership(
                    customer_id=customer.pk,
                    owner=owner,
                    team=team,
                    start=now,
                    changed_by=by,
                    reason=reason,
                )
            )
        if stage and stage != customer.stage:
            changes.append(
                StageChange(
                    customer_id=customer.pk,
                    from_stage=customer.stage,
                    to_stage=stage,
                    at=at,
                    by=by,
                    reason=reason,
                    source=StageChange.Source.IMPORT,
                    rep=customer.owner,
                    team=resolver.team_of(customer.owner, timezone.localdate(at)) or customer.team,
                )
            )
            customer.stage = stage  # type: ignore[assignment]
            customer.stage_changed_at = at
            touched += ["stage", "stage_changed_at"]
        contact = _new_contact(customer.pk, values)
        if contact is not None:
            marker = contact.phone or f"name:{contact.name}"
            if marker not in known_contacts[customer.pk]:
                known_contacts[customer.pk].add(marker)
                contacts.append(contact)
                touched.append("contacts")
        plan.customer_id = customer.pk
        if not touched:
            plan.action = "unchanged"
            plan.note = _("already up to date")
            continue
        plan.changes = touched
        changed_fields.update(f for f in touched if f != "contacts")
        to_save[customer.pk] = customer
    if reassigned:
        Ownership.objects.filter(customer_id__in=reassigned, end__isnull=True).update(end=now)
    if changed_fields:
        for customer in to_save.values():
            customer.updated_at = now
        Customer.objects.bulk_update(
            list(to_save.values()), sorted(changed_fields | {"updated_at"}), batch_size=500
        )


# --------------------------------------------------------------------------- revenue
def _plan_revenue(
    job: ImportJob, rows: Sequence[ParsedRow], resolver: _Resolver, rejected: set[int]
) -> list[_Plan]:
    """Find each row's customer and what the upsert on (customer, month, product) does.
    Two queries for the whole chunk."""
    plans = [_Plan(row) for row in rows]
    ident: dict[int, list[tuple[str, str]]] = {}
    for plan in plans:
        if not plan.row.errors:
            values = plan.row.values
            ident[id(plan)] = dedupe_keys(
                {f: values.get(f) for f in ("credit_code", "external_code", "name")}
            )
    wanted: dict[str, set[str]] = defaultdict(set)
    for keys in ident.values():
        for kind, value in keys:
            wanted[kind].add(value)
    matches: dict[tuple[str, str], list[int]] = defaultdict(list)
    condition = Q()
    for kind, column in (
        ("credit_code", "credit_code"),
        ("external_code", "external_code"),
        ("name", "name_key"),
    ):
        if wanted[kind]:
            condition |= Q(**{f"{column}__in": wanted[kind]})
    if condition:
        for pk, credit, code, key in (
            Customer.objects.filter(condition)
            .order_by("id")
            .values_list("id", "credit_code", "external_code", "name_key")
        ):
            for kind, value in (("credit_code", credit), ("external_code", code), ("name", key)):
                if value and value in wanted[kind]:
                    matches[(kind, value)].append(pk)
    for plan in plans:
        row = plan.row
        if row.errors:
            plan.action = "reject"
            continue
        if row.duplicate_of is not None:
            if row.duplicate_of in rejected:
                plan.action = "reject"
                _add_error(
                    row,
                    "",
                    _("same customer and month as row %(row)d, which was rejected")
                    % {"row": row.duplicate_of},
                )
            else:
                plan.action = "duplicate"
                plan.note = _("duplicate of row %(row)d") % {"row": row.duplicate_of}
            continue
        for kind, value in ident[id(plan)]:
            found = matches.get((kind, value), [])
            if len(found) == 1:
                plan.customer_id = found[0]
                break
            if len(found) > 1:
                _add_error(
                    row,
                    kind,
                    _("%(n)d customers match %(value)s; give the credit code or customer code")
                    % {"n": len(found), "value": value},
                )
                break
        if plan.customer_id is None:
            if not row.errors:
                label = ", ".join(v for _k, v in ident[id(plan)])
                _add_error(row, "customer", _("no customer matches %(value)s") % {"value": label})
            plan.action = "reject"
            continue
        plan.action = "create"
    # Existing records of the matched customers for the chunk's months: one query.
    live = [p for p in plans if p.action == "create"]
    if live:
        months = {p.row.values["month"] for p in live}
        existing = {
            (cid, month, product): (pk, billed)
            for pk, cid, month, product, billed in RevenueRecord.objects.filter(
                customer_id__in={p.customer_id for p in live}, month__in=months
            ).values_list("id", "customer_id", "month", "product", "billed")
        }
        for plan in live:
            values = plan.row.values
            key = (plan.customer_id, values["month"], values.get("product") or "")
            if key in existing:
                pk, billed = existing[key]
                plan.existing_id = pk
                if billed == values["billed"]:
                    plan.action = "unchanged"
                    plan.note = _("already up to date")
                else:
                    plan.action = "update"
    return plans


def _apply_revenue(job: ImportJob, plans: Sequence[_Plan]) -> None:
    new = [
        RevenueRecord(
            customer_id=p.customer_id,
            month=p.row.values["month"],
            product=p.row.values.get("product") or "",
            billed=p.row.values["billed"],
            import_job=job,
        )
        for p in plans
        if p.action == "create"
    ]
    RevenueRecord.objects.bulk_create(new)
    changed = [
        RevenueRecord(pk=p.existing_id, billed=p.row.values["billed"], import_job=job)
        for p in plans
        if p.action == "update"
    ]
    if changed:
        RevenueRecord.objects.bulk_update(changed, ["billed", "import_job"], batch_size=500)


def _close_billing_months(job: ImportJob, months: set[dt.date]) -> None:
    """A BillingMonth for each month the completed revenue import contained (DOMAIN.md
    section 9: month M's billing is in once a revenue import for M has completed)."""
    have = set(BillingMonth.objects.filter(month__in=months).values_list("month", flat=True))
    BillingMonth.objects.bulk_create(
        [
            BillingMonth(month=m, closed_by=job.created_by, import_job=job)
            for m in sorted(months - have)
        ]
    )


# --------------------------------------------------------------------------- preview
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
        return plan.owner.name if plan.owner else str(value)
    if fld == "team":
        return plan.team.name if plan.team else str(value)
    if fld == "stage":
        return str(Stage(value).label)
    if fld == "segment":
        return str(Segment(value).label)
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
    converted value and problem. Raises ValidationError (``file``) when the stored file
    can no longer be read. Reads only; writes nothing.
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
    mapping = dict(parsed.mapping)
    width = max([len(parsed.headers), *(len(r.raw) for r in parsed.rows)])
    columns = [
        PreviewColumn(i, parsed.headers[i] if i < len(parsed.headers) else "", mapping.get(i))
        for i in range(width)
    ]
    unknown = [c.header for c in columns if c.field is None and c.header.strip()]
    unknown += [u for u in parsed.unknown_columns if u not in unknown]
    counts: dict[str, int] = defaultdict(int)
    rows = []
    for plan in plans:
        row = plan.row
        if row.errors:
            plan.action = "reject"
        counts[plan.action] += 1
        errors_by_field: dict[str, list[str]] = defaultdict(list)
        for error in row.errors:
            errors_by_field[error.field].append(translate_reason(error.reason))
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
            f"{FIELD_LABELS[e.field]}: {translate_reason(e.reason)}"
            if e.field in FIELD_LABELS
            else translate_reason(e.reason)
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


# --------------------------------------------------------------------------- execute
def _column_of(parsed: ParsedSheet) -> dict[str, str]:
    return {
        fld: parsed.headers[i] if i < len(parsed.headers) else ""
        for i, fld in parsed.mapping.items()
        if fld
    }


@transaction.atomic
def import_job_confirm(*, job: ImportJob) -> bool:
    """Queue a job awaiting confirmation: preview -> pending, then (after commit) the
    Celery task ``import_job_run``. Returns False when the job was not in preview (a
    second click), in which case nothing is queued."""
    from .tasks import import_job_run

    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
        status=ImportJob.Status.PENDING
    )
    if not claimed:
        return False
    job.status = ImportJob.Status.PENDING
    pk = job.pk
    transaction.on_commit(lambda: import_job_run.delay(pk))
    return True


def import_job_is_stale(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """True when a running job's worker must be dead: it started longer ago than the
    task's hard time limit (after which Celery kills it)."""
    from .tasks import IMPORT_TIME_LIMIT

    if job.status != ImportJob.Status.RUNNING or job.started_at is None:
        return False
    return (now or timezone.now()) - job.started_at > dt.timedelta(seconds=IMPORT_TIME_LIMIT)


@transaction.atomic
def import_job_retry(*, job: ImportJob) -> bool:
    """Queue a failed (or stale running) job again; it resumes after the rows already
    saved. Returns False when the job is in neither state."""
    from .tasks import import_job_run

    if job.status == ImportJob.Status.RUNNING and not import_job_is_stale(job):
        return False
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.FAILED, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.PENDING, finished_at=None, message="")
    if not claimed:
        return False
    job.status = ImportJob.Status.PENDING
    pk = job.pk
    transaction.on_commit(lambda: import_job_run.delay(pk))
    return True


def import_job_fail(*, job_id: int, message: str) -> None:
    """Mark a running job failed with a user-facing message (what was saved stays)."""
    ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.RUNNING, ImportJob.Status.PENDING]
    ).update(status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now())


def import_job_execute(*, job: ImportJob, chunk_rows: int = CHUNK_ROWS) -> ImportJob:
    """Run an import: parse the whole file, then write it in chunks of ``chunk_rows``.

    Works from any status but done (a done job is returned unchanged). Each chunk is
    one transaction that writes its rows and saves the job's progress, counts and
    errors, so a crash keeps the committed chunks and a new run resumes after
    ``processed_rows`` with the same final result. Counts: every data row ends in
    exactly one of created, updated, duplicates (skipped, or unchanged by an update),
    rejected. ``errors``: ``[{"row", "field", "column", "reason"}]`` for rejected rows,
    in file order. At the end: the error workbook (when rows were rejected) and, for
    revenue, the BillingMonth rows of its months (DOMAIN.md section 9). A file that can
    no longer be read fails the job with the parser's message.
    """
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
        parsed = _parse(job, _file_bytes(job))
    except FileRefused as exc:
        job.status = ImportJob.Status.FAILED
        job.message = _refused(exc)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return job
    rows = parsed.rows
    resolver = _Resolver(job, rows)
    _validate_rows(job, rows, resolver)
    for row in rows:
        # The cells as read are only needed for the error workbook, which parses the
        # file again; freeing them now keeps the peak memory at the parser's.
        row.raw = []
    mark_duplicates_in_file(rows)
    del rows
    months, errors = _execute_chunks(job, parsed, resolver, chunk_rows)
    del parsed
    with transaction.atomic():
        if job.kind == ImportJob.Kind.REVENUE:
            _close_billing_months(job, months)
        job.errors = errors
        if job.rejected_count and not job.error_file:
            content = import_error_workbook(job=job)
            job.error_file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(content), save=False)
        job.status = ImportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at", "error_file", "errors"])
    if job.created_count or job.updated_count:
        from kpi.services import kpi_after_import  # kpi reads customers; import late

        transaction.on_commit(lambda: kpi_after_import(by=job.created_by))
    return job


def _execute_chunks(
    job: ImportJob, parsed: ParsedSheet, resolver: _Resolver, chunk_rows: int
) -> tuple[set[dt.date], list[dict[str, object]]]:
    """Write the rows after ``job.processed_rows`` chunk by chunk; returns the months of
    the rows not rejected (revenue) and the errors of all rejected rows."""
    rows = parsed.rows
    columns = _column_of(parsed)
    job.total_rows = len(rows)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    errors: list[dict[str, object]] = list(job.errors or [])
    rejected = {int(e["row"]) for e in errors}  # type: ignore[call-overload]
    start = min(job.processed_rows, len(rows))
    plan_chunk = _plan_revenue if job.kind == ImportJob.Kind.REVENUE else _plan_customers
    months: set[dt.date] = set()

    def release(row: ParsedRow) -> None:
        """Keep the month (for billing) of a row that was written and let its values
        go, so the next chunks reuse the memory."""
        if row.row_number in rejected:
            return
        month = row.values.get("month")
        if isinstance(month, dt.date):
            months.add(month)
        row.values = _RELEASED

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
                    for error in plan.row.errors:
                        errors.append(
                            {
                                "row": plan.row.row_number,
                                "field": error.field,
                                "column": columns.get(error.field, ""),
                                "reason": error.reason,
                            }
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
    return months, errors


# --------------------------------------------------------------------------- errors
_CELL_TYPES = (str, int, float, bool, Decimal, dt.date, dt.datetime, dt.time, dt.timedelta)


def _safe_cell(value: object) -> object:
    """A value openpyxl can write: control characters dropped, odd types as text."""
    if value is None or value == "":
        return None
    if not isinstance(value, _CELL_TYPES):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def import_error_workbook(*, job: ImportJob, parsed: ParsedSheet | None = None) -> bytes:
    """The rejected rows of ``job`` as an .xlsx: the file's header row plus a reason
    column, then each rejected row's cells as they were in the file and its reasons.

    Text stays text (``000001`` and text starting with ``=`` are never turned into
    numbers or formulas), so the admin can fix the rows and import the file again.
    ``parsed``: the job's parsed file when at hand (else it is parsed again).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    if parsed is None:
        parsed = _parse(job, _file_bytes(job))
    reasons: dict[int, list[str]] = defaultdict(list)
    for error in job.errors or []:
        fld = str(error.get("field") or "")
        label = str(error.get("column") or fld)
        reason = translate_reason(error["reason"])
        text = f"{label}: {reason}" if label else reason
        reasons[int(error["row"])].append(text)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(parsed.sheet or "errors")[:31])
    bold = Font(bold=True)
    red = PatternFill("solid", fgColor="FEE4E2")

    def text_cell(value: object, **style: object) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=_safe_cell(value))
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # keep it as the text it was, never a formula
        for name, val in style.items():
            setattr(cell, name, val)
        return cell

    width = max(
        [len(parsed.headers), *(len(r.raw) for r in parsed.rows if r.row_number in reasons)]
    )
    headers = list(parsed.headers) + [""] * (width - len(parsed.headers))
    ws.append(
        [text_cell(h, font=bold) for h in headers] + [text_cell(_("Reason"), font=bold, fill=red)]
    )
    for row in parsed.rows:
        if row.row_number not in reasons:
            continue
        raw = list(row.raw) + [""] * (width - len(row.raw))
        cells = []
        for value in raw:
            cell = text_cell(value)
            if isinstance(value, dt.datetime | dt.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        note = _("row %(row)d: %(reasons)s") % {
            "row": row.row_number,
            "reasons": "; ".join(reasons[row.row_number]),
        }
        ws.append([*cells, text_cell(note, fill=red)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- billing
@transaction.atomic
def billing_month_close(*, month: dt.date, by: User | None) -> BillingMonth:
    """Close the billing of ``month`` by hand (its revenue is in even without an import),
    so lagged ARPU for the next month is no longer pending (DOMAIN.md section 9).

    ``month`` is any day of the month; idempotent (an already closed month is returned
    unchanged). Raises ValidationError for the current or a future month, whose
    billing cannot be complete.
    """
    first = month.replace(day=1)
    if first >= local_today().replace(day=1):
        raise ValidationError(
            {"month": _("Only a past month can be closed; its billing arrives the month after.")}
        )
    closed, _created = BillingMonth.objects.get_or_create(
        month=first, defaults={"closed_by": by, "closed_at": timezone.now()}
    )
    return closed
