"""Demo journals: work days only, consistent with the customers' stage history,
idempotent, and reps that differ the way docs/domain section 3 describes."""

import datetime as dt
import io
import random
from collections import defaultdict

import pytest
from django.utils import timezone

from accounts.calendar import is_workday as is_work_day
from accounts.demo import DemoOrg
from customers.models import Customer, Stage, StageChange
from journals import demo
from journals.models import Journal, PlanItem, Visit
from journals.tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_org(org):
    for rep in (org.rep, org.teammate, org.rep_b):
        for stage in (Stage.LEAD, Stage.TARGET, Stage.RELATIONSHIP, Stage.TARGET):
            make_customer(rep, stage=stage, at=timezone.now() - dt.timedelta(days=60))
    return DemoOrg(
        company=org.company,
        teams=[org.team_a, org.team_b],
        admin=org.admin,
        managers=[org.manager],
        supervisors={org.team_a.pk: org.supervisor, org.team_b.pk: org.supervisor_b},
        # team_a: average (the login), strong; team_b: average
        reps={org.team_a.pk: [org.rep, org.teammate], org.team_b.pk: [org.rep_b]},
    )


def test_demo_journals_are_consistent_and_idempotent(demo_org, org):
    out = io.StringIO()
    demo.seed(demo_org, random.Random(7), out, days=30)
    assert "journals:" in out.getvalue()
    journals = list(Journal.objects.all())
    assert journals
    today = timezone.localdate()
    assert all(is_work_day(j.day) for j in journals)
    assert all(j.day <= today for j in journals)
    assert not Journal.objects.filter(rep=org.rep, day=today).exists()  # the login starts fresh
    assert all(j.submitted_at for j in journals if j.status != Journal.Status.DRAFT)
    # visits: own customers only, on the journal's local day, stage_before as history says
    history = defaultdict(list)
    for cid, at, to_stage in StageChange.objects.values_list("customer_id", "at", "to_stage"):
        history[cid].append((at, to_stage))
    visits = list(Visit.objects.select_related("customer", "journal", "stage_change"))
    assert visits
    for v in visits:
        assert v.customer.owner_id == v.rep_id
        assert timezone.localdate(v.occurred_at) == v.journal.day
        before = [to for at, to in sorted(history[v.customer_id]) if at < v.occurred_at]
        assert v.stage_before == (before[-1] if before else Stage.LEAD)
        if v.stage_change:
            assert v.stage_change.at == v.occurred_at
            assert v.stage_change.source == StageChange.Source.VISIT
    assert any(v.stage_change_id for v in visits)
    assert {c.stage for c in Customer.objects.all()} <= {
        Stage.LEAD,
        Stage.TARGET,
        Stage.RELATIONSHIP,
        Stage.INTENT,
    }
    counts = (Journal.objects.count(), Visit.objects.count(), PlanItem.objects.count())
    again = io.StringIO()
    demo.seed(demo_org, random.Random(7), again, days=30)
    assert "already" in again.getvalue()
    assert (Journal.objects.count(), Visit.objects.count(), PlanItem.objects.count()) == counts


def test_strong_reps_plan_more_and_prepare_better_than_weak_ones(demo_org, org):
    demo_org.reps[org.team_a.pk] = [org.rep, org.teammate, org.rep_b]  # average, strong, weak
    demo_org.reps[org.team_b.pk] = []
    demo.seed(demo_org, random.Random(3), io.StringIO(), days=40)

    def stats(rep):
        items = PlanItem.objects.filter(journal__rep=rep, kind=PlanItem.Kind.VISIT)
        days = Journal.objects.filter(rep=rep).count()
        prepared = items.exclude(preparation="").count() / max(1, items.count())
        return items.count() / max(1, days), prepared

    strong_volume, strong_prep = stats(org.teammate)
    weak_volume, weak_prep = stats(org.rep_b)
    assert strong_volume > weak_volume
    assert strong_prep > weak_prep
    assert PlanItem.objects.filter(journal__rep=org.rep_b, customer__isnull=True).exists()


def test_settle_dates_every_customer_before_its_first_event(demo_org, org):
    from journals.demo.consistency import LEAD_TIME, settle

    demo.seed(demo_org, random.Random(7), io.StringIO(), days=30)
    # The import stamps "now": every customer with history looks created after it.
    Customer.objects.update(created_at=timezone.now())
    assert settle(demo_org, random.Random(1), io.StringIO()) > 0
    for c in Customer.objects.all():
        firsts = [
            *c.visits.values_list("occurred_at", flat=True),
            *c.stage_changes.values_list("at", flat=True),
            *c.ownerships.values_list("start", flat=True),
        ]
        assert c.created_at == min(firsts) - LEAD_TIME
    assert settle(demo_org, random.Random(1), io.StringIO()) == 0  # idempotent


def test_demo_reps_also_call_wechat_and_email_within_the_rules(demo_org, org):
    from domain import visits as visit_rules

    demo.seed(demo_org, random.Random(7), io.StringIO(), days=30)
    channels: dict[str, int] = defaultdict(int)
    for v in Visit.objects.all():
        channels[v.channel] += 1
        if v.channel != "visit":  # docs/domain section 3: a follow-up, no check-in
            assert v.purpose in visit_rules.REMOTE_PURPOSES
            assert v.checked_in_at is None
            assert v.customer.owner_id == v.rep_id
    assert set(channels) == {"visit", "phone", "wechat", "email"}
    assert channels["visit"] > channels["phone"] + channels["wechat"] + channels["email"]
