"""Weekly reports (工作周报), personal and team, one per ISO week (docs/domain section 4).

``week`` is the Monday (local) of the ISO week. Figures are recomputed until submission
and frozen into ``figures`` when submitted, so a later data fix shows as a difference
instead of a silent change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import ScopedQuerySet


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")


class WeeklyReportQuerySet(ScopedQuerySet["WeeklyReport"]):
    """Personal weekly reports: seen by the rep and their team's viewers; changed by the
    rep. The one scoping rule of the model (``accounts.scoping.ScopedQuerySet``)."""

    scope_owner_field = "rep"
    scope_team_field = "team"
    scope_editors = "author"


class WeeklyReport(models.Model):
    """A rep's weekly report: computed figures vs plan, key customers, analysis, next goals.

    ``plan`` holds this week's goals (last week's ``next_goals``); both map metric -> number.
    """

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="weekly_reports"
    )
    team = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="weekly_reports"
    )
    week = models.DateField(_("week (Monday)"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    plan = models.JSONField(_("this week's plan"), default=dict, blank=True)
    next_goals = models.JSONField(_("next week's goals"), default=dict, blank=True)
    analysis = models.TextField(_("analysis of results"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    evaluation = models.TextField(_("supervisor evaluation"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WeeklyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-week", "rep_id"]
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        constraints = [
            models.UniqueConstraint(fields=["rep", "week"], name="weekly_report_once_per_week"),
            models.CheckConstraint(
                condition=Q(week__week_day=2), name="weekly_report_week_is_monday"
            ),
        ]
        indexes = [models.Index(fields=["team", "week"])]

    def __str__(self) -> str:
        return f"{self.rep} {self.week:%G-W%V}"

    def is_locked(self) -> bool:
        """Submitted or reviewed reports are read-only to their author."""
        return self.status != ReportStatus.DRAFT


class WeeklyReportRevision(models.Model):
    """A frozen copy of a personal report before an amendment."""

    report = models.ForeignKey(
        WeeklyReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    content = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["report_id", "-number"]
        verbose_name = _("weekly report revision")
        verbose_name_plural = _("weekly report revisions")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="weekly_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} r{self.number}"


class WeeklyKeyCustomer(models.Model):
    """A key customer in progress on a personal report, with next week's tracking plan."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="key_customers")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    needs_analysis = models.TextField(_("needs analysis"), blank=True)
    tracking_plan = models.TextField(_("tracking plan"), blank=True)

    class Meta:
        ordering = ["report_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "customer"], name="weekly_key_customer_once")
        ]

    def __str__(self) -> str:
        return str(self.customer_id)


class WeeklyComment(models.Model):
    """A comment on a personal weekly report."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mentions"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        ordering = ["report_id", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class TeamWeeklyReportQuerySet(ScopedQuerySet["TeamWeeklyReport"]):
    """Team weekly reports: seen by their author and the team's viewers; changed by the
    team's supervisor. The one scoping rule of the model
    (``accounts.scoping.ScopedQuerySet``)."""

    scope_owner_field = "author"
    scope_team_field = "team"
    scope_editors = "supervisor"


class TeamWeeklyReport(models.Model):
    """A team's weekly report (小组活动统计): figures per member, key customers, key
    coachees, summary and next week's training. Written by the supervisor."""

    team = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="team_weekly_reports"
    )
    week = models.DateField(_("week (Monday)"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    figures = models.JSONField(default=dict, blank=True)
    summary = models.TextField(_("team summary"), blank=True)
    training_topics = models.TextField(_("next week's training"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TeamWeeklyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-week", "team_id"]
        verbose_name = _("team weekly report")
        verbose_name_plural = _("team weekly reports")
        constraints = [
            models.UniqueConstraint(fields=["team", "week"], name="weekly_team_report_once"),
            models.CheckConstraint(
                condition=Q(week__week_day=2), name="weekly_team_report_week_is_monday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.week:%G-W%V}"


class TeamKeyCustomer(models.Model):
    """A row of the team report's key customer list."""

    report = models.ForeignKey(
        TeamWeeklyReport, on_delete=models.CASCADE, related_name="key_customers"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    needs_analysis = models.TextField(_("needs analysis"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    tracking_plan = models.TextField(_("this week's tracking plan"), blank=True)

    class Meta:
        ordering = ["report_id", "id"]

    def __str__(self) -> str:
        return str(self.customer_id)


class KeyCoachee(models.Model):
    """A key coachee of the week (重点辅导组员); not necessarily a poor performer."""

    report = models.ForeignKey(
        TeamWeeklyReport, on_delete=models.CASCADE, related_name="key_coachees"
    )
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    problem = models.TextField(_("problem"), blank=True)
    coaching_content = models.TextField(_("coaching content"), blank=True)
    tracked_effect = models.TextField(_("tracked effect"), blank=True)
    plan = models.ForeignKey(
        "coaching.CoachingPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["report_id", "id"]

    def __str__(self) -> str:
        return str(self.rep_id)


class TeamWeeklyComment(models.Model):
    """A comment on a team weekly report (e.g. by the manager)."""

    report = models.ForeignKey(TeamWeeklyReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mentions"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        ordering = ["report_id", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class WeeklyReportRead(models.Model):
    """Who read a submitted personal weekly report and when (已读): one row per reader."""

    report = models.ForeignKey(
        WeeklyReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="reads"
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    first_read_at = models.DateTimeField(_("first read"))
    last_read_at = models.DateTimeField(_("last read"))

    class Meta:
        ordering = ["report_id", "first_read_at", "id"]
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["report", "reader"], name="weekly_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.reader_id}"
