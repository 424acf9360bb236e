"""Customer files (DOMAIN.md section 5): company data, contacts, products and needs, news,
contracts, monthly revenue, service evaluations, ownership and funnel-stage history, and
the import jobs that bring customer and revenue lists in from Excel.

History that KPIs depend on (stage changes, ownership) is stored as dated rows and never
overwritten (STYLE.md, Models). Each stage change also records the rep and team it is
attributed to at its date (DOMAIN.md section 9, Attribution).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.labels import label_of
from domain import stages

MONEY = {"max_digits": 14, "decimal_places": 2}


class Stage(models.TextChoices):
    """Funnel stages for ordinary customers (docs/domain, section 6), in funnel order:
    codes and labels are ``domain.stages.STAGES``."""

    LEAD = stages.LEAD, label_of(stages.STAGES, stages.LEAD)
    TARGET = stages.TARGET, label_of(stages.STAGES, stages.TARGET)
    RELATIONSHIP = stages.RELATIONSHIP, label_of(stages.STAGES, stages.RELATIONSHIP)
    INTENT = stages.INTENT, label_of(stages.STAGES, stages.INTENT)
    DEAL = stages.DEAL, label_of(stages.STAGES, stages.DEAL)
    LOST = stages.LOST, label_of(stages.STAGES, stages.LOST)


#: Position of each open stage in the funnel (``domain.stages.STAGE_RANK``); LOST is outside.
STAGE_ORDER: dict[str, int] = dict(stages.STAGE_RANK)
FUNNEL = [Stage(s) for s in stages.FUNNEL_STAGES]


class Segment(models.TextChoices):
    MASS = "mass", _("Mass-market / SME")
    GROUP = "group", _("Group / key account")


class Customer(models.Model):
    """A customer file. ``owner`` null means the customer is in the public pool (公海)."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    name_key = models.CharField(_("name key"), max_length=200, db_index=True, editable=False)
    pinyin_initials = models.CharField(
        _("pinyin initials"), max_length=200, blank=True, db_index=True, editable=False
    )
    credit_code = models.CharField(
        _("unified social credit code"), max_length=32, blank=True, db_index=True
    )
    external_code = models.CharField(_("external code"), max_length=64, blank=True, db_index=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True, db_index=True)
    size = models.CharField(_("size"), max_length=50, blank=True)
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    segment = models.CharField(
        _("segment"), max_length=10, choices=Segment.choices, default=Segment.MASS
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    needs = models.TextField(
        _("needs analysis"), blank=True, help_text=_("What the customer needs (需求分析).")
    )
    latest_news = models.TextField(_("latest company news"), blank=True)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    team = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.LEAD, db_index=True
    )
    stage_changed_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last visit or follow-up"), null=True, blank=True)
    pool_since = models.DateTimeField(_("in public pool since"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["team", "stage"]),
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["last_activity_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_pool(self) -> bool:
        """True when the customer is in the public pool (no owner)."""
        return self.owner_id is None

    def days_in_stage(self, now: dt.datetime | None = None) -> int:
        """Whole days since the customer entered its current stage."""
        return max(0, ((now or timezone.now()) - self.stage_changed_at).days)


class Contact(models.Model):
    """A person at the customer; one may be the telecom project owner (通信项目负责人)."""

    class DecisionRole(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        INFLUENCER = "influencer", _("Influencer")
        USER = "user", _("User")
        GATEKEEPER = "gatekeeper", _("Gatekeeper")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, db_index=True)
    phone2 = models.CharField(_("other phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    decision_role = models.CharField(
        _("role in the decision chain"),
        max_length=20,
        choices=DecisionRole.choices,
        default=DecisionRole.OTHER,
    )
    is_project_owner = models.BooleanField(_("telecom project owner"), default=False)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["-is_project_owner", "name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class ProductUsage(models.Model):
    """A telecom product the customer uses now, or needs (通信产品使用现状与需求)."""

    class Status(models.TextChoices):
        IN_USE = "in_use", _("In use")
        NEEDED = "needed", _("Needed")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="products"
    )
    product = models.CharField(_("product"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.IN_USE
    )
    provider = models.CharField(_("provider"), max_length=100, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["status", "product", "id"]
        verbose_name = _("product in use or needed")
        verbose_name_plural = _("products in use and needs")

    def __str__(self) -> str:
        return self.product


class CustomerNote(models.Model):
    """A dated entry on the customer's timeline: a note, company news or development step."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        NEWS = "news", _("Company news")
        DEVELOPMENT = "development", _("Development record")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="notes_log"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")

    def __str__(self) -> str:
        return self.text[:50]


class Contract(models.Model):
    """A signed contract (签约记录). Its monthly value feeds weekly sales revenue."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contracts"
    )
    signed_on = models.DateField(_("signed on"))
    products = models.CharField(_("products"), max_length=200)
    monthly_value = models.DecimalField(_("monthly value"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), default=12)
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_value__gte=0), name="customers_contract_value_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.signed_on}"


class RevenueRecord(models.Model):
    """Monthly revenue of a customer (业务收入), usually from a billing export.

    ``month`` is the first day of the month. ``kind`` new/retained overrides the
    12-month rule of DOMAIN.md section 9 when the billing system says it.
    """

    class Kind(models.TextChoices):
        AUTO = "", _("By deal date")
        NEW = "new", _("New")
        RETAINED = "retained", _("Retained")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="revenue"
    )
    month = models.DateField(_("month"))
    product = models.CharField(_("product"), max_length=100, blank=True, default="")
    billed = models.DecimalField(_("billed"), **MONEY, default=Decimal("0"))
    received = models.DecimalField(_("received"), **MONEY, default=Decimal("0"))
    kind = models.CharField(_("new or retained"), max_length=10, choices=Kind.choices, blank=True)
    import_job = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month", "customer_id", "product"]
        verbose_name = _("revenue record")
        verbose_name_plural = _("revenue records")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "month", "product"], name="customers_revenue_once_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="customers_revenue_month_is_first_day"
            ),
        ]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.customer} {self.month:%Y-%m}"


class BillingMonth(models.Model):
    """A month whose billing is in: a revenue import for it completed, or an admin closed it.

    Until then lagged ARPU for the following month is *pending* (DOMAIN.md section 9).
    """

    month = models.DateField(_("month"), unique=True)
    closed_at = models.DateTimeField(_("closed"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    import_job = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("billing month")
        verbose_name_plural = _("billing months")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ServiceEvaluation(models.Model):
    """The customer's evaluation of our service (服务评价), 1 (poor) to 5 (excellent)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="evaluations"
    )
    evaluated_on = models.DateField(_("date"))
    score = models.PositiveSmallIntegerField(_("score"))
    text = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-evaluated_on", "-id"]
        verbose_name = _("service evaluation")
        verbose_name_plural = _("service evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="customers_evaluation_score_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.score}"


class Ownership(models.Model):
    """Who owned the customer from ``start`` until ``end`` (null: still). Owner null = pool."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="ownerships"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["customer_id", "-start", "-id"]
        verbose_name = _("ownership")
        verbose_name_plural = _("ownership history")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="customers_ownership_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} → {self.owner}"


class StageChange(models.Model):
    """One move of a customer between funnel stages, with who, when, from, to and why.

    ``rep`` and ``team`` are the attribution at ``at`` (DOMAIN.md section 9): the owner
    then and that owner's team on that local date.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual")
        VISIT = "visit", _("Visit")
        IMPORT = "import", _("Import")
        SYSTEM = "system", _("System")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=12, choices=Stage.choices)
    at = models.DateTimeField(_("when"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["customer_id", "at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["team", "at"]), models.Index(fields=["rep", "at"])]

    def __str__(self) -> str:
        return f"{self.customer}: {self.from_stage} → {self.to_stage}"


class StageSetting(models.Model):
    """Per-stage organisation settings: when a customer counts as stalled, and which
    customer fields must be filled before a customer may enter the stage."""

    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, unique=True)
    stall_days = models.PositiveSmallIntegerField(_("stalled after (days)"), null=True, blank=True)
    required_fields = models.JSONField(
        _("fields required to enter"),
        default=list,
        blank=True,
        help_text=_('Customer field names, e.g. ["needs"] before intent.'),
    )

    class Meta:
        ordering = ["stage"]
        verbose_name = _("stage setting")
        verbose_name_plural = _("stage settings")

    def __str__(self) -> str:
        return self.get_stage_display()

    def clean(self) -> None:
        """``required_fields`` is a list of Customer field names."""
        from django.core.exceptions import FieldDoesNotExist, ValidationError

        names = self.required_fields
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValidationError({"required_fields": _("Give a list of field names.")})
        unknown = []
        for name in names:
            try:
                Customer._meta.get_field(name)
            except FieldDoesNotExist:
                unknown.append(name)
        if unknown:
            raise ValidationError(
                {
                    "required_fields": _("Unknown customer fields: %(names)s")
                    % {"names": ", ".join(unknown)}
                }
            )


class ImportJob(models.Model):
    """One import of a customer or revenue file: options, progress, counts and errors.

    Claimed by a worker with a conditional update (status pending -> running), so a
    re-delivered task does not run it twice.
    """

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        REVENUE = "revenue", _("Monthly revenue")

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Awaiting confirmation")
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", _("Skip the row")
        UPDATE = "update", _("Update the existing customer")
        CREATE = "create", _("Create anyway")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW, db_index=True
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    on_duplicate = models.CharField(
        _("when a customer already exists"),
        max_length=10,
        choices=OnDuplicate.choices,
        default=OnDuplicate.SKIP,
    )
    date_order = models.CharField(_("date order"), max_length=3, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    team = models.ForeignKey(
        "accounts.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    duplicate_count = models.PositiveIntegerField(_("skipped as duplicate"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    error_file = models.FileField(_("error workbook"), upload_to="imports/errors/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        """0-100: processed rows over total rows; 100 when done."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_finished(self) -> bool:
        """True once the job is done or failed."""
        return self.status in {self.Status.DONE, self.Status.FAILED}
