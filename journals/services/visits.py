"""Visit records: record, update, delete, check-in and success case. A stage move goes
through ``customers.services.customer_change_stage`` only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import is_rep_of, scope_for
from customers.models import Customer, Stage, StageChange
from customers.services import (
    customer_change_stage,
    customer_update,
    is_advance,
    stage_missing_fields,
)
from domain import visits as visit_rules
from salesops.events import CustomerChanged, publish

from .. import calculations as calc
from ..models import (
    Journal,
    PlanItem,
    Purpose,
    Visit,
)

# --- checks -------------------------------------------------------------------------------
from .permissions import _author_edits, visit_check_can_mark_case


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
    if outcome not in visit_rules.ADVANCING_OUTCOMES:
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
    """Bookkeeping on the customer file: last activity, earlier next steps fulfilled; the
    KPIs hear of the visit (CustomerChanged, reason "visit")."""
    _announce(visit)
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


def _announce(visit: Visit) -> None:
    """Publish that a visit of this customer was recorded, changed or deleted: the KPIs
    recompute the visit's customer for its team and day (docs/architecture.md, "Events";
    "Incremental recompute")."""
    if visit.team_id is not None:
        publish(
            CustomerChanged(
                customer_id=visit.customer_id,
                team_ids=(visit.team_id,),
                when=visit.occurred_at,
                reason="visit",
            )
        )


def visit_channel_check(*, channel: str, purpose: str, has_checkin: bool = False) -> None:
    """Refuse a contact type that does not fit (docs/domain, section 3, "Phone calls,
    WeChat and e-mails"): ``channel`` must be one of ``domain.visits.CHANNELS``; a phone
    call, WeChat or e-mail is an appointment or a follow-up (first, explanation and closing
    visits happen in person) and never has a check-in (``has_checkin``). Raises
    ValidationError on the field concerned."""
    if channel not in visit_rules.CHANNEL_CODES:
        raise ValidationError({"channel": _("Choose how the contact was made.")})
    if not visit_rules.purpose_fits_channel(channel, purpose):
        raise ValidationError(
            {
                "purpose": _(
                    "A phone call, WeChat or e-mail is an appointment or a follow-up; first, "
                    "explanation and closing visits happen in person."
                )
            }
        )
    if has_checkin and not visit_rules.is_in_person(channel):
        raise ValidationError(
            {"channel": _("Only an in-person visit checks in; a call, WeChat or e-mail does not.")}
        )


def visit_relation_check(*, customer: Customer, journal: Journal, relation: str) -> str:
    """The relation a visit of ``journal``'s rep to ``customer`` is recorded with
    (docs/domain, section 3: accompanied and covering visits).

    Their own customer: always ``own``. Someone else's customer: ``relation`` must be
    ``accompanied`` (陪同拜访, e.g. a supervisor with the rep) or ``covering`` (a colleague
    covering), and the visitor must see the customer (its team's supervisor or manager) or
    be a rep of the customer's team on the journal's day. Returns the relation to store;
    raises ValidationError on ``customer`` otherwise."""
    if customer.owner_id == journal.rep_id:
        return visit_rules.OWN
    if relation not in visit_rules.NON_OWNER_RELATIONS:
        raise ValidationError(
            {
                "customer": _(
                    "This customer is not yours: record it as an accompanied visit or as "
                    "covering for a colleague."
                )
            }
        )
    scope = scope_for(journal.rep, journal.day)
    if not (
        scope.can_see(owner_id=customer.owner_id, team_id=customer.team_id)
        or (customer.team_id is not None and is_rep_of(journal.rep, customer.team_id, journal.day))
    ):
        raise ValidationError({"customer": _("Pick a customer of your team.")})
    return relation


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
    relation: str = visit_rules.OWN,
    channel: str = visit_rules.IN_PERSON,
) -> Visit:
    """Record an actual visit, appointment or follow-up (实际拜访记录) in a draft journal.

    ``channel``: ``visit`` (in person, the default), ``phone``, ``wechat`` or ``email``
    (:func:`visit_channel_check`: a remote contact is an appointment or follow-up and has
    no check-in; it counts as a follow-up, never as a visit, docs/domain, section 9).

    - ``occurred_at`` must fall on the journal's local day; ``customer`` is the rep's own, or
      someone else's with ``relation`` accompanied or covering (:func:`visit_relation_check`);
      the visit counts for the journal rep's activity either way;
    - ``stage_before`` is the customer's stage before the visit;
    - outcome ``stage_advanced`` (with ``new_stage`` further down the funnel) or ``deal``
      moves the customer through customer_change_stage at ``occurred_at``, source VISIT;
    - whether it is effective is computed from outcome and next step when read
      (``Visit.is_effective``, docs/domain, section 9), never stored;
    - the customer's last_activity_at moves forward, earlier next steps count as done;
    - an optional ``checkin`` pins or measures the location (:func:`visit_checkin`);
    - ``needs`` updates the customer's needs analysis (stage settings may require it).

    Raises ValidationError (field errors) and PermissionDenied (not the author / locked).
    """
    _author_edits(journal, by)
    relation = visit_relation_check(customer=customer, journal=journal, relation=relation)
    visit_channel_check(channel=channel, purpose=purpose, has_checkin=checkin is not None)
    if timezone.localdate(occurred_at) != journal.day:
        raise ValidationError({"occurred_at": _("The visit must be on the journal's day.")})
    _check_not_in_future(occurred_at)
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
        relation=relation,
        channel=channel,
    )
    _check_next_step(visit)
    _apply_stage(
        visit=visit, customer=customer, by=by, outcome=outcome, new_stage=new_stage, needs=needs
    )
    visit.full_clean(exclude=_NOT_CLEANED)
    visit.save()
    _after_visit(visit)
    if checkin is not None:
        visit_checkin(visit=visit, by=by, checkin=checkin)
    return visit


#: Fields a visit's ``full_clean`` leaves out. The photo is stored by :func:`visit_checkin`.
#: The journal, rep, team and customer are rows the service holds (the customer locked
#: for update), so checking that they exist would only cost a query each; the database's
#: foreign keys still refuse a missing row. ``checked_in_at`` carries the one model
#: constraint (journals_checkin_only_in_person), which :func:`visit_channel_check` has
#: already applied with its own message, and the database enforces too; validating it
#: again cost a savepoint and a query.
_NOT_CLEANED = ["checkin_photo", "journal", "rep", "team", "customer", "checked_in_at"]

#: Clock drift between a phone and the server that a visit time may run ahead of now.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def _check_not_in_future(occurred_at: dt.datetime) -> None:
    """A visit is a record of what happened: its time cannot be later than now (plus
    :data:`FUTURE_TOLERANCE`); a visit still to come belongs in the plan."""
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(
            {
                "occurred_at": _(
                    "The visit time is later than now; record a visit once it happened, or plan it."
                )
            }
        )


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
    channel: str | None = None,
) -> Visit:
    """Change a visit record of a draft journal. Once a visit moved the customer's stage,
    that move is history: its outcome and new stage stay as recorded; a visit without one
    may still add an advance (recorded then, at the visit's time). ``channel`` None keeps
    the record's contact type; a new one passes :func:`visit_channel_check` (a checked-in
    visit stays in person)."""
    journal = visit.journal
    _author_edits(journal, by)
    channel = visit.channel if channel is None else channel
    visit_channel_check(
        channel=channel, purpose=purpose, has_checkin=visit.checked_in_at is not None
    )
    visit.channel = channel
    if timezone.localdate(occurred_at) != journal.day:
        raise ValidationError({"occurred_at": _("The visit must be on the journal's day.")})
    _check_not_in_future(occurred_at)
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
    visit.full_clean(exclude=_NOT_CLEANED)
    visit.save()
    _after_visit(visit)
    return visit


@transaction.atomic
def visit_delete(*, visit: Visit, by: User) -> None:
    """Delete a visit record of a draft journal; one that moved a stage stays (history)."""
    _author_edits(visit.journal, by)
    if visit.stage_change_id:
        raise ValidationError(_("This visit moved the customer's stage and cannot be deleted."))
    _announce(visit)
    visit.delete()


@transaction.atomic
def visit_checkin(*, visit: Visit, by: User, checkin: CheckIn) -> Visit:
    """Store a check-in on the visit. The customer's location is pinned at its first
    check-in (that visit's distance stays None: it *defines* the place); later check-ins
    store their distance from the pin in metres (haversine), so a supervisor can tell
    which visits were verified. Only the author, on a draft journal, and only for an
    in-person visit (a call, WeChat or e-mail has no place to check in)."""
    _author_edits(visit.journal, by)
    visit_channel_check(channel=visit.channel, purpose=visit.purpose, has_checkin=True)
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
