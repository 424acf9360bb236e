"""The customer's timeline: every dated thing that happened to a customer, newest first
(stage changes, notes and news, revenue, contracts, evaluations, ownership changes, visits
and remote follow-ups), read in the reader's language whoever wrote the entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Customer, Stage, StageChange


@dataclass
class TimelineEntry:
    """One item of the customer's timeline, newest first on the page."""

    at: dt.datetime
    kind: str  # stage, note, news, development, revenue, contract, evaluation, owner, visit
    title: str
    body: str = ""
    who: Any = None
    url: str = ""
    badges: list[tuple[str, str]] = field(default_factory=list)  # (css class, text)
    is_date_only: bool = False


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def journal_url(journal_id: int) -> str:
    """URL of a journal's page, or '' while the journals pages do not exist."""
    try:
        return reverse("journals:journal_detail", args=[journal_id])
    except NoReverseMatch:
        return ""


def customer_timeline(customer: Customer) -> list[TimelineEntry]:
    """Stage changes, notes and news, revenue, contracts, evaluations, ownership changes,
    visits, calls, WeChats and e-mails (kind ``visit``, ``follow_up_<channel>``) of
    ``customer``, newest first. Uses only what
    :func:`customers.selectors.customer_detail` prefetched."""
    entries: list[TimelineEntry] = []
    # A stage change made by a visit is explained by that visit, in the reader's language
    # (its stored reason is in the language of whoever recorded it).
    visit_of_change = {v.stage_change_id: v for v in customer.visits.all() if v.stage_change_id}
    for change in customer.stage_changes.all():
        badges = []
        if change.source != StageChange.Source.MANUAL:
            badges.append(("text-bg-light", change.get_source_display()))
        from_label = Stage(change.from_stage).label if change.from_stage else "-"
        by_visit = visit_of_change.get(change.pk)
        reason = (
            _("Visit: %(purpose)s") % {"purpose": by_visit.get_purpose_display()}
            if by_visit is not None
            else _(change.reason)
            if change.reason
            else ""
        )
        entries.append(
            TimelineEntry(
                at=change.at,
                kind="stage",
                title=_("Stage: %(from)s → %(to)s")
                % {"from": from_label, "to": Stage(change.to_stage).label},
                body=reason,
                who=change.by,
                badges=badges,
            )
        )
    for note in customer.notes_log.all():
        entries.append(
            TimelineEntry(
                at=note.created_at,
                kind=note.kind,
                title=note.get_kind_display(),
                body=note.text,
                who=note.author,
            )
        )
    for record in customer.revenue.all():
        title = _("Revenue %(month)s: billed %(billed)s, received %(received)s") % {
            "month": record.month.strftime("%Y-%m"),
            "billed": record.billed,
            "received": record.received,
        }
        entries.append(
            TimelineEntry(
                at=_day_start(record.month),
                kind="revenue",
                title=title,
                body=record.product,
                badges=[("text-bg-light", record.get_kind_display())] if record.kind else [],
                is_date_only=True,
            )
        )
    for contract in customer.contracts.all():
        entries.append(
            TimelineEntry(
                at=_day_start(contract.signed_on),
                kind="contract",
                title=_("Contract signed: %(products)s, %(value)s a month for %(months)s months")
                % {
                    "products": contract.products,
                    "value": contract.monthly_value,
                    "months": contract.term_months,
                },
                who=contract.rep,
                is_date_only=True,
            )
        )
    for evaluation in customer.evaluations.all():
        entries.append(
            TimelineEntry(
                at=_day_start(evaluation.evaluated_on),
                kind="evaluation",
                title=_("Service evaluation: %(score)s / 5") % {"score": evaluation.score},
                body=evaluation.text,
                who=evaluation.author,
                is_date_only=True,
            )
        )
    ownerships = sorted(customer.ownerships.all(), key=lambda o: (o.start, o.pk))
    for index, row in enumerate(ownerships):
        if row.owner_id is None and index == 0:
            title = _("In the public pool")  # created or imported without an owner
        elif row.owner_id is None:
            title = _("Released to the public pool")
        elif index == 0:
            title = _("Owner: %(owner)s") % {"owner": row.owner}
        else:
            title = _("Owner changed to %(owner)s") % {"owner": row.owner}
        entries.append(
            TimelineEntry(
                at=row.start,
                kind="owner",
                title=title,
                body=_(row.reason) if row.reason else "",  # fixed reasons are stored untranslated
                who=row.changed_by,
                badges=[("text-bg-light", str(row.team))] if row.team_id else [],
            )
        )
    for visit in customer.visits.all():
        badges = [("text-bg-light", visit.get_outcome_display())]
        if visit.is_effective:
            badges.append(("text-bg-success", _("Effective")))
        if visit.relation != "own":  # an accompanied or covering visit by a non-owner
            badges.append(("text-bg-info", visit.get_relation_display()))
        body = " · ".join(part for part in (visit.learned, visit.agreed) if part)
        if visit.next_step:
            nxt = _("Next step: %(step)s") % {"step": visit.next_step}
            if visit.next_step_date:
                nxt += f" ({visit.next_step_date:%Y-%m-%d})"
            body = f"{body}\n{nxt}" if body else nxt
        entries.append(
            TimelineEntry(
                at=visit.occurred_at,
                kind="visit" if visit.channel == "visit" else f"follow_up_{visit.channel}",
                title=_("%(channel)s: %(purpose)s")  # in person, phone, ... (docs/domain 3)
                % {"channel": visit.get_channel_display(), "purpose": visit.get_purpose_display()},
                body=body,
                who=visit.rep,
                url=journal_url(visit.journal_id),
                badges=badges,
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
