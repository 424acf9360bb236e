"""Writing the journals demo: per rep, journals with plans, visits, check-ins,
evaluations and comments (see docs/domain, journals)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from accounts.calendar import calendar_book
from accounts.demo import TEAMS, DemoOrg
from accounts.models import Membership, User
from accounts.scoping import local_today
from customers.models import Customer, Ownership, Stage, StageChange
from customers.services import customer_change_stage, customer_create, customer_update
from domain import visits as visit_rules
from domain.workdays import days_between

from .. import calculations as calc
from ..models import (
    Comment,
    Exemption,
    Journal,
    JournalRevision,
    PlanItem,
    Purpose,
    Visit,
)
from ..selectors import journal_content
from .data import (
    AGREED,
    ANALYSIS,
    CENTER,
    COMMENTS,
    DAYS,
    EVALUATIONS,
    LEARNED,
    NEEDS,
    NEXT_STEPS,
    ORDER,
    PREPARATION,
    PROFILES,
    REPLIES,
    SUMMARIES,
    TOPICS,
    VAGUE,
)


def seed(org: DemoOrg, rng: random.Random, stdout: IO[str] | Any, days: int = DAYS) -> None:
    """Create ``days`` days of journals for the demo reps (idempotent)."""
    reps = [r for team in org.teams for r in org.reps.get(team.pk, [])]
    if Journal.objects.filter(rep__in=reps).exists():
        stdout.write("journals: demo journals already there")
        return
    started = timezone.now()
    totals: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        for team in org.teams:
            supervisor = org.supervisors.get(team.pk)
            for i, rep in enumerate(org.reps.get(team.pk, [])):
                profile = ORDER[i % len(ORDER)]
                counts = _seed_rep(rep, supervisor, profile, rng, days, is_login=(i == 0))
                for key, n in counts.items():
                    totals[key] += n
    seconds = (timezone.now() - started).total_seconds()
    stdout.write(
        f"journals: {totals['journals']} journals, {totals['visits']} visits, "
        f"{totals['advances']} stage moves, {totals['missing']} missing days "
        f"({seconds:.1f} s)"
    )


def reset() -> None:
    """Delete the demo teams' journals and exemptions (for ``seed_demo --reset``)."""
    codes = [t[0] for t in TEAMS]
    Journal.objects.filter(team__code__in=codes).delete()
    users = Membership.objects.filter(unit__code__in=codes).values("user_id")
    Exemption.objects.filter(user_id__in=users).delete()


# --- one rep ------------------------------------------------------------------------------


class _Book:
    """The rep's customers with their stage history, advanced in time order."""

    def __init__(self, rep: User, rng: random.Random, first_day: dt.date) -> None:
        self.rep = rep
        self.customers = {c.pk: c for c in Customer.objects.filter(owner=rep)}
        if len(self.customers) < 5:
            for n in range(6 - len(self.customers)):
                at = timezone.make_aware(dt.datetime.combine(first_day, dt.time(9, n)))
                c = customer_create(by=rep, name=f"{rep.name}的演示客户{n + 1}", owner=rep, at=at)
                self.customers[c.pk] = c
        ids = list(self.customers)
        self.since: dict[int, dt.datetime] = {}
        for cid, start in Ownership.objects.filter(customer_id__in=ids, owner=rep).values_list(
            "customer_id", "start"
        ):
            self.since[cid] = min(start, self.since.get(cid, start))
        self.history: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
        for cid, at, to_stage in StageChange.objects.filter(customer_id__in=ids).values_list(
            "customer_id", "at", "to_stage"
        ):
            self.history[cid].append((at, to_stage))
        for rows in self.history.values():
            rows.sort()
        self.pins: dict[int, tuple[Decimal, Decimal]] = {
            c.pk: (c.latitude, c.longitude)
            for c in self.customers.values()
            if c.latitude is not None and c.longitude is not None
        }
        self.new_pins: dict[int, tuple[Decimal, Decimal]] = {}
        self.last_visit: dict[int, dt.datetime] = {}
        self.rng = rng

    def stage_at(self, cid: int, at: dt.datetime) -> str:
        stage: str = Stage.LEAD
        for when, to_stage in self.history[cid]:
            if when < at:  # before the visit's own effect (docs/domain section 9)
                stage = to_stage
        return stage

    def known(self, at: dt.datetime) -> list[Customer]:
        return [
            c
            for cid, c in self.customers.items()
            if self.since.get(cid, at) <= at and self.stage_at(cid, at) != Stage.LOST
        ]

    def can_move(self, cid: int, at: dt.datetime) -> bool:
        rows = self.history[cid]
        return not rows or rows[-1][0] < at

    def advance(self, customer: Customer, at: dt.datetime) -> StageChange | None:
        """Move one step down the funnel (at most to intent) at ``at``, if consistent."""
        current = self.stage_at(customer.pk, at)
        if (
            current not in (Stage.LEAD, Stage.TARGET, Stage.RELATIONSHIP)
            or not self.can_move(customer.pk, at)
            or customer.stage != current
        ):
            return None
        to_stage = {
            str(Stage.LEAD): Stage.TARGET,
            str(Stage.TARGET): Stage.RELATIONSHIP,
            str(Stage.RELATIONSHIP): Stage.INTENT,
        }[current]
        if to_stage == Stage.INTENT and not customer.needs:
            customer_update(customer=customer, by=self.rep, needs=self.rng.choice(NEEDS))
        change = customer_change_stage(
            customer=customer,
            to_stage=to_stage,
            by=self.rep,
            at=at,
            reason="拜访推进",
            source=StageChange.Source.VISIT,
        )
        if change:
            self.history[customer.pk].append((at, to_stage))
        return change

    def checkin(self, cid: int, far: bool) -> tuple[Decimal, Decimal, int | None]:
        pin = self.pins.get(cid)
        if pin is None:
            lat = CENTER[0] + Decimal(self.rng.uniform(-0.08, 0.08)).quantize(Decimal("0.000001"))
            lon = CENTER[1] + Decimal(self.rng.uniform(-0.12, 0.12)).quantize(Decimal("0.000001"))
            self.pins[cid] = self.new_pins[cid] = (lat, lon)
            return lat, lon, None
        spread = 0.02 if far else 0.0015
        lat = pin[0] + Decimal(self.rng.uniform(-spread, spread)).quantize(Decimal("0.000001"))
        lon = pin[1] + Decimal(self.rng.uniform(-spread, spread)).quantize(Decimal("0.000001"))
        return lat, lon, calc.haversine_m(float(pin[0]), float(pin[1]), float(lat), float(lon))


def _purpose_for(stage: str, rng: random.Random) -> str:
    if stage == Stage.LEAD:
        return Purpose.FIRST
    if stage == Stage.TARGET:
        return rng.choice([Purpose.FIRST, Purpose.EXPLANATION])
    if stage == Stage.RELATIONSHIP:
        return Purpose.EXPLANATION
    if stage == Stage.INTENT:
        return Purpose.CLOSING
    return rng.choice([Purpose.SERVICE, Purpose.COLLECTION])


def _at(day: dt.date, minutes: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0))) + dt.timedelta(
        minutes=minutes
    )


def _seed_rep(
    rep: User,
    supervisor: User | None,
    profile: str,
    rng: random.Random,
    days: int,
    *,
    is_login: bool,
) -> dict[str, int]:
    p = PROFILES[profile]
    today = local_today()
    first = today - dt.timedelta(days=days)
    memberships = list(
        Membership.objects.filter(
            user=rep, role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR]
        ).select_related("unit")
    )
    book = _Book(rep, rng, first)
    days_off = _exemptions(rep, rng, profile, first, today)
    counts: dict[str, int] = defaultdict(int)
    journals: list[Journal] = []
    calendars = calendar_book()
    for day in days_between(first, today - dt.timedelta(days=1)):
        team = next((m.unit for m in memberships if m.is_active_on(day)), None)
        if team is None or day in days_off or not calendars.for_team(team).is_workday(day):
            continue
        if rng.random() < p["missing"]:
            counts["missing"] += 1
            continue
        journals.append(_journal(rep, team, day, p, profile, rng, supervisor, today))
    if not is_login:
        team = next((m.unit for m in memberships if m.is_active_on(today)), None)
        if (
            team is not None
            and today not in days_off
            and calendars.for_team(team).is_workday(today)
        ):
            journals.append(Journal(rep=rep, team=team, day=today))
    Journal.objects.bulk_create(journals)
    counts["journals"] = len(journals)

    plan_rows: list[PlanItem] = []
    planned: dict[int, list[PlanItem]] = {}
    for journal in journals:
        items = _plan(journal, book, p, rng)
        planned[journal.pk] = items
        plan_rows.extend(items)
    PlanItem.objects.bulk_create(plan_rows)

    visits: list[Visit] = []
    open_steps: dict[int, list[Visit]] = defaultdict(list)
    for journal in journals:
        if journal.day >= today:
            continue
        for v in _visits(journal, planned[journal.pk], book, p, profile, rng, counts):
            for earlier in open_steps.pop(v.customer_id, []):
                earlier.next_step_done = True
            if v.next_step_date:
                open_steps[v.customer_id].append(v)
            visits.append(v)
    for v in visits:
        # Next steps kept by phone or mail (no visit): strong reps keep most, weak few.
        if v.next_step_date and v.next_step_date < today and rng.random() < p["kept"]:
            v.next_step_done = True
    Visit.objects.bulk_create(visits)
    counts["visits"] = len(visits)

    for cid, last in book.last_visit.items():
        Customer.objects.filter(pk=cid).exclude(last_activity_at__gt=last).update(
            last_activity_at=last
        )
    for cid, (lat, lon) in book.new_pins.items():
        Customer.objects.filter(pk=cid, latitude__isnull=True).update(latitude=lat, longitude=lon)
    _talk(journals, rep, supervisor, profile, rng)
    return counts


def _exemptions(
    rep: User, rng: random.Random, profile: str, first: dt.date, today: dt.date
) -> set[dt.date]:
    """One leave or business trip of one to three days for most reps."""
    if rng.random() < 0.3:
        return set()
    start = first + dt.timedelta(days=rng.randint(10, (today - first).days - 10))
    end = start + dt.timedelta(days=rng.randint(0, 2))
    kind = rng.choice([Exemption.Kind.LEAVE, Exemption.Kind.TRIP])
    Exemption.objects.create(
        user=rep, kind=kind, start=start, end=end, note="年假" if kind == "leave" else "外出培训"
    )
    return {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}


def _journal(
    rep: User,
    team: Any,
    day: dt.date,
    p: dict[str, Any],
    profile: str,
    rng: random.Random,
    supervisor: User | None,
    today: dt.date,
) -> Journal:
    late = rng.random() < p["late"]
    minutes = (
        rng.randint(21 * 60 + 10, 23 * 60 + 50) if late else rng.randint(17 * 60, 20 * 60 + 50)
    )
    submitted_at = _at(day, minutes)
    journal = Journal(
        rep=rep,
        team=team,
        day=day,
        status=Journal.Status.SUBMITTED,
        submitted_at=submitted_at,
        is_late=late,
        summary=rng.choice(SUMMARIES[profile]),
    )
    if rng.random() < p["learning"]:
        journal.learning_topic, journal.takeaways = rng.choice(TOPICS)
    older = (today - day).days > 1
    if supervisor and older and rng.random() < 0.85:
        journal.status = Journal.Status.REVIEWED
        journal.reviewed_by = supervisor
        journal.reviewed_at = _at(day + dt.timedelta(days=1), rng.randint(8 * 60, 10 * 60))
        if rng.random() < (0.35 if profile != "weak" else 0.7):
            journal.evaluation = rng.choice(EVALUATIONS[profile])
            journal.evaluated_by = supervisor
    return journal


def _plan(journal: Journal, book: _Book, p: dict[str, Any], rng: random.Random) -> list[PlanItem]:
    morning = _at(journal.day, 8 * 60)
    known = book.known(morning)
    open_ones = [c for c in known if book.stage_at(c.pk, morning) != Stage.DEAL]
    deals = [c for c in known if book.stage_at(c.pk, morning) == Stage.DEAL]
    rng.shuffle(open_ones)
    items: list[PlanItem] = []
    for n in range(min(rng.randint(*p["plan"]), len(open_ones))):
        customer = open_ones[n]
        unnamed = rng.random() < p["unnamed"]
        purpose = _purpose_for(book.stage_at(customer.pk, morning), rng)
        prep = rng.choice(PREPARATION[Purpose(purpose)]) if rng.random() < p["prep"] else ""
        items.append(
            PlanItem(
                journal=journal,
                kind=PlanItem.Kind.VISIT,
                customer=None if unnamed else customer,
                purpose=purpose,
                preparation=prep,
                position=n,
            )
        )
    for n in range(rng.randint(*p["appointments"])):
        target = rng.choice(known) if known and rng.random() < 0.6 else None
        items.append(
            PlanItem(
                journal=journal,
                kind=PlanItem.Kind.APPOINTMENT,
                customer=target,
                purpose=Purpose.APPOINTMENT,
                preparation=PREPARATION[Purpose.APPOINTMENT][0],
                position=n,
            )
        )
    for n in range(min(rng.randint(*p["follow_ups"]), len(deals) or (1 if known else 0))):
        customer = rng.choice(deals or known)
        purpose = rng.choice(
            [Purpose.SERVICE, Purpose.COLLECTION]
            if deals
            else [Purpose.RESEARCH, Purpose.COORDINATION]
        )
        items.append(
            PlanItem(
                journal=journal,
                kind=PlanItem.Kind.FOLLOW_UP,
                customer=customer,
                purpose=purpose,
                preparation=rng.choice(PREPARATION[purpose]),
                position=n,
            )
        )
    return items


def _visits(
    journal: Journal,
    items: list[PlanItem],
    book: _Book,
    p: dict[str, Any],
    profile: str,
    rng: random.Random,
    counts: dict[str, int],
) -> list[Visit]:
    chosen: list[tuple[Customer, str, PlanItem | None]] = []
    for planned in items:
        if planned.customer_id is None or rng.random() > p["done"]:
            continue
        chosen.append((book.customers[planned.customer_id], planned.purpose, planned))
    known = book.known(_at(journal.day, 8 * 60))
    if known and rng.random() < p["extra"]:
        extra = rng.choice(known)
        chosen.append(
            (extra, _purpose_for(book.stage_at(extra.pk, _at(journal.day, 9 * 60)), rng), None)
        )
    if profile == "weak" and not chosen and known and rng.random() < 0.5:
        # Unplanned wandering: the weak rep's typical day without a plan.
        chosen.append((rng.choice(known), Purpose.FIRST, None))
    minutes = sorted(rng.sample(range(9 * 60 + 30, 17 * 60 + 30, 10), len(chosen)))
    out = []
    for (customer, purpose, item), minute in zip(chosen, minutes, strict=True):
        at = _at(journal.day, minute)
        stage_before = book.stage_at(customer.pk, at)
        v = Visit(
            journal=journal,
            rep=journal.rep,
            team=journal.team,
            customer=customer,
            plan_item=item,
            purpose=purpose,
            occurred_at=at,
            stage_before=stage_before,
            outcome=Visit.Outcome.INFO,
        )
        vague = profile == "weak" and rng.random() < 0.6
        v.learned = rng.choice(VAGUE) if vague else rng.choice(LEARNED)
        if not vague and rng.random() < 0.6:
            v.agreed = rng.choice(AGREED)
        if not vague and rng.random() < 0.5:
            v.analysis = rng.choice(ANALYSIS)
        advanced = None
        if purpose in visit_rules.VISIT_PURPOSES and rng.random() < p["advance"]:
            advanced = book.advance(customer, at)
        if advanced:
            v.outcome, v.new_stage, v.stage_change = (
                Visit.Outcome.STAGE_ADVANCED,
                advanced.to_stage,
                advanced,
            )
            counts["advances"] += 1
            if profile == "strong" and advanced.to_stage == Stage.INTENT and rng.random() < 0.5:
                v.is_case, v.case_note = True, "需求挖掘到位，一次拜访推进到达成意向"
        if rng.random() < p["next"]:
            v.next_step = rng.choice(NEXT_STEPS)
            if rng.random() < p["dated"]:
                v.next_step_date = journal.day + dt.timedelta(days=rng.randint(1, 7))
                if not advanced:
                    v.outcome = Visit.Outcome.NEXT_STEP
        elif not advanced and vague:
            v.outcome = Visit.Outcome.NOTHING
        if rng.random() < p["checkin"]:
            lat, lon, distance = book.checkin(
                customer.pk, far=profile == "weak" and rng.random() < 0.3
            )
            v.checkin_latitude, v.checkin_longitude, v.checkin_distance_m = lat, lon, distance
            v.checkin_accuracy_m = rng.randint(8, 60)
            v.checked_in_at = at
        book.last_visit[customer.pk] = max(at, book.last_visit.get(customer.pk, at))
        out.append(v)
    out.extend(_remote(journal, out, book, known, profile))
    out.sort(key=lambda v: v.occurred_at)
    return out


#: How the demo's reps follow up at a distance, with weights (docs/domain, section 3).
REMOTE_MIX = ((visit_rules.PHONE, 5), (visit_rules.WECHAT, 4), (visit_rules.EMAIL, 1))
#: Extra calls / WeChats / e-mails a day at most, by profile.
REMOTE_PER_DAY = {"strong": 2, "average": 2, "weak": 1}
REMOTE_LEARNED = {
    visit_rules.PHONE: [
        "电话确认了上门时间",
        "电话催缴本月费用，对方答应月底前付清",
        "电话了解到预算下月审批",
    ],
    visit_rules.WECHAT: [
        "微信发了产品资料，对方已读并回复有兴趣",
        "微信沟通报价细节",
        "微信确认了需求清单",
    ],
    visit_rules.EMAIL: ["邮件发送了方案和报价", "邮件回复了技术问题", "邮件确认了合同条款"],
}


def _remote(
    journal: Journal, visits: list[Visit], book: _Book, known: list[Customer], profile: str
) -> list[Visit]:
    """The day's phone calls, WeChats and e-mails (docs/domain, section 3): half of the
    follow-ups and appointments already chosen happen at a distance (no check-in), and a
    few extra follow-ups go out at lunch or after the visits. Their own random stream
    (seeded by rep and day), so the rest of the demo stays as it was."""
    rng = random.Random(f"{journal.rep_id}:{journal.day}")  # noqa: S311 (demo data)
    channels = [c for c, _w in REMOTE_MIX]
    weights = [w for _c, w in REMOTE_MIX]
    for v in visits:
        if v.purpose in visit_rules.REMOTE_PURPOSES and rng.random() < 0.5:
            v.channel = rng.choices(channels, weights)[0]
            v.checkin_latitude = v.checkin_longitude = v.checkin_distance_m = None
            v.checkin_accuracy_m, v.checked_in_at = None, None
    extra: list[Visit] = []
    for minute in rng.sample([12 * 60 + 10, 12 * 60 + 40, 17 * 60 + 50, 18 * 60 + 20], 2):
        if not known or rng.random() > 0.6 or len(extra) >= REMOTE_PER_DAY[profile]:
            continue
        customer, at = rng.choice(known), _at(journal.day, minute)
        channel = rng.choices(channels, weights)[0]
        v = Visit(
            journal=journal,
            rep=journal.rep,
            team=journal.team,
            customer=customer,
            channel=channel,
            purpose=rng.choice(visit_rules.REMOTE_PURPOSES),
            occurred_at=at,
            stage_before=book.stage_at(customer.pk, at),
            outcome=Visit.Outcome.INFO,
            learned=rng.choice(REMOTE_LEARNED[channel]),
        )
        if rng.random() < 0.4:
            v.next_step = rng.choice(NEXT_STEPS)
            v.next_step_date = journal.day + dt.timedelta(days=rng.randint(1, 5))
            v.outcome = Visit.Outcome.NEXT_STEP
        book.last_visit[customer.pk] = max(at, book.last_visit.get(customer.pk, at))
        extra.append(v)
    return extra


def _talk(
    journals: list[Journal],
    rep: User,
    supervisor: User | None,
    profile: str,
    rng: random.Random,
) -> None:
    """Supervisor comments with rep replies, and one amended journal with its revision."""
    if supervisor is None:
        return
    comments = []
    for journal in journals:
        if journal.status == Journal.Status.DRAFT or rng.random() > 0.12:
            continue
        at = (journal.submitted_at or _at(journal.day, 20 * 60)) + dt.timedelta(hours=12)
        comments.append(
            Comment(
                journal=journal,
                author=supervisor,
                text=rng.choice(COMMENTS).format(rep=rep.username),
                created_at=at,
            )
        )
        if rng.random() < 0.5:
            comments.append(
                Comment(
                    journal=journal,
                    author=rep,
                    text=rng.choice(REPLIES),
                    created_at=at + dt.timedelta(minutes=30),
                )
            )
    times = [c.created_at for c in comments]
    Comment.objects.bulk_create(comments)
    for comment, at in zip(comments, times, strict=True):
        # created_at is auto_now_add, which overrides the value given: set the story's time
        Comment.objects.filter(pk=comment.pk).update(created_at=at)
    amended = [j for j in journals if j.status != Journal.Status.DRAFT and j.summary]
    if profile == "average" and amended:
        journal = rng.choice(amended[-20:])
        # The first version had a one-line summary; the amendment wrote a real one.
        content = journal_content(journal)
        content["summary"] = "今天拜访了客户。"
        JournalRevision.objects.create(
            journal=journal,
            number=1,
            content=content,
            submitted_at=journal.submitted_at,
            created_by=rep,
        )
        Journal.objects.filter(pk=journal.pk).update(revision=2)
