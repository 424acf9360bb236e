"""Helpers that build journals, plan items and visits for tests. Customers go through
customers.services.customer_create so their ownership and stage history exist."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, cast

import factory
from django.utils import timezone

from accounts.models import Membership, OrgUnit, User
from accounts.tests.factories import UserFactory
from customers.models import Customer, Stage
from customers.services import customer_create
from journals.models import Exemption, Journal, PlanItem, Purpose, Visit

_names = itertools.count(1)


def make_customer(owner: User | None, *, stage: str = Stage.LEAD, **fields: Any) -> Customer:
    """A customer owned by ``owner``, created through the customers service."""
    name = fields.pop("name", None) or f"日志测试客户{next(_names)}有限公司"
    at = fields.pop("at", None) or timezone.now() - dt.timedelta(days=200)
    return customer_create(by=owner, name=name, owner=owner, stage=stage, at=at, **fields)


def local_dt(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware datetime at ``hour:minute`` local time on ``day``."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class JournalFactory(factory.django.DjangoModelFactory[Journal]):
    class Meta:
        model = Journal

    rep = factory.SubFactory(UserFactory)
    team = factory.SubFactory("accounts.tests.factories.OrgUnitFactory", kind=OrgUnit.Kind.TEAM)
    day = factory.LazyFunction(timezone.localdate)


def submitted(journal: Journal, *, late: bool = False, at: dt.datetime | None = None) -> Journal:
    """Mark a journal submitted (directly, for fixtures of read-side tests)."""
    journal.status = Journal.Status.SUBMITTED
    journal.submitted_at = at or local_dt(journal.day, 22 if late else 18)
    journal.is_late = late
    journal.save()
    return journal


def plan(journal: Journal, purpose: str, customer: Customer | None = None, **kw: Any) -> PlanItem:
    kinds: dict[str, str] = {
        Purpose.APPOINTMENT: PlanItem.Kind.APPOINTMENT,
        **{p: PlanItem.Kind.VISIT for p in (Purpose.FIRST, Purpose.EXPLANATION, Purpose.CLOSING)},
    }
    return PlanItem.objects.create(
        journal=journal,
        kind=kinds.get(purpose, PlanItem.Kind.FOLLOW_UP),
        purpose=purpose,
        customer=customer,
        preparation=kw.pop("preparation", "准备资料"),
        **kw,
    )


def visit(journal: Journal, customer: Customer, purpose: str = Purpose.FIRST, **kw: Any) -> Visit:
    """A visit row written directly (no stage change), for read-side tests."""
    return Visit.objects.create(
        journal=journal,
        rep=journal.rep,
        team=journal.team,
        customer=customer,
        purpose=purpose,
        occurred_at=kw.pop("occurred_at", local_dt(journal.day, 10)),
        stage_before=customer.stage,
        **kw,
    )


def team_with_reps(
    n: int, *, code: str, parent: OrgUnit | None = None
) -> tuple[OrgUnit, User, list[User]]:
    """A team with a supervisor and ``n`` reps (memberships from 2020-01-01)."""
    team = OrgUnit.objects.create(
        name=f"Team {code}", code=code, kind=OrgUnit.Kind.TEAM, parent=parent
    )
    supervisor = cast(User, UserFactory(username=f"sup-{code}"))
    reps = [cast(User, UserFactory(username=f"rep-{code}-{i:02d}")) for i in range(n)]
    start = dt.date(2020, 1, 1)
    Membership.objects.create(user=supervisor, unit=team, role="supervisor", start=start)
    Membership.objects.bulk_create(
        Membership(user=r, unit=team, role="rep", start=start) for r in reps
    )
    return team, supervisor, reps


def exempt(
    user: User, start: dt.date, end: dt.date | None = None, kind: str = "leave"
) -> Exemption:
    return Exemption.objects.create(user=user, kind=kind, start=start, end=end or start)
