"""Users, the organisation tree (company > branch > team), dated memberships,
organisation settings and in-app notifications (docs/domain sections 1 and 10)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from . import notifying


class User(AbstractUser):  # type: ignore[django-manager-missing]  # knox is untyped
    """A person who logs in. Admins are staff users; roles come from memberships."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    employee_no = models.CharField(_("employee number"), max_length=32, blank=True)
    #: The user's language (a code of settings.LANGUAGES); empty: the browser's. Pages,
    #: notifications and e-mails to the user are in it (accounts.middleware,
    #: accounts.notifying).
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: the browser's language."),
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["employee_no"],
                condition=~Q(employee_no=""),
                name="accounts_user_employee_no_unique",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        """The name shown in the UI: display name, else full name, else username."""
        return str(self)


class OrgUnit(models.Model):
    """A node of the organisation tree: a company, a branch (or department) or a team.

    Teams are leaves; reps and supervisors belong to teams, managers to a branch
    or team and see every team below it (docs/domain section 1).
    """

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        BRANCH = "branch", _("Branch")
        TEAM = "team", _("Team")

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    segment = models.CharField(
        _("segment"),
        max_length=10,
        blank=True,
        choices=[("mass", _("Mass-market / SME")), ("group", _("Group / key accounts"))],
        help_text=_("Which customers the team serves; decides its result KPIs."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="company", parent__isnull=True) | ~Q(kind="company"),
                name="accounts_orgunit_company_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A company has no parent; a branch or team needs one; a team is never a parent."""
        if self.kind != self.Kind.COMPANY and self.parent_id is None:
            raise ValidationError({"parent": _("A branch or team needs a parent unit.")})
        if self.parent_id and self.parent and self.parent.kind == self.Kind.TEAM:
            raise ValidationError({"parent": _("A team cannot contain other units.")})


class Membership(models.Model):
    """A person's role in a unit from ``start`` to ``end`` (inclusive; open when null).

    History is kept: moving team or role ends one row and starts another, so KPIs
    of a past period are attributed to the team of that period (docs/domain section 9).
    """

    class Role(models.TextChoices):
        REP = "rep", _("Rep")
        SUPERVISOR = "supervisor", _("Supervisor")
        MANAGER = "manager", _("Manager")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        ordering = ["-start", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="accounts_membership_end_after_start",
            )
        ]
        indexes = [models.Index(fields=["unit", "role", "start"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    def is_active_on(self, day: dt.date) -> bool:
        """True when ``day`` lies between start and end (inclusive)."""
        return self.start <= day and (self.end is None or day <= self.end)

    def clean(self) -> None:
        """Reps and supervisors belong to a team; managers to a branch, company or team."""
        if (
            self.role in {self.Role.REP, self.Role.SUPERVISOR}
            and self.unit.kind != OrgUnit.Kind.TEAM
        ):
            raise ValidationError({"unit": _("Reps and supervisors belong to a team.")})


def default_journal_deadline() -> dt.time:
    """21:00: the default journal deadline (docs/domain section 3). A callable, because a
    fixed time default makes Django's deployment check warn (fields.W161)."""
    return dt.time(21, 0)


class OrgSettings(models.Model):
    """Organisation-wide settings (docs/domain section 10, admin's settings). One row."""

    journal_deadline = models.TimeField(_("journal deadline"), default=default_journal_deadline)
    late_submission_allowed = models.BooleanField(_("late submission allowed"), default=True)
    new_revenue_months = models.PositiveSmallIntegerField(
        _("months a customer's revenue counts as new"), default=12
    )
    pool_release_days = models.PositiveSmallIntegerField(
        _("days without follow-up before a customer may go to the public pool"), default=30
    )
    visit_standard_per_day = models.PositiveSmallIntegerField(
        _("standard visits per rep and day"), default=3
    )
    # Follow-up escalation and public pool rules (docs/domain, section 1): days after a
    # next step's due date without follow-up; 0 turns a step off.
    follow_up_rep_days = models.PositiveSmallIntegerField(
        _("days after a missed follow-up before the rep is alerted"), default=1
    )
    follow_up_supervisor_days = models.PositiveSmallIntegerField(
        _("days after a missed follow-up before the supervisor is alerted"), default=3
    )
    follow_up_pool_days = models.PositiveSmallIntegerField(
        _("days after a missed follow-up before the customer goes to the public pool"),
        default=0,
    )
    auto_release_days = models.PositiveSmallIntegerField(
        _("days without follow-up before a customer is released automatically (0: never)"),
        default=0,
    )
    claim_limit = models.PositiveSmallIntegerField(
        _("customers a rep may claim from the public pool in 30 days (0: no limit)"), default=0
    )
    reclaim_cooldown_days = models.PositiveSmallIntegerField(
        _("days before a rep may claim a customer they lost again"), default=30
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("organisation settings")
        verbose_name_plural = _("organisation settings")

    def __str__(self) -> str:
        return str(_("Organisation settings"))

    @classmethod
    def load(cls) -> OrgSettings:
        """Return the single settings row, creating it with defaults when missing."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class Notification(models.Model):
    """An in-app notification. ``key`` makes sending idempotent per user."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(_("key"), max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    #: ``{"title": message, "body": message}``: the texts as code and values
    #: (accounts.notifying), shown in the reader's language; title and body above are the
    #: texts in the recipient's language when sent (search, admin, old rows).
    message = models.JSONField(_("message"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="accounts_notification_once")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_title(self) -> str:
        """The title in the active language (from ``message`` when it has one)."""
        data = (self.message or {}).get("title")
        return notifying.render(data) if data else self.title

    @property
    def shown_body(self) -> str:
        """The body in the active language (from ``message`` when it has one)."""
        data = (self.message or {}).get("body")
        return notifying.render(data) if data else self.body


class CalendarDay(models.Model):
    """An organisation calendar entry: on ``date`` the organisation (``unit`` empty), a branch
    or a team works or takes the day off, with a name (春节, 公司年会).

    An entry wins over the official calendar; for a team, its own entry wins over its branch's,
    which wins over the organisation's (docs/domain, section 3, "Work days";
    ``accounts/calendar.py``).
    """

    date = models.DateField(_("date"))
    is_workday = models.BooleanField(_("work day"))
    name = models.CharField(_("name"), max_length=60, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("branch or team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_days",
        help_text=_("Empty for the whole organisation."),
    )
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(unit__isnull=True),
                name="accounts_calendarday_one_per_org_date",
            ),
            models.UniqueConstraint(
                fields=["date", "unit"], name="accounts_calendarday_one_per_unit_date"
            ),
        ]

    def __str__(self) -> str:
        kind = _("work day") if self.is_workday else _("day off")
        return f"{self.date:%Y-%m-%d} · {kind}{' · ' + self.name if self.name else ''}"

    def clean(self) -> None:
        """An entry belongs to the organisation, a branch or a team, never to the company
        unit (the organisation's entries have no unit)."""
        if self.unit_id and self.unit and self.unit.kind == OrgUnit.Kind.COMPANY:
            raise ValidationError({"unit": _("Leave the unit empty for the whole organisation.")})


class ApiToken(AbstractAuthToken):
    """A named API token of one user for an integration (an HR sync, a BI tool, a phone app).

    Only the SHA-512 digest of the token is stored (django-rest-knox); the token itself is
    shown once, when it is created. A request authenticated by it carries its user's scope.
    Created, listed and revoked on the profile page and at ``/api/v1/tokens/``.
    """

    name: models.CharField[str, str] = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"


class Chase(models.Model):
    """One reminder (催交) to one person who owes a journal or a weekly report
    (docs/domain, section 3): sent by a supervisor (``by``) or by the automatic reminder
    before the deadline (``by`` empty). ``period`` is the journal's local day or the
    weekly report's Monday. Rows are never changed; the pages list them."""

    class Kind(models.TextChoices):
        JOURNAL = "journal", _("Journal")
        WEEKLY = "weekly", _("Weekly report")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period = models.DateField(_("day or week"))
    user = models.ForeignKey(
        User, verbose_name=_("chased"), on_delete=models.CASCADE, related_name="chases"
    )
    team = models.ForeignKey(
        OrgUnit, verbose_name=_("team"), on_delete=models.CASCADE, related_name="chases"
    )
    by = models.ForeignKey(
        User,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chases_sent",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("chase")
        verbose_name_plural = _("chases")
        indexes = [models.Index(fields=["kind", "team", "period"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.user_id}"


class TeamChannel(models.Model):
    """A team's group-robot webhook (DingTalk, WeCom 企业微信 or Feishu), set by the team's
    supervisor, and which topics are posted there. The secret (DingTalk, Feishu) signs each
    message (``accounts/robots.py``); WeCom's key is part of the URL."""

    class Platform(models.TextChoices):
        DINGTALK = "dingtalk", _("DingTalk")
        WECOM = "wecom", _("WeCom")
        FEISHU = "feishu", _("Feishu")

    team = models.ForeignKey(
        OrgUnit, verbose_name=_("team"), on_delete=models.CASCADE, related_name="channels"
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    webhook_url = models.CharField(_("webhook address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    post_digest = models.BooleanField(_("morning digest"), default=True)
    post_chases = models.BooleanField(_("chases"), default=True)
    post_recognition = models.BooleanField(_("recognition"), default=True)
    post_follow_ups = models.BooleanField(_("overdue follow-ups"), default=True)
    post_meetings = models.BooleanField(_("meeting summaries"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["team_id", "platform", "id"]
        verbose_name = _("team channel")
        verbose_name_plural = _("team channels")
        constraints = [
            models.UniqueConstraint(fields=["team", "platform"], name="accounts_channel_once")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.platform}"


class ChannelDelivery(models.Model):
    """One message to one team channel; ``key`` makes posting idempotent per channel.
    pending -> sent, or failed after the last retry (the error is kept and shown)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.ForeignKey(
        TeamChannel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="deliveries"
    )
    key = models.CharField(_("key"), max_length=120)
    topic = models.CharField(_("topic"), max_length=20)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("channel delivery")
        verbose_name_plural = _("channel deliveries")
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="accounts_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.key} {self.status}"
