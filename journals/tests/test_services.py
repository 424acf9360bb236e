"""Journal services: local days, plan suggestions, visit records that move stages once,
effective visits, check-ins, submission and lateness, amendments, reviews, comments."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Membership, Notification
from accounts.tests.factories import UserFactory
from customers.models import Customer, Stage, StageChange
from journals import services
from journals.models import Journal, JournalRevision, PlanItem, Purpose, SubmissionRule, Visit
from journals.selectors import journal_content, plan_suggestions
from journals.tests.factories import local_dt, make_customer, plan, submitted, visit

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)  # a Monday, a work day


def record(journal, customer, **kw):
    defaults = dict(
        journal=journal,
        by=journal.rep,
        customer=customer,
        purpose=Purpose.EXPLANATION,
        occurred_at=local_dt(journal.day, 10),
    )
    defaults.update(kw)
    return services.visit_record(**defaults)


def test_journal_belongs_to_the_reps_team_of_that_day(org):
    membership = Membership.objects.get(user=org.rep)
    membership.end = dt.date(2026, 2, 28)
    membership.save()
    Membership.objects.create(user=org.rep, unit=org.team_b, role="rep", start=dt.date(2026, 3, 1))
    old = services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 2, 27))
    new = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    assert old.team == org.team_a
    assert new.team == org.team_b
    assert services.journal_get_or_create_today(rep=org.rep, day=DAY).pk == new.pk


def test_no_journal_without_a_team_or_far_ahead(org):
    loner = UserFactory(username="loner")
    with pytest.raises(ValidationError):
        services.journal_get_or_create_today(rep=loner, day=DAY)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        services.journal_get_or_create_today(
            rep=org.rep, day=timezone.localdate() + dt.timedelta(days=3)
        )


def test_today_is_the_organisations_local_day(org, monkeypatch):
    # 2026-03-01 17:30 UTC is already 2026-03-02 01:30 in Shanghai
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC))
    journal = services.journal_get_or_create_today(rep=org.rep)
    assert journal.day == dt.date(2026, 3, 2)


def test_suggestions_offer_unfinished_plans_and_next_steps_due(org):
    a, b, c = (make_customer(org.rep) for _ in range(3))
    yesterday = services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 2, 27))
    done = plan(yesterday, Purpose.FIRST, a)
    open_item = plan(yesterday, Purpose.EXPLANATION, b, preparation="带报价")
    plan(yesterday, Purpose.APPOINTMENT)
    visit(yesterday, a, plan_item=done)
    visit(yesterday, c, next_step="送方案", next_step_date=DAY)
    today = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    offers = plan_suggestions(journal=today)
    assert [(s.customer, s.carried_from, s.from_visit is not None) for s in offers] == [
        (b, open_item, False),
        (c, None, True),
    ]
    assert offers[1].preparation == "送方案"
    item = services.plan_item_add(
        journal=today, by=org.rep, purpose=offers[0].purpose, customer=b, carried_from=open_item
    )
    assert item.carried_from == open_item
    assert [s.customer for s in plan_suggestions(journal=today)] == [c]


def test_plan_items_take_the_kind_from_the_purpose_and_own_customers_only(org):
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    item = services.plan_item_add(journal=journal, by=org.rep, purpose=Purpose.RESEARCH)
    assert item.kind == PlanItem.Kind.FOLLOW_UP
    with pytest.raises(ValidationError):
        services.plan_item_add(
            journal=journal, by=org.rep, purpose=Purpose.FIRST, customer=make_customer(org.teammate)
        )
    with pytest.raises(PermissionDenied):
        services.plan_item_add(journal=journal, by=org.teammate, purpose=Purpose.FIRST)


def test_a_visit_that_advances_the_stage_records_it_once_through_the_customer_service(org):
    customer = make_customer(org.rep, stage=Stage.TARGET)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    at = local_dt(DAY, 15, 20)
    v = record(
        journal,
        customer,
        occurred_at=at,
        outcome=Visit.Outcome.STAGE_ADVANCED,
        new_stage=Stage.INTENT,
        learned="预算已批",
        needs="需要千兆专线和云视频会议",
    )
    customer.refresh_from_db()
    assert customer.stage == Stage.INTENT
    assert customer.needs == "需要千兆专线和云视频会议"
    assert customer.last_activity_at == at
    changes = StageChange.objects.filter(customer=customer, source=StageChange.Source.VISIT)
    assert [(c.from_stage, c.to_stage, c.at) for c in changes] == [(Stage.TARGET, Stage.INTENT, at)]
    assert v.stage_change == changes[0]
    assert v.stage_before == Stage.TARGET
    assert v.is_effective
    # a second visit that day without an advance adds nothing to the history
    record(journal, customer, occurred_at=local_dt(DAY, 16))
    assert StageChange.objects.filter(customer=customer).count() == 2  # created + intent


def test_intent_needs_the_needs_analysis_shown_on_the_needs_field(org):
    customer = make_customer(org.rep, stage=Stage.RELATIONSHIP)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    with pytest.raises(ValidationError) as err:
        record(journal, customer, outcome=Visit.Outcome.STAGE_ADVANCED, new_stage=Stage.INTENT)
    assert "needs" in err.value.error_dict
    assert not StageChange.objects.filter(customer=customer, to_stage=Stage.INTENT).exists()


def test_deal_outcome_moves_the_customer_to_deal(org):
    customer = make_customer(org.rep, stage=Stage.INTENT, needs="专线")
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    v = record(journal, customer, purpose=Purpose.CLOSING, outcome=Visit.Outcome.DEAL)
    customer.refresh_from_db()
    assert customer.stage == Stage.DEAL
    assert (v.new_stage, v.is_effective) == (Stage.DEAL, True)


def test_a_stage_change_must_move_forward(org):
    customer = make_customer(org.rep, stage=Stage.INTENT)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    with pytest.raises(ValidationError) as err:
        record(journal, customer, outcome=Visit.Outcome.STAGE_ADVANCED, new_stage=Stage.TARGET)
    assert "new_stage" in err.value.error_dict
    assert not Visit.objects.exists()
    assert Customer.objects.get(pk=customer.pk).stage == Stage.INTENT


def test_only_a_dated_next_step_makes_a_visit_effective(org):
    customer = make_customer(org.rep)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    undated = record(journal, customer, outcome=Visit.Outcome.NEXT_STEP, next_step="再约")
    dated = record(
        journal, customer, next_step="周五送方案", next_step_date=DAY + dt.timedelta(days=4)
    )
    assert (undated.is_effective, dated.is_effective) == (False, True)
    with pytest.raises(ValidationError):
        record(journal, customer, next_step="", next_step_date=DAY)


def test_later_visit_fulfils_earlier_next_steps(org):
    customer = make_customer(org.rep)
    monday = services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 2, 27))
    first = record(monday, customer, next_step="回访", next_step_date=DAY)
    record(services.journal_get_or_create_today(rep=org.rep, day=DAY), customer)
    first.refresh_from_db()
    assert first.next_step_done


def test_visits_belong_to_the_journal_day_and_the_reps_own_customers(org):
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    with pytest.raises(ValidationError):
        record(journal, make_customer(org.rep), occurred_at=local_dt(DAY + dt.timedelta(days=1)))
    with pytest.raises(ValidationError):
        record(journal, make_customer(org.teammate))


def test_visit_from_plan_carries_customer_purpose_and_plan(org):
    customer = make_customer(org.rep)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    item = plan(journal, Purpose.CLOSING, customer, preparation="合同文本")
    v = services.visit_from_plan(plan_item=item, by=org.rep)
    assert (v.customer, v.purpose, v.plan_item) == (customer, Purpose.CLOSING, item)
    assert timezone.localdate(v.occurred_at) == DAY
    with pytest.raises(ValidationError):
        services.visit_from_plan(plan_item=plan(journal, Purpose.FIRST), by=org.rep)


def test_first_check_in_pins_the_customer_and_later_ones_measure_distance(org):
    customer = make_customer(org.rep)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    first = record(
        journal,
        customer,
        checkin=services.CheckIn(Decimal("22.543100"), Decimal("114.057900"), accuracy_m=15),
    )
    customer.refresh_from_db()
    assert (customer.latitude, customer.longitude) == (Decimal("22.543100"), Decimal("114.057900"))
    assert first.checkin_distance_m is None
    assert first.checked_in_at is not None
    second = record(journal, customer, occurred_at=local_dt(DAY, 14))
    services.visit_checkin(
        visit=second,
        by=org.rep,
        checkin=services.CheckIn(Decimal("22.544100"), Decimal("114.057900"), accuracy_m=30),
    )
    second.refresh_from_db()
    assert second.checkin_distance_m == pytest.approx(111, abs=2)
    assert second.checkin_accuracy_m == 30
    customer.refresh_from_db()
    assert customer.latitude == Decimal("22.543100")  # the pin does not move
    with pytest.raises(ValidationError):
        services.visit_checkin(
            visit=second, by=org.rep, checkin=services.CheckIn(Decimal("95"), Decimal("0"))
        )


def test_submitted_after_local_midnight_is_late_and_keeps_its_day(org):
    journal = services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 3, 1))
    at = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)  # 2026-03-02 00:30 in Shanghai
    services.journal_submit(journal=journal, by=org.rep, at=at)
    journal.refresh_from_db()
    assert journal.day == dt.date(2026, 3, 1)
    assert journal.is_late
    assert journal.status == Journal.Status.SUBMITTED
    assert journal.submitted_at == at


def test_submitted_before_the_deadline_is_on_time(org):
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    services.journal_submit(journal=journal, by=org.rep, at=local_dt(DAY, 20, 59))
    assert not journal.is_late


def test_team_rule_sets_the_deadline_and_can_refuse_late_submission(org):
    SubmissionRule.objects.create(
        team=org.team_a, deadline=dt.time(18, 0), late_submission_allowed=False
    )
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    with pytest.raises(ValidationError):
        services.journal_submit(journal=journal, by=org.rep, at=local_dt(DAY, 18, 30))
    journal.refresh_from_db()
    assert journal.status == Journal.Status.DRAFT
    other = services.journal_get_or_create_today(rep=org.rep_b, day=DAY)  # team_b: default
    services.journal_submit(journal=other, by=org.rep_b, at=local_dt(DAY, 18, 30))
    assert not other.is_late


def test_author_cannot_edit_a_submitted_journal_but_can_amend_it(org):
    customer = make_customer(org.rep)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    services.journal_update_text(journal=journal, by=org.rep, summary="拜访两家")
    record(journal, customer, learned="有需求")
    services.journal_submit(journal=journal, by=org.rep, at=local_dt(DAY, 22))
    with pytest.raises(PermissionDenied):
        services.journal_update_text(journal=journal, by=org.rep, summary="改")
    services.journal_amend(journal=journal, by=org.rep)
    journal.refresh_from_db()
    assert (journal.status, journal.revision) == (Journal.Status.DRAFT, 2)
    revision = JournalRevision.objects.get(journal=journal)
    assert revision.number == 1
    assert revision.content["summary"] == "拜访两家"
    assert revision.content["visits"][0]["learned"] == "有需求"
    services.journal_update_text(journal=journal, by=org.rep, summary="拜访三家")
    assert journal_content(journal)["summary"] == "拜访三家"
    # the amendment keeps the first submission's lateness
    services.journal_submit(journal=journal, by=org.rep, at=local_dt(DAY + dt.timedelta(days=1), 9))
    assert journal.is_late


def test_supervisor_evaluates_but_never_changes_the_reps_text(org):
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    services.journal_update_text(journal=journal, by=org.rep, summary="我的小结")
    with pytest.raises(ValidationError):
        services.journal_evaluate(journal=journal, by=org.supervisor, evaluation="早")
    services.journal_submit(journal=journal, by=org.rep, at=local_dt(DAY, 18))
    with pytest.raises(PermissionDenied):
        services.journal_update_text(journal=journal, by=org.supervisor, summary="主管改的")
    services.journal_review(journal=journal, by=org.supervisor, evaluation="准备更充分些")
    journal.refresh_from_db()
    assert journal.summary == "我的小结"
    assert (journal.evaluation, journal.evaluated_by) == ("准备更充分些", org.supervisor)
    assert (journal.status, journal.reviewed_by) == (Journal.Status.REVIEWED, org.supervisor)
    assert (
        Notification.objects.filter(user=org.rep, key__startswith="journal-reviewed:").count() == 1
    )


@pytest.mark.parametrize("who", ["rep", "teammate", "supervisor_b", "manager"])
def test_only_the_teams_supervisor_reviews(org, who):
    journal = submitted(services.journal_get_or_create_today(rep=org.rep, day=DAY))
    with pytest.raises(PermissionDenied):
        services.journal_review(journal=journal, by=getattr(org, who))


def test_manager_reviews_when_the_rule_says_so(org):
    SubmissionRule.objects.create(team=org.team_a, reviewer_role="manager")
    journal = submitted(services.journal_get_or_create_today(rep=org.rep, day=DAY))
    services.journal_review(journal=journal, by=org.manager)
    assert journal.status == Journal.Status.REVIEWED


def test_comment_mentions_notify_people_who_can_see_the_journal(org):
    journal = submitted(services.journal_get_or_create_today(rep=org.rep, day=DAY))
    comment = services.comment_add(
        journal=journal, by=org.supervisor, text="@manager 看看这个, @outsider 不该收到 @rep"
    )
    assert set(comment.mentions.all()) == {org.manager, org.rep}
    assert Notification.objects.filter(
        user=org.manager, key=f"journal-mention:{comment.pk}"
    ).exists()
    assert not Notification.objects.filter(user=org.outsider).exists()
    assert Notification.objects.filter(user=org.rep).count() == 1  # once, not twice
    with pytest.raises(PermissionDenied):
        services.comment_add(journal=journal, by=org.outsider, text="hi")
    with pytest.raises(ValidationError):
        services.comment_add(journal=journal, by=org.rep, text="   ")


def test_mentioned_usernames():
    assert services.mentioned_usernames("@li.qiang 请看, cc @wang_fang. mail a@b.com") == [
        "li.qiang",
        "wang_fang",
    ]


def test_supervisor_records_exemptions_for_the_team_only(org):
    ex = services.exemption_add(
        user=org.rep, by=org.supervisor, kind="leave", start=DAY, end=DAY + dt.timedelta(days=2)
    )
    assert ex.pk
    with pytest.raises(PermissionDenied):
        services.exemption_add(user=org.rep, by=org.supervisor_b, kind="trip", start=DAY, end=DAY)
    with pytest.raises(PermissionDenied):
        services.exemption_add(user=org.rep, by=org.rep, kind="trip", start=DAY, end=DAY)
    with pytest.raises(ValidationError):
        services.exemption_add(
            user=org.rep, by=org.supervisor, kind="trip", start=DAY, end=DAY - dt.timedelta(days=1)
        )


def test_visit_update_can_add_an_advance_once(org):
    customer = make_customer(org.rep, stage=Stage.TARGET)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    v = record(journal, customer)
    assert not v.is_effective
    services.visit_update(
        visit=v,
        by=org.rep,
        purpose=v.purpose,
        occurred_at=v.occurred_at,
        outcome=Visit.Outcome.STAGE_ADVANCED,
        new_stage=Stage.RELATIONSHIP,
    )
    assert v.is_effective
    assert Customer.objects.get(pk=customer.pk).stage == Stage.RELATIONSHIP
    # once recorded, the stage move is history: a later edit cannot change it
    services.visit_update(
        visit=v, by=org.rep, purpose=v.purpose, occurred_at=v.occurred_at, outcome="nothing"
    )
    assert (v.outcome, v.new_stage) == (Visit.Outcome.STAGE_ADVANCED, Stage.RELATIONSHIP)
    with pytest.raises(ValidationError):
        services.visit_delete(visit=v, by=org.rep)
