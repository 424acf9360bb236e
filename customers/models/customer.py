"""The customer file: stages and segments, the customer, its contacts, products in use and
needs, and notes (docs/domain, section 5)."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.labels import FastDisplay, label_of
from accounts.scoping import Scope, ScopedQuerySet
from domain import stages
from domain.phones import phone_normalised


class MoneyArgs(TypedDict):
    """Keyword arguments of a money ``DecimalField``."""

    max_digits: int
    decimal_places: int


MONEY: MoneyArgs = {"max_digits": 14, "decimal_places": 2}
"""CNY amounts: 14 digits, 2 decimal places."""


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


class CustomerQuerySet(ScopedQuerySet["Customer"]):
    """Customer files: seen by their owner, the team's viewers and (unowned) the team's
    reps; changed by the owner or the team's supervisor. The one scoping rule of the model
    (``accounts.scoping.ScopedQuerySet``)."""

    scope_owner_field = "owner"
    scope_team_field = "team"
    scope_editors = "owner_or_supervisor"

    def visible_to(self, scope: Scope) -> models.QuerySet[Customer]:
        """Owned by the viewer or in a visible team, plus the unowned customers (the public
        pool) of the teams the viewer is a rep of (docs/domain, section 5)."""
        visible = super().visible_to(scope)
        if scope.is_authenticated and not scope.is_admin and scope.rep_team_ids:
            pool = self.filter(owner__isnull=True, team_id__in=sorted(scope.rep_team_ids))
            visible = visible | pool
        return visible


class Customer(FastDisplay, models.Model):
    """A customer file. ``owner`` null means the customer is in the public pool (公海)."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    name_key = models.CharField(_("name key"), max_length=200, db_index=True, editable=False)
    pinyin_initials = models.CharField(
        _("pinyin initials"), max_length=200, blank=True, db_index=True, editable=False
    )
    # Syllables with word boundaries, matched by customers.pinyin.pinyin_pattern
    # (docs/domain, section 5, "Search by pinyin").
    pinyin_search = models.TextField(_("pinyin search"), blank=True, default="", editable=False)
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
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    needs = models.TextField(
        _("needs analysis"), blank=True, help_text=_("What the customer needs (需求分析).")
    )
    latest_news = models.TextField(_("latest company news"), blank=True)

    # owner and team are indexed by (owner, stage) and (team, stage) in Meta.indexes, which
    # serve their lookups too; an index of their own would only slow every insert
    # (bench/import_customers.py).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,
    )
    # The stage is always asked with an owner or a team (the list, pickers, the morning
    # meeting, bulk actions), which the (owner, stage) and (team, stage) indexes serve; an
    # index of its own (six values) would only slow every insert.
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.LEAD)
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
    # Shown, never searched (no reverse relation): no index of its own.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    objects = CustomerQuerySet.as_manager()

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

    def clean(self) -> None:
        """Store both phones in the one form of ``domain.phones`` (mobile ``13800138001``,
        landline ``010-12345678``, ``+CC...``), the rule the import applies too, so duplicate
        checks compare like with like (docs/domain, section 5, Imports). Raises
        ValidationError naming the field and the reason for a refused phone (a leading
        minus included)."""
        errors: dict[str, str] = {}
        for field in ("phone", "phone2"):
            stored, problem = phone_normalised(getattr(self, field) or "")
            if problem is not None:
                message, params = problem
                errors[field] = gettext(message) % params
            else:
                setattr(self, field, stored)
        if errors:
            raise ValidationError(errors)


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
