"""Targets (目标管理), KPI runs and snapshots, and the monthly business analysis
(月度经营分析与计划). docs/domain sections 4b, 6 and 9.

Snapshots hold computed values per scope (rep, team, branch), period (month or ISO week)
and metric; a run is a row the dashboard shows while Celery computes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.labels import lazy_label
from accounts.scoping import Scope, ScopedQuerySet
from domain import metrics as registry


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    WEEK = "week", _("ISO week")


class ScopeKind(models.TextChoices):
    REP = "rep", _("Rep")
    TEAM = "team", _("Team")
    BRANCH = "branch", _("Branch")


def _metric(name: str) -> tuple[str, Promise]:
    entry = registry.metric(name)
    if not entry.targetable:
        raise ValueError(f"{name} is not targetable in domain.metrics")
    return name, lazy_label(entry.label_zh, entry.label_en)


class TargetMetric(models.TextChoices):
    """Metrics a target can be set for (docs/domain, section 4b): targetable names of the
    metric registry (``domain.metrics``), with its labels, so completion rates compare
    like with like."""

    NEW_REVENUE = _metric("new_revenue")
    RETAINED_REVENUE = _metric("retained_revenue")
    TOTAL_REVENUE = _metric("total_revenue")
    RECEIVED = _metric("received")
    SALES_REVENUE = _metric("sales_revenue")
    NEW_SALES_REVENUE = _metric("new_sales_revenue")
    NEW_TARGETS = _metric("new_targets")
    VISITS = _metric("visits")
    CUSTOMERS_VISITED = _metric("customers_visited")
    EFFECTIVE_CUSTOMERS = _metric("effective_customers")
    INTENTS = _metric("intents")
    DEALS = _metric("deals")
    INSTALLATIONS = _metric("installations")
    RETAINED_FOLLOW_UPS = _metric("retained_follow_ups")
    MILESTONES = _metric("milestones")


class TargetQuerySet(ScopedQuerySet["Target"]):
    """Targets (docs/domain, section 4b): a rep reads their own; the leads of a team (its
    supervisor, managers above, admins) read and set the team's target and those of the
    people in the team today (``Scope.visible_user_ids``: memberships active on the scope's
    day, so a rep who has moved to another team is no longer theirs, and a lead who has
    left the team keeps nothing). The one scoping rule of the model."""

    scope_owner_field = "rep"
    scope_team_field = "team"
    scope_editors = "lead"

    def visible_to(self, scope: Scope) -> models.QuerySet[Target]:
        """The viewer's own targets, those of the visible teams and of their members today;
        admins all, anonymous none."""
        if not scope.is_authenticated:
            return self.none()
        if scope.is_admin:
            return self.all()
        users = sorted(scope.visible_user_ids or {scope.user_id or 0})
        teams = sorted(scope.visible_team_ids or ())
        return self.filter(Q(rep_id__in=users) | Q(team_id__in=teams))

    def editable_by(self, scope: Scope) -> models.QuerySet[Target]:
        """Targets the viewer sets: of the teams they lead and of those teams' members today
        (never their own as a rep)."""
        visible = self.visible_to(scope)
        if scope.is_admin or not scope.is_authenticated:
            return visible
        users = sorted(uid for uid in scope.visible_user_ids or () if uid != scope.user_id)
        teams = sorted(scope.visible_team_ids or ())
        return visible.filter(Q(rep_id__in=users) | Q(team_id__in=teams))

    @classmethod
    def can_edit(cls, row: models.Model, scope: Scope) -> bool:
        """:meth:`editable_by` for one row already read (one cached query for the members)."""
        if not scope.is_authenticated:
            return False
        if scope.is_admin:
            return True
        team_id, rep_id = getattr(row, "team_id", None), getattr(row, "rep_id", None)
        if team_id is not None:
            return scope.can_lead_team(team_id)
        members = scope.visible_user_ids or frozenset()
        return rep_id is not None and rep_id != scope.user_id and rep_id in members


class Target(models.Model):
    """A monthly target for one rep or one team (exactly one of the two).

    ``weeks`` optionally splits the month into ISO weeks: {"2026-W43": "12.00", ...};
    when empty, weekly targets are the month's value pro rata to the week's work days in it
    (the work calendar; docs/domain, section 4b).
    Set by a supervisor or manager; acknowledged by the rep.
    """

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="targets",
    )
    team = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="targets",
    )
    month = models.DateField(_("month"))
    metric = models.CharField(_("metric"), max_length=24, choices=TargetMetric.choices)
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    weeks = models.JSONField(_("weekly split"), default=dict, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("set"), auto_now=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "team_id", "rep_id", "metric"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=(Q(rep__isnull=False) & Q(team__isnull=True))
                | (Q(rep__isnull=True) & Q(team__isnull=False)),
                name="kpi_target_rep_xor_team",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="kpi_target_month_first_day"),
            models.CheckConstraint(condition=Q(value__gte=0), name="kpi_target_not_negative"),
            models.UniqueConstraint(
                fields=["rep", "month", "metric"],
                condition=Q(rep__isnull=False),
                name="kpi_target_once_per_rep",
            ),
            models.UniqueConstraint(
                fields=["team", "month", "metric"],
                condition=Q(team__isnull=False),
                name="kpi_target_once_per_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep or self.team} {self.month:%Y-%m} {self.metric}={self.value}"


class KpiRun(models.Model):
    """One recompute: what triggered it, its status and progress (parts done / parts)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly")
        IMPORT = "import", _("Import")
        JOURNAL = "journal", _("Journal submitted")
        STAGE = "stage", _("Stage change")
        MANUAL = "manual", _("Recompute now")
        COMMAND = "command", _("Command line")

    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    periods = models.JSONField(_("periods"), default=list)  # ["2026-10", "2026-W43"]
    scope = models.CharField(_("scope"), max_length=60, blank=True)  # "" = all, "team:CODE"
    parts_total = models.PositiveIntegerField(default=0)
    parts_done = models.PositiveIntegerField(default=0)
    snapshots_written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Recovery (kpi.reconcile): the parts planned at claim time ([["team", 3], ...]), the
    # last sign of life of a worker on this run, and how often it was re-queued.
    plan = models.JSONField(default=list, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("KPI run")
        verbose_name_plural = _("KPI runs")

    def __str__(self) -> str:
        return f"KPI run {self.pk} ({self.status})"

    @property
    def progress_percent(self) -> int:
        """0-100 from parts done over parts total; 100 when done."""
        if self.status == self.Status.DONE:
            return 100
        return round(100 * self.parts_done / self.parts_total) if self.parts_total else 0


class KpiRunPart(models.Model):
    """One finished part of a run (a team or a branch). The unique key makes completion
    idempotent: a part delivered twice is counted once (kpi.services.kpi_run_part_done)."""

    run = models.ForeignKey(KpiRun, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(max_length=6)  # "team" or "branch"
    unit_id = models.BigIntegerField()
    rows = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run_id", "kind", "unit_id"]
        verbose_name = _("KPI run part")
        verbose_name_plural = _("KPI run parts")
        constraints = [
            models.UniqueConstraint(fields=["run", "kind", "unit_id"], name="kpi_run_part_once")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} {self.kind}:{self.unit_id}"


class KpiSnapshot(models.Model):
    """A computed KPI value for one scope, period and metric.

    ``value`` is None when the denominator is empty or the figure is pending (docs/domain
    section 9: "An empty denominator gives no value"); ``status`` says which. Upserted on
    the natural key, so recomputing gives identical rows instead of duplicates.
    """

    class Status(models.TextChoices):
        OK = "ok", _("OK")
        PENDING = "pending", _("Pending")
        NO_DATA = "no_data", _("No value")

    scope_kind = models.CharField(max_length=6, choices=ScopeKind.choices)
    scope_id = models.BigIntegerField()
    period_kind = models.CharField(max_length=5, choices=PeriodKind.choices)
    period_start = models.DateField()
    metric = models.CharField(max_length=120)
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    numerator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OK)
    computed_at = models.DateTimeField()
    run = models.ForeignKey(
        KpiRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="snapshots"
    )

    class Meta:
        ordering = ["scope_kind", "scope_id", "period_start", "metric"]
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_kind", "scope_id", "period_kind", "period_start", "metric"],
                name="kpi_snapshot_natural_key",
            )
        ]
        indexes = [models.Index(fields=["period_kind", "period_start", "scope_kind"])]

    def __str__(self) -> str:
        return f"{self.scope_kind}:{self.scope_id} {self.period_start} {self.metric}={self.value}"


class MonthlyAnalysisQuerySet(ScopedQuerySet["MonthlyAnalysis"]):
    """Monthly analyses (docs/domain, section 4b): seen by their author, the rep they are
    about and the viewers of their team (memberships active on the scope's day); changed
    by the author alone (state rules, a draft only, stay in ``kpi.analysis``). The one
    scoping rule of the model."""

    scope_owner_field = "author"
    scope_team_field = "team"
    scope_editors = "author"

    def visible_to(self, scope: Scope) -> models.QuerySet[MonthlyAnalysis]:
        """Written by or about the viewer, or of a visible team; admins all, anonymous none."""
        if not scope.is_authenticated:
            return self.none()
        if scope.is_admin:
            return self.all()
        teams = sorted(scope.visible_team_ids or ())
        return self.filter(
            Q(author_id=scope.user_id) | Q(rep_id=scope.user_id) | Q(team_id__in=teams)
        )


class MonthlyAnalysis(models.Model):
    """Monthly business analysis and plan (月度经营分析与计划), personal (rep) or team.

    ``results`` freezes last month's targets vs actuals at submission; ``gaps`` holds the
    author's explanation per metric; ``plan`` is next month's plan.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="monthly_analyses",
    )
    team = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="monthly_analyses"
    )
    month = models.DateField(_("month"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    results = models.JSONField(default=dict, blank=True)
    gaps = models.JSONField(default=dict, blank=True)
    plan = models.TextField(_("next month's plan"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.PositiveSmallIntegerField(default=1)

    objects = MonthlyAnalysisQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "team_id", "rep_id"]
        verbose_name = _("monthly analysis")
        verbose_name_plural = _("monthly analyses")
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "month"], condition=Q(rep__isnull=False), name="kpi_analysis_rep"
            ),
            models.UniqueConstraint(
                fields=["team", "month"], condition=Q(rep__isnull=True), name="kpi_analysis_team"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="kpi_analysis_month_first"),
        ]

    def __str__(self) -> str:
        return f"{self.rep or self.team} {self.month:%Y-%m}"


class MonthlyAnalysisComment(models.Model):
    """A comment on a monthly analysis."""

    analysis = models.ForeignKey(MonthlyAnalysis, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        ordering = ["analysis_id", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:50]


class KpiDirty(models.Model):
    """A (team, period) whose snapshots are out of date after an import, a submitted journal
    or a stage change, with one debounced recompute scheduled (kpi.services.kpi_touch);
    ``team`` may also be a branch, marked after one of its teams was recomputed.

    The row exists from the first touch until the scheduled task starts; touches in between
    find it and enqueue nothing (the unique key makes that safe across processes).
    """

    team = models.ForeignKey("accounts.OrgUnit", on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(max_length=5, choices=PeriodKind.choices)
    period_start = models.DateField()
    trigger = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The broker refused the recompute's message (outage): the next touch or the
    # reconciler sends it, so the mark never blocks later recomputes.
    enqueue_failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("KPI recompute pending")
        verbose_name_plural = _("KPI recomputes pending")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period_kind", "period_start"], name="kpi_dirty_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.period_kind} {self.period_start}"


class KpiPartial(models.Model):
    """The sums behind one unit's figures for one period (docs/architecture.md, "Incremental
    recompute"): ``keys`` are the sum names (``kpi.calculations.sums``), ``totals`` their
    sum over the customer buckets (one :class:`KpiPartialBucket` row each), ``fingerprint``
    a digest of everything the sums depend on besides the customers' own rows (scopes,
    memberships, settings, time zone), so a change there rebuilds them. ``unit`` is the
    team (or branch) whose recompute keeps them."""

    unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(max_length=5, choices=PeriodKind.choices)
    period_start = models.DateField()
    fingerprint = models.CharField(max_length=64)
    buckets = models.PositiveIntegerField()
    keys = models.JSONField(default=list)
    # The sum over every bucket: int64, shape (len(keys), scopes); each bucket's own sums
    # are a KpiPartialBucket row.
    totals = models.BinaryField()
    # The customers the unit's figures are computed over (kpi.loading.customer_ids_for_teams
    # at the last rebuild, plus every customer marked since): int64 ids, ascending.
    members = models.BinaryField()
    # Digest of what the figures add to the sums (targets, billing months): when it and a
    # scope's sums are unchanged, that scope's stored figures are unchanged too.
    assembly = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_id", "period_kind", "period_start"]
        verbose_name = _("KPI partial sums")
        verbose_name_plural = _("KPI partial sums")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_kind", "period_start"], name="kpi_partial_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period_kind} {self.period_start}"


class KpiPartialBucket(models.Model):
    """One customer bucket's sums of a :class:`KpiPartial`: int64, shape (k, scopes) where
    k <= len(partial.keys) (keys added later are zeros for this bucket)."""

    partial = models.ForeignKey(KpiPartial, on_delete=models.CASCADE, related_name="bucket_rows")
    bucket = models.PositiveIntegerField()
    sums = models.BinaryField()

    class Meta:
        ordering = ["partial_id", "bucket"]
        verbose_name = _("KPI partial sums of a bucket")
        verbose_name_plural = _("KPI partial sums of buckets")
        constraints = [
            models.UniqueConstraint(fields=["partial", "bucket"], name="kpi_partial_bucket_once")
        ]

    def __str__(self) -> str:
        return f"{self.partial_id} #{self.bucket}"


class KpiDirtyCustomer(models.Model):
    """A customer of a (unit, period) whose part of the stored sums is out of date: written by
    the touch of a change (``kpi.services.kpi_touch``; ``customer_id`` -1 when the change
    names no customer: every customer) and taken by the unit's next recompute
    (``kpi/partials.py``)."""

    ALL = -1

    unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(max_length=5, choices=PeriodKind.choices)
    period_start = models.DateField()
    customer_id = models.BigIntegerField()

    class Meta:
        ordering = ["unit_id", "period_kind", "period_start", "customer_id"]
        verbose_name = _("KPI customer to recompute")
        verbose_name_plural = _("KPI customers to recompute")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_kind", "period_start", "customer_id"],
                name="kpi_dirty_customer_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period_kind} {self.period_start} #{self.customer_id}"
