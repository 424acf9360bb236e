"""Daily work journals (docs/domain section 3): the plan (visits, appointments, follow-ups),
the visit records, the daily summary and learning record, the supervisor's evaluation and
comments, revisions after submission, submission rules and exemptions.

A journal belongs to one rep and one *local* work day (settings.TIME_ZONE), never a UTC day.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.labels import FastDisplay, choices_of, label_of
from accounts.scoping import ScopedQuerySet
from accounts.uploads import UnguessableName
from customers.models import Stage
from domain import visits as visit_rules


def _purpose(code: str) -> tuple[str, Promise]:
    return code, label_of(visit_rules.PURPOSES, code)


def _outcome(code: str) -> tuple[str, Promise]:
    return code, label_of(visit_rules.OUTCOMES, code)


class Purpose(models.TextChoices):
    """Why a visit, appointment or follow-up happens (拜访目的 / 回访); codes and labels
    are ``domain.visits.PURPOSES``."""

    FIRST = _purpose(visit_rules.FIRST)
    EXPLANATION = _purpose(visit_rules.EXPLANATION)
    CLOSING = _purpose(visit_rules.CLOSING)
    APPOINTMENT = _purpose(visit_rules.APPOINTMENT)
    COLLECTION = _purpose(visit_rules.COLLECTION)
    COORDINATION = _purpose(visit_rules.COORDINATION)
    RESEARCH = _purpose(visit_rules.RESEARCH)
    SERVICE = _purpose(visit_rules.SERVICE)


VISIT_PURPOSES = tuple(Purpose(p) for p in visit_rules.VISIT_PURPOSES)
FOLLOW_UP_PURPOSES = tuple(Purpose(p) for p in visit_rules.FOLLOW_UP_PURPOSES)


class JournalQuerySet(ScopedQuerySet["Journal"]):
    """Journals: seen by their rep and the viewers of their team; changed by their rep only.
    The one scoping rule of the model (``accounts.scoping.ScopedQuerySet``)."""

    scope_owner_field = "rep"
    scope_team_field = "team"
    scope_editors = "author"


class Journal(FastDisplay, models.Model):
    """One rep's journal for one local work day. Lifecycle: draft -> submitted -> reviewed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.PROTECT,
        related_name="journals",
    )
    team = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="journals",
    )
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    learning_topic = models.CharField(_("learning topic"), max_length=200, blank=True)
    takeaways = models.TextField(_("my takeaways"), blank=True)
    summary = models.TextField(_("daily summary"), blank=True)
    evaluation = models.TextField(_("supervisor evaluation and advice"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = JournalQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "rep_id"]
        verbose_name = _("journal")
        verbose_name_plural = _("journals")
        constraints = [
            models.UniqueConstraint(fields=["rep", "day"], name="journals_one_per_rep_and_day"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="journals_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["team", "day"])]

    def __str__(self) -> str:
        return f"{self.rep} {self.day:%Y-%m-%d}"

    def is_locked(self) -> bool:
        """Submitted or reviewed journals are read-only to their author (amend instead)."""
        return self.status != self.Status.DRAFT


class JournalRevision(models.Model):
    """A frozen copy of a journal as it was before an amendment (docs/domain section 1)."""

    journal = models.ForeignKey(
        Journal, verbose_name=_("journal"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveSmallIntegerField(_("revision"))
    content = models.JSONField(_("content"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("amended"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["journal_id", "-number"]
        verbose_name = _("journal revision")
        verbose_name_plural = _("journal revisions")
        constraints = [
            models.UniqueConstraint(fields=["journal", "number"], name="journals_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.journal} r{self.number}"


class PlanItem(FastDisplay, models.Model):
    """A planned visit, appointment or follow-up in the day's plan."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Planned visit")
        APPOINTMENT = "appointment", _("Planned appointment")
        FOLLOW_UP = "follow_up", _("Planned follow-up")

    journal = models.ForeignKey(
        Journal, verbose_name=_("journal"), on_delete=models.CASCADE, related_name="plan_items"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_items",
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    preparation = models.TextField(_("preparation"), blank=True)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["journal_id", "kind", "position", "id"]
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.customer}"


class VisitQuerySet(ScopedQuerySet["Visit"]):
    """Visits: seen by their rep and the viewers of their team; changed by their rep only.
    The one scoping rule of the model (``accounts.scoping.ScopedQuerySet``)."""

    scope_owner_field = "rep"
    scope_team_field = "team"
    scope_editors = "author"


class Visit(FastDisplay, models.Model):
    """An actual visit, appointment or follow-up record (实际拜访记录).

    ``stage_before`` is the customer's stage just before the visit, so weekly
    target-customer visits count it as the stage was (docs/domain section 9).
    ``is_effective`` (a property, never stored): the visit advanced the stage, closed a deal,
    or agreed a dated next step, computed from the visit's fields by the one rule
    ``domain.visits.is_effective`` (docs/domain, section 9); in queries use
    :func:`effective_visit_q`.
    """

    class Outcome(models.TextChoices):
        """Codes and labels are ``domain.visits.OUTCOMES``."""

        NOTHING = _outcome(visit_rules.NOTHING)
        INFO = _outcome(visit_rules.INFO)
        NEXT_STEP = _outcome(visit_rules.NEXT_STEP)
        STAGE_ADVANCED = _outcome(visit_rules.STAGE_ADVANCED)
        DEAL = _outcome(visit_rules.DEAL)

    journal = models.ForeignKey(
        Journal, verbose_name=_("journal"), on_delete=models.CASCADE, related_name="visits"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    plan_item = models.ForeignKey(
        PlanItem,
        verbose_name=_("planned as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    occurred_at = models.DateTimeField(_("time"))
    learned = models.TextField(_("what was learned"), blank=True)
    agreed = models.TextField(_("what the customer agreed"), blank=True)
    analysis = models.TextField(_("analysis and judgement"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True)
    next_step_done = models.BooleanField(_("next step done"), default=False)
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=Outcome.choices, default=Outcome.NOTHING
    )
    stage_before = models.CharField(_("stage before"), max_length=12, choices=Stage.choices)
    new_stage = models.CharField(_("new stage"), max_length=12, choices=Stage.choices, blank=True)
    stage_change = models.ForeignKey(
        "customers.StageChange",
        verbose_name=_("stage change"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: How the contact was made (docs/domain, sections 3 and 9): in person (``visit``), or a
    #: follow-up by phone, WeChat or e-mail, which never counts as a visit and never checks in.
    #: Codes: domain.visits.CHANNELS.
    channel = models.CharField(
        _("contact type"),
        max_length=8,
        choices=choices_of(visit_rules.CHANNELS),
        default=visit_rules.IN_PERSON,
    )
    #: The visitor (``rep``) and the customer: their own, or someone else's (an accompanied
    #: visit of a supervisor, 陪同拜访, or a colleague covering). Codes: domain.visits.RELATIONS.
    relation = models.CharField(
        _("visited as"),
        max_length=12,
        choices=[(r.code, _(r.label_en)) for r in visit_rules.RELATIONS],
        default=visit_rules.OWN,
    )
    checkin_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checkin_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checkin_accuracy_m = models.PositiveIntegerField(
        _("check-in accuracy (m)"), null=True, blank=True
    )
    checkin_distance_m = models.PositiveIntegerField(
        _("distance from the customer (m)"), null=True, blank=True
    )
    checkin_photo = models.ImageField(
        _("check-in photo"), upload_to=UnguessableName("checkins"), blank=True
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    is_case = models.BooleanField(_("success case to share"), default=False)
    case_note = models.CharField(_("why it is a case"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["journal_id", "occurred_at", "id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["team", "occurred_at"]),
            models.Index(fields=["rep", "occurred_at"]),
            models.Index(fields=["customer", "occurred_at"]),
            models.Index(fields=["next_step_date", "next_step_done"]),
        ]
        constraints = [
            # A check-in proves presence: only an in-person visit has one (docs/domain, 3).
            models.CheckConstraint(
                condition=Q(channel=visit_rules.IN_PERSON) | Q(checked_in_at__isnull=True),
                name="journals_checkin_only_in_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.occurred_at:%Y-%m-%d}"

    @property
    def is_effective(self) -> bool:
        """True when the visit is effective (``domain.visits.is_effective``, docs/domain,
        section 9), from its outcome and next step as they are now."""
        return visit_rules.is_effective(
            outcome=self.outcome, next_step=self.next_step, next_step_date=self.next_step_date
        )

    @property
    def is_in_person(self) -> bool:
        """True for an in-person visit, False for a phone call, WeChat or e-mail
        (``domain.visits.is_in_person``, docs/domain, section 9)."""
        return visit_rules.is_in_person(self.channel)

    @property
    def checkin_is_far(self) -> bool:
        """True when the check-in was farther from the customer than
        ``domain.visits.CHECKIN_FAR_M`` (docs/domain, section 3)."""
        return visit_rules.checkin_is_far(self.checkin_distance_m)


def effective_visit_q(prefix: str = "") -> Q:
    """The effective-visit rule as an ORM filter over ``Visit`` rows (``prefix``: a
    relation path such as ``'visits__'`` when filtering another model).

    Built from ``domain.visits.ADVANCING_OUTCOMES`` and the same "non-blank next step with a
    date" condition as ``domain.visits.is_effective`` (blank = whitespace only, matched
    with the regular expression ``\\S``). Rule source: docs/domain, section 9.
    """
    advancing = Q(**{f"{prefix}outcome__in": sorted(visit_rules.ADVANCING_OUTCOMES)})
    dated = Q(**{f"{prefix}next_step_date__isnull": False}) & Q(
        **{f"{prefix}next_step__regex": r"\S"}
    )
    return advancing | dated


class Comment(models.Model):
    """A comment on a journal; ``@username`` mentions notify the people named."""

    journal = models.ForeignKey(
        Journal, verbose_name=_("journal"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("comment"))
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mentions"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        ordering = ["journal_id", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:50]


class SubmissionRule(models.Model):
    """Who must submit journals (by team and role) and who reviews them.

    A rule with no team applies to every team; a team's own rule wins. The deadline
    and whether late submission is allowed are in accounts.OrgSettings, or overridden here.
    """

    team = models.OneToOneField(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="journal_rule",
    )
    reps_must_submit = models.BooleanField(_("reps must submit"), default=True)
    supervisors_must_submit = models.BooleanField(_("supervisors must submit"), default=False)
    deadline = models.TimeField(_("deadline"), null=True, blank=True)
    late_submission_allowed = models.BooleanField(
        _("late submission allowed"), null=True, blank=True
    )
    reviewer_role = models.CharField(
        _("reviewed by"),
        max_length=12,
        choices=[("supervisor", _("Supervisor")), ("manager", _("Manager"))],
        default="supervisor",
    )

    class Meta:
        ordering = ["team_id"]
        verbose_name = _("journal submission rule")
        verbose_name_plural = _("journal submission rules")
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=Q(team__isnull=True), name="journals_one_default_rule"
            )
        ]

    def __str__(self) -> str:
        return str(self.team or _("All teams"))


class Exemption(models.Model):
    """Days a person need not submit a journal: leave, business trip (inclusive dates)."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Leave")
        TRIP = "trip", _("Business trip")
        OTHER = "other", _("Other")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="journal_exemptions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-start", "id"]
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="journals_exemption_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.start}–{self.end}"


class MeetingMinutes(models.Model):
    """The minutes of one team meeting (docs/domain, section 3 for the morning meeting 晨会,
    section 4 for the weekly meeting 周例会): what was said, typed during the meeting.

    ``day`` is the local meeting day for a morning meeting and the Monday of the ISO week
    for a weekly meeting. One row per team, kind and day, created on the first write.
    """

    class Kind(models.TextChoices):
        MORNING = "morning", _("Morning meeting")
        WEEKLY = "weekly", _("Weekly meeting")

    team = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="meeting_minutes",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    day = models.DateField(_("day"))
    notes = models.TextField(_("minutes"), blank=True, max_length=20000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Members the meeting's leader marked absent (attendance; docs/domain, section 4,
    #: "Meeting summary to the group"); members on an exemption that day are absent anyway.
    absent = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("absent"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-day", "team_id", "kind"]
        verbose_name = _("meeting minutes")
        verbose_name_plural = _("meeting minutes")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "kind", "day"], name="journals_minutes_one_per_team_kind_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.kind} {self.day}"


class ActionItem(models.Model):
    """A decision or an action item recorded at a meeting. An action item has an owner
    and a due date and comes back at every later meeting of the team until it is done;
    ``done_in`` is the meeting where it was ticked off (completion tracked)."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        ACTION = "action", _("Action item")

    minutes = models.ForeignKey(
        MeetingMinutes,
        verbose_name=_("raised at"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    team = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="meeting_items",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_actions",
    )
    due = models.DateField(_("due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    done_in = models.ForeignKey(
        MeetingMinutes,
        verbose_name=_("ticked off at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="closed_items",
    )

    class Meta:
        ordering = ["kind", "due", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="decision") | Q(owner__isnull=False, due__isnull=False),
                name="journals_action_item_has_owner_and_due",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        """True once ticked off."""
        return self.done_at is not None


# Read receipts and calendar feeds live in their own module (kept under 600 lines).
from .models_reads import CalendarFeed, JournalRead  # noqa: E402, F401
