"""Dated history KPIs depend on: ownership and stage changes, and the stage settings
(docs/domain, sections 5 and 9). Rows are never overwritten."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .customer import Customer, Stage


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
    # Who made a change is shown, never searched (claim rules ask it together with the
    # owner, whose index serves): no index of its own, which would only slow every insert
    # (bench/import_customers.py).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
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

    ``rep`` and ``team`` are the attribution at ``at`` (docs/domain, section 9): the owner
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
    # Shown, never searched: no index of its own (as Ownership.changed_by).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    # rep and team are indexed by (rep, at) and (team, at) in Meta.indexes, which serve
    # their lookups too (no index of their own: it would only slow every insert).
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
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
