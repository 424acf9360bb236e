"""Factories for customer files. Customers go through ``customer_create`` so their
ownership and stage history rows exist as in real use."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from customers.models import (
    Contact,
    Contract,
    Customer,
    CustomerNote,
    ProductUsage,
    RevenueRecord,
    ServiceEvaluation,
    Stage,
)
from customers.services import customer_create


def make_customer(
    owner: User | None,
    *,
    name: str | None = None,
    stage: str = Stage.LEAD,
    at: dt.datetime | None = None,
    **fields: Any,
) -> Customer:
    """A customer owned by ``owner`` (None: the pool of ``team=``), created through
    the service, at ``stage`` reached at ``at``."""
    make_customer.counter += 1  # type: ignore[attr-defined]
    return customer_create(
        by=owner,
        name=name or f"测试客户{make_customer.counter}有限公司",  # type: ignore[attr-defined]
        owner=owner,
        stage=stage,
        at=at,
        **fields,
    )


make_customer.counter = 0  # type: ignore[attr-defined]


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class ProductUsageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductUsage

    product = factory.Sequence(lambda n: f"专线{n}")


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerNote

    text = factory.Sequence(lambda n: f"记录 {n}")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    signed_on = factory.LazyFunction(timezone.localdate)
    products = "宽带"
    monthly_value = Decimal("1000.00")


class RevenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RevenueRecord

    month = factory.Sequence(lambda n: dt.date(2020 + n // 12 % 5, n % 12 + 1, 1))
    product = factory.Sequence(lambda n: f"产品{n}")
    billed = Decimal("500.00")
    received = Decimal("400.00")


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceEvaluation

    evaluated_on = factory.LazyFunction(timezone.localdate)
    score = 4
