"""After-sale records: contracts, monthly revenue, closed billing months and service
evaluations (docs/domain, sections 5 and 9)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .customer import MONEY, Customer


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
    12-month rule of docs/domain, section 9 when the billing system says it.
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

    Until then lagged ARPU for the following month is *pending* (docs/domain, section 9).
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
