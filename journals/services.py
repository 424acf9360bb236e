"""Writes for daily work journals (STYLE.md: services; DOMAIN.md section 3).

Checks come first (``..._check_can_...`` raise PermissionDenied, which views answer
with 403); the journal must already have been fetched through a restricted queryset,
so objects outside the viewer's scope never get here (404 in the view).

A visit that advances a customer's stage changes it only through
``customers.services.customer_change_stage``, so the stage history records it once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import Scope, local_today, scope_for
from accounts.services import notification_send
from customers.models import Customer, Stage, StageChange
from customers.services import (
    customer_change_stage,
    customer_update,
    is_advance,
    stage_missing_fields,
    team_of,
)

from . import calculations as calc
from .models import (
    FOLLOW_UP_PURPOSES,
    VISIT_PURPOSES,
    Comment,
    Exemption,
    Journal,
    JournalRevision,
    PlanItem,
    Purpose,
    Visit,
)
from .selectors import MemberDay, effective_rule, journal_content, team_day
from .workdays import is_work_day, previous_work_day

# --- checks -------------------------------------------------------------------------------


def journal_check_can_create(*, rep: User, scope: Scope) -> None:
    """A journal is written by its own rep: nobody creates one for somebody else (403)."""
    if scope.user_id is None or rep.pk != scope.user_id:
        raise PermissionDenied(_("You can only write your own journal."))


def journal_check_can_edit(*, journal: Journal, scope: Scope) -> None:
    """Only the author edits, and only a draft: a submitted journal is read-only to its
    author (amend it instead), and a supervisor never changes the rep's own text (403)."""
    if journal.rep_id != scope.user_id:
        raise PermissionDenied(_("Only the author may change this journal."))
    if journal.is_locked():
        raise PermissionDenied(_("This journal was submitted; amend it to make changes."))


def journal_check_can_amend(*, journal: Journal, scope: Scope) -> None:
    """Only the author amends, and only a submitted (or reviewed) journal."""
    if journal.rep_id != scope.user_id:
        raise PermissionDenied(_("Only the author may amend this journal."))
    if not journal.is_locked():
        raise PermissionDenied(_("Only a submitted journal can be amended."))


def journal_check_can_review(*, journal: Journal, scope: Scope) -> None:
    """Evaluate and mark reviewed: the team's supervisor (or an admin), or a manager above
    the team when the team's submission rule says managers review. Never one's own."""
    if journal.rep_id == scope.user_id and not scope.is_admin:
        raise PermissionDenied(_("You cannot review your own journal."))
    if scope.can_manage_team(journal.team_id):
        return
    if (
        journal.team_id in scope.managed_team_ids
        and effective_rule(journal.team_id).reviewer_role == "manager"
    ):
        return
    raise PermissionDenied(_("Only the team's supervisor may review this journal."))


def journal_check_can_comment(*, journal: Journal, scope: Scope) -> None:
    """Anyone who sees the journal may comment: its author, the team's leaders, admins."""
    if not scope.can_see(owner_id=journal.rep_id, team_id=journal.team_id):
        raise PermissionDenied(_("You may not comment on this journal."))


def visit_check_can_mark_case(*, visit: Visit, scope: Scope) -> None:
    """Only the team's supervisor (or an admin) picks success cases for the weekly meeting."""
    if not scope.can_manage_team(visit.team_id):
        raise PermissionDenied(_("Only the team's supervisor may mark success cases."))


def _author_edits(journal: Journal, by: User) -> None:
    if journal.rep_id != by.pk:
        raise PermissionDenied(_("Only the author may change this journal."))
    if journal.is_locked():
        raise PermissionDenied(_("This journal was submitted; amend it to make changes."))


# --- journal ------------------------------------------------------------------------------


def journal_get_or_create_today(*, rep: User, day: dt.date | None = None) -> Journal:
    """The rep's journal for local ``day`` (default: the organisation's today), created as
    a draft in the rep's team of that day (customers.services.team_of) when missing.

    Suggestions for its plan (yesterday's unfinished items, next steps due today) are
    offered by ``selectors.plan_suggestions`` and added with :func:`plan_item_add`
    (``carried_from``). Raises ValidationError when the rep has no team that day or the
    day is more than one day ahead (a plan may be written the evening before).
    """
    day = day or local_today()
    existing = Journal.objects.filter(rep=rep, day=day).select_related("team").first()
    if existing:
        return existing
    if day > local_today() + dt.timedelta(days=1):
        raise ValidationError(_("A journal can be started at most one day ahead."))
    team = team_of(rep, day)
    if team is None:
        raise ValidationError(
            _("You are not a member of a team on %(day)s.") % {"day": day.isoformat()}
        )
    journal = Journal(rep=rep, team=team, day=day)
    journal.full_clean()
    try:
        with transaction.atomic():
            journal.save()
    except IntegrityError:  # created concurrently (two tabs): use the winner's row
        return Journal.objects.select_related("team").get(rep=rep, day=day)
    return journal


@transaction.atomic
def journal_update_text(
    *,
    journal: Journal,
    by: User,
    learning_topic: str | None = None,
    takeaways: str | None = None,
    summary: str | None = None,
) -> Journal:
    """Save the rep's own text (learning topic, takeaways, daily summary) of a draft.

    Fields left None are not touched, so the autosave can post one field at a time.
    """
    _author_edits(journal, by)
    fields = []
    for name, value in (
        ("learning_topic", learning_topic),
        ("takeaways", takeaways),
        ("summary", summary),
    ):
        if value is not None:
            setattr(journal, name, value)
            fields.append(name)
    journal.full_clean()
    journal.save(update_fields=[*fields, "updated_at"])
    return journal


def _kind_for(purpose: str) -> str:
    if purpose in VISIT_PURPOSES:
        return PlanItem.Kind.VISIT
    if purpose == Purpose.APPOINTMENT:
        return PlanItem.Kind.APPOINTMENT
    if purpose in FOLLOW_UP_PURPOSES:
        return PlanItem.Kind.FOLLOW_UP
    raise ValidationError({"purpose": _("Choose a purpose.")})


def _check_customer(customer: Customer | None, journal: Journal) -> None:
    if customer is not None and customer.owner_id != journal.rep_id:
        raise ValidationError({"customer": _("Pick one of your own customers.")})


@transaction.atomic
def plan_item_add(
    *,
    journal: Journal,
    by: User,
    purpose: str,
    customer: Customer | None = None,
    preparation: str = "",
    carried_from: PlanItem | None = None,
) -> PlanItem:
    """Add a planned visit (first visit / explanation / closing), appointment or follow-up
    (collection / coordination / research / service); the kind follows from ``purpose``.

    ``customer`` must be the rep's own, and the same customer with the same purpose is
    planned once per day (ValidationError on ``customer`` otherwise); ``carried_from``
    links an unfinished item of an earlier journal that was offered as a suggestion.
    """
    _author_edits(journal, by)
    _check_customer(customer, journal)
    if (
        customer is not None
        and journal.plan_items.filter(customer=customer, purpose=purpose).exists()
    ):
        raise ValidationError(
            {"customer": _("This customer is already planned with that purpose on this day.")}
        )
    kind = _kind_for(purpose)
    position = journal.plan_items.filter(kind=kind).count()
    item = PlanItem(
        journal=journal,
        kind=kind,
        customer=customer,
        purpose=purpose,
        preparation=preparation.strip(),
        carried_from=carried_from,
        position=position,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def plan_item_remove(*, item: PlanItem, by: User) -> None:
    """Remove a plan item from a draft journal (its visit records stay, unlinked)."""
    _author_edits(item.journal, by)
    item.delete()


# --- visits -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """A check-in from the browser's geolocation: WGS84 degrees, accuracy in metres,
    an optional photo, and when it happened (default now)."""

    latitude: Decimal
    longitude: Decimal
    accuracy_m: int | None = None
    photo: UploadedFile | None = None
    at: dt.datetime | None = None


def _apply_stage(
    *, visit: Visit, customer: Customer, by: User, outcome: str, new_stage: str, needs: str = ""
) -> None:
    """Move the customer for an advancing outcome and link the recorded StageChange.

    ``needs`` (the customer's needs analysis, 需求分析), when given, is written to the
    customer file first through customers.services.customer_update: stage settings may
    require it before intent."""
    if needs.strip():
        customer_update(customer=customer, by=by, needs=needs.strip())
    if outcome not in calc.ADVANCING_OUTCOMES:
        visit.new_stage = ""
        return
    to_stage = Stage.DEAL if outcome == Visit.Outcome.DEAL else new_stage
    if not to_stage or not is_advance(customer.stage, to_stage):
        raise ValidationError(
            {"new_stage": _("Choose a stage further down the funnel than the current one.")}
        )
    if to_stage == Stage.DEAL:
        visit.outcome = Visit.Outcome.DEAL
    visit.new_stage = to_stage
    try:
        visit.stage_change = customer_change_stage(
            customer=customer,
            to_stage=to_stage,
            by=by,
            at=visit.occurred_at,
            reason=_("Visit: %(purpose)s") % {"purpose": Purpose(visit.purpose).label},
            source=StageChange.Source.VISIT,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        # A field the stage requires is empty: show it next to the needs field if that
        # is the one (the form offers it), else next to the stage.
        field = "needs" if "needs" in stage_missing_fields(customer, to_stage) else "new_stage"
        raise ValidationError({field: exc.messages}) from exc


def _after_visit(visit: Visit) -> None:
    """Bookkeeping on the customer file: last activity, earlier next steps fulfilled."""
    Customer.objects.filter(pk=visit.customer_id).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=visit.occurred_at)
    ).update(last_activity_at=visit.occurred_at)
    # A later visit to the same customer is the follow-up the earlier next step asked for.
    Visit.objects.filter(
        customer_id=visit.customer_id,
        next_step_done=False,
        next_step_date__isnull=False,
        occurred_at__lt=visit.occurred_at,
    ).exclude(pk=visit.pk).update(next_step_done=True)


@transaction.atomic
def visit_record(
    *,
    journal: Journal,
    by: User,
    customer: Customer,
    purpose: str,
    occurred_at: dt.datetime,
    learned: str = "",
    agreed: str = "",
    analysis: str = "",
    next_step: str = "",
    next_step_date: dt.date | None = None,
    outcome: str = Visit.Outcome.NOTHING,
    new_stage: str = "",
    plan_item: PlanItem | None = None,
    checkin: CheckIn | None = None,
    needs: str = "",
) -> Visit:
    """Record an actual visit, appointment or follow-up (实际拜访记录) in a draft journal.

    - ``occurred_at`` must fall on the journal's local day; ``customer`` must be the rep's;
    - ``stage_before`` is the customer's stage before the visit;
    - outcome ``stage_advanced`` (with ``new_stage`` further down the funnel) or ``deal``
      moves the customer through customer_change_stage at ``occurred_at``, source VISIT;
    - ``is_effective`` per DOMAIN.md section 9 (calculations.visit_is_effective);
    - the customer's last_activity_at moves forward, earlier next steps count as done;
    - an optional ``checkin`` pins or measures the location (:func:`visit_checkin`);
    - ``needs`` updates the customer's needs analysis (stage settings may require it).

    Raises ValidationError (field errors) and PermissionDenied (not the author / locked).
    """
    _author_edits(journal, by)
    _check_customer(customer, journal)
    if timezone.localdate(occurred_at) != journal.day:
        raise ValidationError({"occurred_at": _("The visit must be on the journal's day.")})
    if plan_item is not None and (
        plan_item.journal_id != journal.pk
        or (plan_item.customer_id is not None and plan_item.customer_id != customer.pk)
    ):
        raise ValidationError(_("That plan item is not a plan for this customer today."))
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    visit = Visit(
        journal=journal,
        rep=journal.rep,
        team=journal.team,
        customer=customer,
        plan_item=plan_item,
        purpose=purpose,
        occurred_at=occurred_at,
        learned=learned.strip(),
        agreed=agreed.strip(),
        analysis=analysis.strip(),
        next_step=next_step.strip(),
        next_step_date=next_step_date,
        outcome=outcome,
        stage_before=customer.stage,
    )
    _check_next_step(visit)
    _apply_stage(
        visit=visit, customer=customer, by=by, outcome=outcome, new_stage=new_stage, needs=needs
    )
    visit.is_effective = calc.visit_is_effective(
        outcome=visit.outcome, next_step=visit.next_step, next_step_date=visit.next_step_date
    )
    visit.full_clean(exclude=["checkin_photo"])
    visit.save()
    _after_visit(visit)
    if checkin is not None:
        visit_checkin(visit=visit, by=by, checkin=checkin)
    return visit


def _check_next_step(visit: Visit) -> None:
    if visit.next_step_date and not visit.next_step:
        raise ValidationError({"next_step": _("Say what the next step is.")})
    if not visit.next_step_date:
        return
    visit_day = timezone.localdate(visit.occurred_at)
    if visit.next_step_date < visit_day:
        raise ValidationError({"next_step_date": _("The next step cannot be before the visit.")})
    if visit.next_step_date > one_year_after(visit_day):
        raise ValidationError(
            {"next_step_date": _("Plan the next step within one year of the visit.")}
        )


def one_year_after(day: dt.date) -> dt.date:
    """The same date a year later (29 February gives 28 February): the latest next-step
    date of a visit on ``day``."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def visit_from_plan(
    *, plan_item: PlanItem, by: User, occurred_at: dt.datetime | None = None, **details: object
) -> Visit:
    """One click: turn a planned visit into a visit record, carrying its customer and
    purpose and linking the plan item (its preparation shows on the record).

    ``occurred_at`` defaults to now when the journal is today's, else noon of its day.
    ``details`` are passed on to :func:`visit_record` (learned, outcome, ...).
    ValidationError when the plan item names no customer.
    """
    journal = plan_item.journal
    if plan_item.customer is None:
        raise ValidationError(_("Name the customer of this plan item first."))
    if occurred_at is None:
        now = timezone.now()
        occurred_at = (
            now
            if timezone.localdate(now) == journal.day
            else timezone.make_aware(dt.datetime.combine(journal.day, dt.time(12, 0)))
        )
    return visit_record(
        journal=journal,
        by=by,
        customer=plan_item.customer,
        purpose=plan_item.purpose,
        occurred_at=occurred_at,
        plan_item=plan_item,
        **details,  # type: ignore[arg-type]
    )


@transaction.atomic
def visit_update(
    *,
    visit: Visit,
    by: User,
    purpose: str,
    occurred_at: dt.datetime,
    learned: str = "",
    agreed: str = "",
    analysis: str = "",
    next_step: str = "",
    next_step_date: dt.date | None = None,
    outcome: str = Visit.Outcome.NOTHING,
    new_stage: str = "",
    needs: str = "",
) -> Visit:
    """Change a visit record of a draft journal. Once a visit moved the customer's stage,
    that move is history: its outcome and new stage stay as recorded; a visit without one
    may still add an advance (recorded then, at the visit's time)."""
    journal = visit.journal
    _author_edits(journal, by)
    if timezone.localdate(occurred_at) != journal.day:
        raise ValidationError({"occurred_at": _("The visit must be on the journal's day.")})
    visit.purpose = purpose
    visit.occurred_at = occurred_at
    visit.learned, visit.agreed, visit.analysis = learned.strip(), agreed.strip(), analysis.strip()
    visit.next_step, visit.next_step_date = next_step.strip(), next_step_date
    _check_next_step(visit)
    if visit.stage_change_id is None:
        customer = Customer.objects.select_for_update().get(pk=visit.customer_id)
        visit.outcome = outcome
        _apply_stage(
            visit=visit,
            customer=customer,
            by=by,
            outcome=outcome,
            new_stage=new_stage,
            needs=needs,
        )
    visit.is_effective = calc.visit_is_effective(
        outcome=visit.outcome, next_step=visit.next_step, next_step_date=visit.next_step_date
    )
    visit.full_clean(exclude=["checkin_photo"])
    visit.save()
    _after_visit(visit)
    return visit


@transaction.atomic
def visit_delete(*, visit: Visit, by: User) -> None:
    """Delete a visit record of a draft journal; one that moved a stage stays (history)."""
    _author_edits(visit.journal, by)
    if visit.stage_change_id:
        raise ValidationError(_("This visit moved the customer's stage and cannot be deleted."))
    visit.delete()


@transaction.atomic
def visit_checkin(*, visit: Visit, by: User, checkin: CheckIn) -> Visit:
    """Store a check-in on the visit. The customer's location is pinned at its first
    check-in (that visit's distance stays None: it *defines* the place); later check-ins
    store their distance from the pin in metres (haversine), so a supervisor can tell
    which visits were verified. Only the author, on a draft journal."""
    _author_edits(visit.journal, by)
    lat, lon = Decimal(str(checkin.latitude)), Decimal(str(checkin.longitude))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(_("The location is not valid."))
    lat, lon = round(lat, 6), round(lon, 6)
    customer = Customer.objects.select_for_update().get(pk=visit.customer_id)
    if customer.latitude is None or customer.longitude is None:
        Customer.objects.filter(pk=customer.pk).update(latitude=lat, longitude=lon)
        visit.checkin_distance_m = None
    else:
        visit.checkin_distance_m = calc.haversine_m(
            float(customer.latitude), float(customer.longitude), float(lat), float(lon)
        )
    visit.checkin_latitude, visit.checkin_longitude = lat, lon
    visit.checkin_accuracy_m = checkin.accuracy_m
    visit.checked_in_at = checkin.at or timezone.now()
    fields = [
        "checkin_latitude",
        "checkin_longitude",
        "checkin_accuracy_m",
        "checkin_distance_m",
        "checked_in_at",
    ]
    if checkin.photo is not None:
        visit.checkin_photo = checkin.photo
        fields.append("checkin_photo")
    visit.save(update_fields=fields)
    return visit


@transaction.atomic
def visit_mark_case(*, visit: Visit, by: User, is_case: bool, note: str = "") -> Visit:
    """The supervisor marks (or unmarks) a visit as a success case for the weekly meeting."""
    visit_check_can_mark_case(visit=visit, scope=scope_for(by))
    visit.is_case = is_case
    visit.case_note = note.strip()[:300] if is_case else ""
    visit.save(update_fields=["is_case", "case_note"])
    return visit


# --- workflow -----------------------------------------------------------------------------


@transaction.atomic
def journal_submit(*, journal: Journal, by: User, at: dt.datetime | None = None) -> Journal:
    """Submit a draft: sets ``submitted_at`` and ``is_late`` (after the deadline of the
    journal's *local* day under its team's rule, DOMAIN.md section 3). The journal keeps
    its day: one for 2026-03-01 submitted 2026-03-02 00:30 Asia/Shanghai is late.

    A re-submission after an amendment keeps the lateness of the first submission.
    Raises ValidationError when the deadline passed and late submission is not allowed.
    """
    _author_edits(journal, by)
    at = at or timezone.now()
    rule = effective_rule(journal.team_id)
    amended = journal.revision > 1
    late = calc.is_late(
        day=journal.day, submitted_at=at, deadline=rule.deadline, tz=settings.TIME_ZONE
    )
    if amended:
        late = journal.is_late
    elif late and not rule.late_allowed:
        raise ValidationError(
            _("The deadline (%(time)s) has passed and late submission is not allowed.")
            % {"time": rule.deadline.strftime("%H:%M")}
        )
    journal.status = Journal.Status.SUBMITTED
    journal.submitted_at = at
    journal.is_late = late
    journal.full_clean()
    journal.save(update_fields=["status", "submitted_at", "is_late", "updated_at"])
    from kpi.services import kpi_touch  # kpi reads journals; import late, no cycle

    kpi_touch(team_id=journal.team_id, day=journal.day, trigger="journal")
    return journal


@transaction.atomic
def journal_amend(*, journal: Journal, by: User) -> Journal:
    """Reopen a submitted journal for its author: the current content is frozen as a
    JournalRevision (JSON, see selectors.journal_content), the revision number goes up and
    the journal is a draft again (its review is cleared; the evaluation stays)."""
    journal_check_can_amend(journal=journal, scope=Scope(user_id=by.pk, day=journal.day))
    JournalRevision.objects.create(
        journal=journal,
        number=journal.revision,
        content=journal_content(journal),
        submitted_at=journal.submitted_at,
        created_by=by,
    )
    journal.revision += 1
    journal.status = Journal.Status.DRAFT
    journal.reviewed_at = None
    journal.reviewed_by = None
    journal.save(update_fields=["revision", "status", "reviewed_at", "reviewed_by", "updated_at"])
    return journal


def _notify(user: User, key: str, title: str, body: str, url: str) -> bool:
    """In-app notification, and an email after commit when it is new (idempotent per key).
    Returns True when this call sent it."""
    sent = notification_send(user=user, key=key, title=str(title), body=str(body), url=url)
    if sent is None:
        return False
    if user.email:
        text = f"{sent.body}\n\n{settings_site_url()}{sent.url}".strip()
        transaction.on_commit(lambda: send_mail(sent.title, text, None, [user.email]))
    return True


def settings_site_url() -> str:
    """The site's address for links in emails (settings.SITE_URL, else empty: relative)."""
    return str(getattr(settings, "SITE_URL", "") or "").rstrip("/")


@transaction.atomic
def journal_evaluate(*, journal: Journal, by: User, evaluation: str) -> Journal:
    """Write the supervisor evaluation and advice (主管评价与建议). Only that field: the
    rep's own text is never changed. ValidationError for a draft (nothing to evaluate)."""
    journal_check_can_review(journal=journal, scope=scope_for(by))
    if journal.status == Journal.Status.DRAFT:
        raise ValidationError(_("The journal has not been submitted yet."))
    journal.evaluation = evaluation.strip()
    journal.evaluated_by = by
    journal.save(update_fields=["evaluation", "evaluated_by", "updated_at"])
    return journal


@transaction.atomic
def journal_review(
    *, journal: Journal, by: User, evaluation: str | None = None, at: dt.datetime | None = None
) -> Journal:
    """Mark a submitted journal reviewed (optionally saving the evaluation first) and tell
    the rep. ValidationError for a draft."""
    if evaluation is not None and evaluation.strip() != journal.evaluation:
        journal_evaluate(journal=journal, by=by, evaluation=evaluation)
    journal_check_can_review(journal=journal, scope=scope_for(by))
    if journal.status == Journal.Status.DRAFT:
        raise ValidationError(_("The journal has not been submitted yet."))
    journal.status = Journal.Status.REVIEWED
    journal.reviewed_at = at or timezone.now()
    journal.reviewed_by = by
    journal.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated_at"])
    _notify(
        journal.rep,
        f"journal-reviewed:{journal.pk}:{journal.revision}",
        _("Your journal of %(day)s was reviewed") % {"day": journal.day.isoformat()},
        journal.evaluation,
        reverse("journals:journal_detail", args=[journal.pk]),
    )
    return journal


MENTION = re.compile(r"(?<![\w.])@([\w.+-]+)")


def mentioned_usernames(text: str) -> list[str]:
    """Usernames mentioned as ``@username`` in ``text``, in order, without duplicates."""
    seen: dict[str, None] = {}
    for name in MENTION.findall(text):
        seen.setdefault(name.rstrip("."), None)
    return list(seen)


@transaction.atomic
def comment_add(*, journal: Journal, by: User, text: str) -> Comment:
    """Add a comment to the journal's thread. ``@username`` mentions of people who may see
    the journal are stored and notified; the journal's author is notified of comments by
    others. ValidationError for an empty comment."""
    journal_check_can_comment(journal=journal, scope=scope_for(by))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a comment first.")})
    comment = Comment.objects.create(journal=journal, author=by, text=text)
    url = reverse("journals:journal_detail", args=[journal.pk]) + f"#comment-{comment.pk}"
    names = mentioned_usernames(text)
    mentioned = [
        u
        for u in User.objects.filter(username__in=names, is_active=True)
        if u.pk != by.pk and scope_for(u).can_see(owner_id=journal.rep_id, team_id=journal.team_id)
    ]
    comment.mentions.set(mentioned)
    title = _("%(name)s commented on the journal of %(rep)s, %(day)s") % {
        "name": by.name,
        "rep": journal.rep.name,
        "day": journal.day.isoformat(),
    }
    for user in mentioned:
        _notify(user, f"journal-mention:{comment.pk}", title, text[:500], url)
    if journal.rep_id != by.pk and journal.rep not in mentioned:
        _notify(journal.rep, f"journal-comment:{comment.pk}", title, text[:500], url)
    return comment


# --- reminders ----------------------------------------------------------------------------


def _active_teams() -> list:
    from accounts.models import OrgUnit

    return list(OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, is_active=True).order_by("pk"))


def journal_reminders_send(*, now: dt.datetime | None = None) -> int:
    """At the deadline: notify each person whose journal for today is *missing* (a work
    day, required by the rule, not exempt, deadline passed, not submitted), in-app and by
    email. Exactly once per person and day, however often it runs: the notification key
    ``journal-missing:<day>`` is unique per user, and the email goes only with a new one.
    Returns the number of people notified by this run."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not is_work_day(day):
        return 0
    sent = 0
    url = reverse("journals:today")
    for team in _active_teams():
        rows, _rule = team_day(team=team, day=day, now=now, counts=False)
        for row in rows:
            if row.status != calc.MISSING:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Your journal for %(day)s is missing") % {"day": day.isoformat()}
                body = _("The deadline has passed. Please submit today's journal.")
            with transaction.atomic():
                sent += _notify(row.user, f"journal-missing:{day}", title, body, url)
    return sent


def journal_digest_send(*, now: dt.datetime | None = None) -> int:
    """Morning digest: each supervisor gets the missing and late journals of the previous
    work day of each team they supervise (once per team and day). Returns digests sent."""
    from accounts.models import Membership
    from accounts.scoping import active_memberships

    now = now or timezone.now()
    today = timezone.localdate(now)
    day = previous_work_day(today)
    sent = 0
    for team in _active_teams():
        supervisors = [
            m.user
            for m in Membership.objects.filter(
                active_memberships(today), unit=team, role=Membership.Role.SUPERVISOR
            ).select_related("user")
            if m.user.is_active
        ]
        if not supervisors:
            continue
        rows, _rule = team_day(team=team, day=day, now=now, counts=False)
        missing = [r for r in rows if r.status == calc.MISSING]
        late = [r for r in rows if r.status == calc.LATE]
        if not rows or not (missing or late):
            continue
        url = reverse("journals:inbox") + f"?team={team.pk}&day={day.isoformat()}"
        with translation.override(settings.LANGUAGE_CODE):
            title = _("%(team)s, %(day)s: %(missing)d missing, %(late)d late journals") % {
                "team": team.name,
                "day": day.isoformat(),
                "missing": len(missing),
                "late": len(late),
            }
            body = _digest_body(missing, late)
        for supervisor in supervisors:
            with transaction.atomic():
                sent += _notify(supervisor, f"journal-digest:{team.pk}:{day}", title, body, url)
    return sent


def _digest_body(missing: list[MemberDay], late: list[MemberDay]) -> str:
    lines = []
    if missing:
        lines.append(_("Missing: %(names)s") % {"names": ", ".join(r.user.name for r in missing)})
    if late:
        lines.append(_("Late: %(names)s") % {"names": ", ".join(r.user.name for r in late)})
    return "\n".join(lines)


def stage_label(stage: str) -> str:
    """The display label of a stage value ('' for none)."""
    return str(Stage(stage).label) if stage in Stage.values else ""


# --- exemptions ---------------------------------------------------------------------------


@transaction.atomic
def exemption_add(
    *,
    user: User,
    by: User,
    kind: str,
    start: dt.date,
    end: dt.date,
    note: str = "",
) -> Exemption:
    """Record leave or a business trip (inclusive dates): no journal is due, nobody is
    reminded, and the day is not *missing*. Only the supervisor of the person's team on
    ``start`` (or an admin) records it; PermissionDenied otherwise."""
    scope = scope_for(by)
    team = team_of(user, start)
    if not (scope.is_admin or (team is not None and scope.can_manage_team(team.pk))):
        raise PermissionDenied(_("Only the person's supervisor may record leave or trips."))
    exemption = Exemption(user=user, kind=kind, start=start, end=end, note=note.strip())
    exemption.full_clean()
    exemption.save()
    return exemption
