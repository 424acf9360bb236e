"""Diagnosis findings, coaching plans with measures, goals and follow-up sessions,
one-on-one talks and the recognition board (docs/domain section 8)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.labels import FastDisplay, label_of
from accounts.notifying import render
from accounts.scoping import ScopedQuerySet
from domain import symptoms

from . import texts


class CauseCategory(models.TextChoices):
    ATTITUDE = "attitude", _("Attitude")
    KNOWLEDGE = "knowledge", _("Knowledge")
    SKILL = "skill", _("Skill")


class MeasureKind(models.TextChoices):
    COACHING = "coaching", _("Coaching")
    TRAINING = "training", _("Training")
    SUPPORT = "support", _("Support")


def _symptom(code: str) -> tuple[str, Promise]:
    return code, label_of(symptoms.SYMPTOMS, code)


class Symptom(models.TextChoices):
    """Symptoms of weak results and poor journal habits (docs/domain, sections 3 and 8):
    codes and labels are ``domain.symptoms.SYMPTOMS``."""

    FEW_TARGETS = _symptom(symptoms.FEW_TARGETS)
    WEAK_OPENING = _symptom(symptoms.WEAK_OPENING)
    NO_INTEREST = _symptom(symptoms.NO_INTEREST)
    MISSED_NEED = _symptom(symptoms.MISSED_NEED)
    HARD_TO_CLOSE = _symptom(symptoms.HARD_TO_CLOSE)
    LOW_ACTIVITY = _symptom(symptoms.LOW_ACTIVITY)
    NO_PREPARATION = _symptom(symptoms.NO_PREPARATION)
    NO_FOLLOW_UP = _symptom(symptoms.NO_FOLLOW_UP)
    MISSING_JOURNALS = _symptom(symptoms.MISSING_JOURNALS)


class DiagnosisSettings(models.Model):
    """Thresholds of the diagnosis rules (coaching.diagnosis), one row. Admin-editable.

    A KPI symptom fires when the rep's figure is below ``team_median_ratio`` x the team's
    median, or below ``target_ratio`` x the rep's own target for the period.
    """

    team_median_ratio = models.DecimalField(
        _("share of the team median below which a figure is weak"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.70"),
    )
    target_ratio = models.DecimalField(
        _("share of the own target below which a figure is weak"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.80"),
    )
    min_denominator = models.PositiveSmallIntegerField(
        _("fewest customers before a rate is judged"), default=4
    )
    min_explanation_visits = models.PositiveSmallIntegerField(
        _("explanation visits before interest is judged"), default=4
    )
    interest_rate_min = models.DecimalField(
        _("lowest intents per explanation visit"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.15"),
    )
    min_closing_visits = models.PositiveSmallIntegerField(
        _("closing visits before recommendations are judged"), default=3
    )
    closing_success_min = models.DecimalField(
        _("lowest deals per closing visit"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
    )
    lost_intents_max = models.PositiveSmallIntegerField(
        _("customers lost after intent that count as a symptom"), default=2
    )
    activity_ratio = models.DecimalField(
        _("share of the visit standard below which activity is too little"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.80"),
    )
    unprepared_share_max = models.DecimalField(
        _("highest share of planned visits without preparation"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
    )
    min_planned_visits = models.PositiveSmallIntegerField(
        _("planned visits before preparation is judged"), default=3
    )
    overdue_next_steps_max = models.PositiveSmallIntegerField(
        _("overdue next steps that count as a symptom"), default=3
    )
    missing_journals_max = models.PositiveSmallIntegerField(
        _("missing journals that count as a symptom"), default=2
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("diagnosis settings")
        verbose_name_plural = _("diagnosis settings")

    def __str__(self) -> str:
        return str(_("Diagnosis settings"))

    @classmethod
    def load(cls) -> DiagnosisSettings:
        """Return the single settings row, creating it with defaults when missing."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class FindingQuerySet(ScopedQuerySet["Finding"]):
    """Diagnosis findings: seen by the rep and the team's viewers; changed (dismissed) by
    the team's supervisor. The one scoping rule of the model
    (``accounts.scoping.ScopedQuerySet``)."""

    scope_owner_field = "rep"
    scope_team_field = "team"
    scope_editors = "lead"


class Finding(FastDisplay, models.Model):
    """A diagnosis finding: a rep shows a symptom in a period, with evidence and causes.

    ``evidence``: {"figures": [{"key", "value", "team_median", "completion", "fmt"}],
    "customers": [{"id", "name"}], "journals": [{"id", "day"}]};
    ``causes``: [{"code", "category": CauseCategory}]; ``measures``: [{"kind", "code"}]:
    codes with values, shown in the viewer's language by coaching.texts (rows from before
    the codes hold English texts, mapped back when shown). See coaching.diagnosis.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PLANNED = "planned", _("Coaching planned")
        DISMISSED = "dismissed", _("Dismissed")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="findings"
    )
    team = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(max_length=5)
    period_start = models.DateField()
    symptom = models.CharField(max_length=20, choices=Symptom.choices)
    evidence = models.JSONField(default=dict)
    causes = models.JSONField(default=list)
    measures = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    computed_at = models.DateTimeField()

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "rep_id", "symptom"]
        verbose_name = _("diagnosis finding")
        verbose_name_plural = _("diagnosis findings")
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "period_kind", "period_start", "symptom"],
                name="coaching_finding_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.symptom} {self.period_start}"


class CoachingPlanQuerySet(ScopedQuerySet["CoachingPlan"]):
    """Coaching plans: seen by the coachee and the team's viewers; changed by the team's
    supervisor. The one scoping rule of the model (``accounts.scoping.ScopedQuerySet``)."""

    scope_owner_field = "coachee"
    scope_team_field = "team"
    scope_editors = "lead"


class CoachingPlan(FastDisplay, models.Model):
    """A coaching plan (辅导计划) for one coachee; the effect compares KPIs before vs after."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    coachee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_plans"
    )
    team = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    problem = models.TextField(_("problem"))
    evidence = models.TextField(_("evidence"), blank=True)
    #: Set when the problem is a finding's symptom as suggested (not retyped): the symptom
    #: code, so the problem reads in the viewer's language (``problem_text``).
    problem_code = models.CharField(max_length=20, blank=True)
    #: Set when the evidence is a finding's figures as suggested: the figures (keys and
    #: values, coaching.diagnosis), shown in the viewer's language (``evidence_text``).
    evidence_figures = models.JSONField(default=list, blank=True)
    cause_category = models.CharField(
        _("cause category"), max_length=10, choices=CauseCategory.choices
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    effect_metrics = models.JSONField(_("KPIs to watch"), default=list, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CoachingPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("coaching plan")
        verbose_name_plural = _("coaching plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="coaching_plan_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.coachee}: {self.problem_text[:40]}"

    @property
    def problem_text(self) -> str:
        """The problem in the viewer's language when it is a symptom, else as typed."""
        if self.problem_code in Symptom.values:
            return str(Symptom(self.problem_code).label)
        return self.problem

    @property
    def evidence_text(self) -> str:
        """The evidence in the viewer's language when it is a finding's figures."""
        if self.evidence_figures:
            return texts.evidence_lines(self.evidence_figures)
        return self.evidence


class Measure(models.Model):
    """A counter-measure of a plan: coaching, training or support, with date and owner."""

    plan = models.ForeignKey(CoachingPlan, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(max_length=10, choices=MeasureKind.choices)
    #: A suggested counter-measure's code (coaching.texts.MEASURE_TEXTS), shown in the
    #: viewer's language; empty for one typed by a person (``description``).
    code = models.CharField(max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    due = models.DateField(_("date"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visit = models.ForeignKey(
        "journals.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "due", "id"]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def text(self) -> str:
        """The measure in the viewer's language (its code's text), else as typed."""
        return texts.measure_text(self.code, self.description)


class Goal(models.Model):
    """A goal of a plan: a KPI reaching a target value by a date."""

    plan = models.ForeignKey(CoachingPlan, on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(max_length=40)
    target_value = models.DecimalField(max_digits=14, decimal_places=4)
    due = models.DateField()

    class Meta:
        ordering = ["plan_id", "due", "id"]

    def __str__(self) -> str:
        return f"{self.metric} {self.target_value}"


class FollowUpSession(models.Model):
    """A follow-up session of a plan: date, notes, next step."""

    plan = models.ForeignKey(CoachingPlan, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    notes = models.TextField(_("notes"))
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan_id", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.held_on}"


class TalkQuerySet(ScopedQuerySet["Talk"]):
    """One-on-one talks: seen by the rep and the team's viewers; changed by the team's
    supervisor. The one scoping rule of the model (``accounts.scoping.ScopedQuerySet``)."""

    scope_owner_field = "rep"
    scope_team_field = "team"
    scope_editors = "lead"


class Talk(models.Model):
    """A one-on-one talk (员工沟通) between a supervisor and a rep, optionally for a plan."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "accounts.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        CoachingPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="talks"
    )
    held_on = models.DateField(_("date"))
    notes = models.TextField(_("notes"))
    agreed = models.TextField(_("agreed"), blank=True)

    objects = TalkQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.rep} {self.held_on}"


class Recognition(models.Model):
    """Public recognition (张榜表彰) of a specific behaviour and what it did for the team."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recognitions"
    )
    team = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    behaviour = models.TextField(_("what they did"))
    impact = models.TextField(_("what it did for the team"))
    source = models.CharField(_("suggested by"), max_length=40, blank=True)
    #: ``{"behaviour": message, "impact": message}``: a suggestion's texts as code and
    #: values (accounts.notifying), shown in the reader's language; ``behaviour`` and
    #: ``impact`` above are the texts as given (typed by the lead, or older rows).
    message = models.JSONField(_("message"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")

    def __str__(self) -> str:
        return f"{self.rep}: {self.behaviour[:40]}"

    @property
    def shown_behaviour(self) -> str:
        """What the rep did, in the active language (from ``message`` when it has one)."""
        data = (self.message or {}).get("behaviour")
        return render(data) if data else self.behaviour

    @property
    def shown_impact(self) -> str:
        """What it did for the team, in the active language (from ``message`` when it has
        one)."""
        data = (self.message or {}).get("impact")
        return render(data) if data else self.impact
