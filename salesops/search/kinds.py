"""One scoped query per kind of result, its count and its hits (docs/architecture.md,
Conventions: every read through the model's ``visible_to(scope)``).

A kind answers ``None`` when the query does not apply to it (dates alone find journals and
weekly reports, not customers). Otherwise :class:`Results` is a lazy sequence for Django's
paginator: ``count()`` is one query and a slice is one query for the rows (plus one per
prefetch), whatever the number of rows, so the results page has a fixed query count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import Scope
from customers.models import Contact, Customer
from customers.pinyin import pinyin_pattern, pinyin_q, pinyin_span
from customers.selectors import contact_phone_q, customer_queryset, search_q
from journals.models import Comment, Journal, PlanItem, Visit
from weekly.models import (
    TeamWeeklyComment,
    TeamWeeklyReport,
    WeeklyComment,
    WeeklyKeyCustomer,
    WeeklyReport,
)
from weekly.selectors.weeks import week_label, week_period

from .terms import Terms, first_matching, highlight, highlight_span, snippet


@dataclass(frozen=True)
class Hit:
    """One result: ``url`` of the object's page, ``title`` and ``snippet`` as safe HTML
    with the match in ``<mark>``, ``meta`` plain text (who, team, stage, day)."""

    url: str
    title: SafeString
    meta: str
    snippet: SafeString | str = ""


class Results:
    """A lazy sequence of :class:`Hit` over a queryset: ``count()`` counts in the database,
    ``[a:b]`` loads that slice and turns each row into a hit with ``to_hits``."""

    def __init__(self, rows: QuerySet[Any], to_hits: Callable[[list[Any]], list[Hit]]) -> None:
        self.rows = rows
        self.to_hits = to_hits
        self._count: int | None = None

    def count(self) -> int:
        """The number of hits (one query, the first time)."""
        if self._count is None:
            self._count = self.rows.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Hit]:
        if not isinstance(window, slice):
            raise TypeError("Results take a slice")
        return self.to_hits(list(self.rows[window]))


@dataclass(frozen=True)
class Kind:
    """A kind of result: ``code`` (the ``kind`` parameter), ``label``, a Bootstrap icon
    name, and ``search(scope, terms) -> Results | None``."""

    code: str
    label: Promise
    icon: str
    search: Callable[[Scope, Terms], Results | None]


def _people(*names: object) -> str:
    return " · ".join(str(n) for n in names if n)


# ---------------------------------------------------------------------------- customers


def _customers(scope: Scope, terms: Terms) -> Results | None:
    """Visible customers by name, short name, pinyin, credit or external code, or a
    contact's name or phone (``customers.selectors.search_q``)."""
    if not terms.keyword:
        return None
    rows = (
        customer_queryset(scope)
        .filter(search_q(terms.keyword))
        .select_related("owner", "team")
        .order_by("pinyin_initials", "name", "id")
    )
    return Results(rows, lambda page: [_customer_hit(c, terms.keyword) for c in page])


def _customer_hit(customer: Customer, keyword: str) -> Hit:
    codes = [c for c in (customer.external_code, customer.credit_code) if c]
    owner = customer.owner or _("public pool")
    if keyword.lower() in customer.name.lower():
        title = highlight(customer.name, keyword)
    else:  # found by pinyin (or by a code or contact: then nothing is marked)
        title = highlight_span(customer.name, pinyin_span(customer.name, keyword))
    return Hit(
        url=reverse("customers:customer_detail", args=[customer.pk]),
        title=title,
        meta=_people(owner, customer.team, customer.get_stage_display()),
        snippet=highlight(" · ".join([customer.short_name, *codes]).strip(" ·"), keyword),
    )


# ---------------------------------------------------------------------------- contacts


def _contacts(scope: Scope, terms: Terms) -> Results | None:
    """Contacts of visible customers by name, title or phone (either number)."""
    keyword = terms.keyword
    if not keyword:
        return None
    phone = "".join(ch for ch in keyword if ch not in " -")
    match = Q(name__icontains=keyword) | Q(title__icontains=keyword) | contact_phone_q(keyword)
    rows = (
        Contact.objects.filter(customer_id__in=customer_queryset(scope).values("pk"))
        .filter(match)
        .select_related("customer")
        .order_by("name", "id")
    )
    return Results(rows, lambda page: [_contact_hit(c, keyword, phone) for c in page])


def _contact_hit(contact: Contact, keyword: str, phone: str) -> Hit:
    numbers = [n for n in (contact.phone, contact.phone2) if n]
    shown = " / ".join(numbers)
    return Hit(
        url=reverse("customers:customer_detail", args=[contact.customer_id]),
        title=highlight(contact.name, keyword),
        meta=_people(contact.customer.name, contact.title),
        snippet=highlight(shown, phone if phone and phone in shown else keyword),
    )


# ---------------------------------------------------------------------------- journals

_VISIT_TEXTS = ("learned", "agreed", "analysis", "next_step")
_JOURNAL_TEXTS = ("learning_topic", "takeaways", "summary", "evaluation")


def _text_q(fields: Sequence[str], keyword: str) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": keyword})
    return condition


def _named_customers(keyword: str) -> QuerySet[Customer, Any]:
    """Customers whose name, short name or pinyin the keyword finds (any team: the
    journals searched are the viewer's visible ones, and show these customers anyway)."""
    condition = Q(name__icontains=keyword) | Q(short_name__icontains=keyword)
    if pinyin_pattern(keyword) is not None:
        condition |= pinyin_q(keyword)
    return Customer.objects.filter(condition).values("pk")


def _visit_q(keyword: str) -> Q:
    return _text_q(_VISIT_TEXTS, keyword) | Q(customer_id__in=_named_customers(keyword))


def _journals(scope: Scope, terms: Terms) -> Results | None:
    """Visible journals: the keyword in the learning topic, takeaways, summary or
    evaluation, in a visit's notes, or naming a visited or planned customer; within the
    date span (the journal's local day)."""
    if terms.is_empty:
        return None
    rows = Journal.objects.visible_to(scope)
    keyword = terms.keyword
    prefetch: list[Prefetch[Any]] = []
    if keyword:
        visits = Visit.objects.filter(_visit_q(keyword))
        planned = PlanItem.objects.filter(customer_id__in=_named_customers(keyword))
        rows = rows.filter(
            _text_q(_JOURNAL_TEXTS, keyword)
            | Exists(visits.filter(journal=OuterRef("pk")))
            | Exists(planned.filter(journal=OuterRef("pk")))
        )
        prefetch.append(
            Prefetch(
                "visits",
                queryset=visits.select_related("customer").order_by("occurred_at", "id"),
                to_attr="matched_visits",
            )
        )
    if terms.day_from:
        rows = rows.filter(day__gte=terms.day_from)
    if terms.day_to:
        rows = rows.filter(day__lte=terms.day_to)
    rows = rows.select_related("rep", "team").prefetch_related(*prefetch).order_by("-day", "-id")
    return Results(rows, lambda page: [_journal_hit(j, keyword) for j in page])


def _journal_hit(journal: Journal, keyword: str) -> Hit:
    texts = [getattr(journal, name) for name in _JOURNAL_TEXTS]
    text = first_matching(keyword, *texts) if keyword else first_matching("", *texts)
    visits: list[Visit] = getattr(journal, "matched_visits", [])
    if keyword and keyword.lower() not in text.lower() and visits:
        visit = visits[0]
        notes = first_matching(keyword, *(getattr(visit, n) for n in _VISIT_TEXTS))
        text = f"{visit.customer.name}: {notes}" if notes else visit.customer.name
    return Hit(
        url=reverse("journals:journal_detail", args=[journal.pk]),
        title=highlight(
            _("%(rep)s, %(day)s") % {"rep": journal.rep, "day": journal.day.isoformat()}, ""
        ),
        meta=_people(journal.team, journal.get_status_display()),
        snippet=snippet(text, keyword),
    )


# ---------------------------------------------------------------------------- weekly


def _week_span(rows: QuerySet[Any], terms: Terms) -> QuerySet[Any]:
    """Reports whose ISO week (Monday ``week`` .. Sunday) meets the date span."""
    if terms.day_from:
        rows = rows.filter(week__gte=terms.day_from - dt.timedelta(days=6))
    if terms.day_to:
        rows = rows.filter(week__lte=terms.day_to)
    return rows


_WEEKLY_TEXTS = ("analysis", "summary", "evaluation")


def _weekly(scope: Scope, terms: Terms) -> Results | None:
    """Visible personal weekly reports: the keyword in the analysis, summary, evaluation
    or a key customer's needs or tracking plan; within the date span (the report's week)."""
    if terms.is_empty:
        return None
    rows = WeeklyReport.objects.visible_to(scope)
    keyword = terms.keyword
    if keyword:
        key_customers = WeeklyKeyCustomer.objects.filter(
            _text_q(("needs_analysis", "tracking_plan"), keyword), report=OuterRef("pk")
        )
        rows = rows.filter(_text_q(_WEEKLY_TEXTS, keyword) | Exists(key_customers))
    rows = _week_span(rows, terms).select_related("rep", "team").order_by("-week", "-id")
    return Results(rows, lambda page: [_weekly_hit(r, keyword) for r in page])


def _weekly_hit(report: WeeklyReport, keyword: str) -> Hit:
    text = first_matching(keyword, *(getattr(report, n) for n in _WEEKLY_TEXTS))
    return Hit(
        url=reverse("weekly:report_detail", args=[report.pk]),
        title=highlight(_people(report.rep, week_label(week_period(report))), ""),
        meta=_people(report.team, report.get_status_display()),
        snippet=snippet(text, keyword),
    )


def _team_weekly(scope: Scope, terms: Terms) -> Results | None:
    """Visible team weekly reports: the keyword in the team summary or next week's
    training; within the date span (the report's week)."""
    if terms.is_empty:
        return None
    rows = TeamWeeklyReport.objects.visible_to(scope)
    keyword = terms.keyword
    if keyword:
        rows = rows.filter(_text_q(("summary", "training_topics"), keyword))
    rows = _week_span(rows, terms).select_related("team", "author").order_by("-week", "-id")
    return Results(rows, lambda page: [_team_weekly_hit(r, keyword) for r in page])


def _team_weekly_hit(report: TeamWeeklyReport, keyword: str) -> Hit:
    period = week_period(report)
    text = first_matching(keyword, report.summary, report.training_topics)
    return Hit(
        url=reverse("weekly:team_report", args=[report.team.code, period.key]),
        title=highlight(_people(report.team, week_label(period)), ""),
        meta=_people(report.author, report.get_status_display()),
        snippet=snippet(text, keyword),
    )


# ---------------------------------------------------------------------------- comments

_JOURNAL_COMMENT = "journal"
_WEEKLY_COMMENT = "weekly"
_TEAM_COMMENT = "team"


def _comments(scope: Scope, terms: Terms) -> Results | None:
    """Comments on visible journals, weekly reports and team weekly reports containing
    the keyword, newest first: one union query for a page, then one query per kind of
    comment on that page."""
    keyword = terms.keyword
    if not keyword:
        return None

    def tagged(rows: QuerySet[Any], tag: str) -> QuerySet[Any]:
        return (
            rows.filter(text__icontains=keyword)
            .annotate(kind=Value(tag, output_field=CharField()))
            .values_list("kind", "id", "created_at")
            .order_by()
        )

    journal = tagged(
        Comment.objects.filter(journal_id__in=Journal.objects.visible_to(scope).values("pk")),
        _JOURNAL_COMMENT,
    )
    weekly = tagged(
        WeeklyComment.objects.filter(
            report_id__in=WeeklyReport.objects.visible_to(scope).values("pk")
        ),
        _WEEKLY_COMMENT,
    )
    team = tagged(
        TeamWeeklyComment.objects.filter(
            report_id__in=TeamWeeklyReport.objects.visible_to(scope).values("pk")
        ),
        _TEAM_COMMENT,
    )
    rows = journal.union(weekly, team, all=True).order_by("-created_at", "-id")
    return Results(rows, lambda page: _comment_hits(page, keyword))


def _comment_hits(page: list[tuple[str, int, dt.datetime]], keyword: str) -> list[Hit]:
    ids: dict[str, list[int]] = {}
    for tag, pk, _created in page:
        ids.setdefault(tag, []).append(pk)
    found: dict[tuple[str, int], Hit] = {}
    if ids.get(_JOURNAL_COMMENT):
        for c in Comment.objects.filter(pk__in=ids[_JOURNAL_COMMENT]).select_related(
            "author", "journal__rep"
        ):
            found[(_JOURNAL_COMMENT, c.pk)] = Hit(
                url=reverse("journals:journal_detail", args=[c.journal_id]) + f"#comment-{c.pk}",
                title=highlight(
                    _("On the journal of %(rep)s, %(day)s")
                    % {"rep": c.journal.rep, "day": c.journal.day.isoformat()},
                    "",
                ),
                meta=_people(c.author, _date(c.created_at)),
                snippet=snippet(c.text, keyword),
            )
    if ids.get(_WEEKLY_COMMENT):
        for w in WeeklyComment.objects.filter(pk__in=ids[_WEEKLY_COMMENT]).select_related(
            "author", "report__rep"
        ):
            found[(_WEEKLY_COMMENT, w.pk)] = Hit(
                url=reverse("weekly:report_detail", args=[w.report_id]),
                title=highlight(
                    _("On the weekly report of %(rep)s, %(week)s")
                    % {"rep": w.report.rep, "week": week_label(week_period(w.report))},
                    "",
                ),
                meta=_people(w.author, _date(w.created_at)),
                snippet=snippet(w.text, keyword),
            )
    if ids.get(_TEAM_COMMENT):
        for t in TeamWeeklyComment.objects.filter(pk__in=ids[_TEAM_COMMENT]).select_related(
            "author", "report__team"
        ):
            period = week_period(t.report)
            found[(_TEAM_COMMENT, t.pk)] = Hit(
                url=reverse("weekly:team_report", args=[t.report.team.code, period.key]),
                title=highlight(
                    _("On the team weekly report of %(team)s, %(week)s")
                    % {"team": t.report.team, "week": week_label(period)},
                    "",
                ),
                meta=_people(t.author, _date(t.created_at)),
                snippet=snippet(t.text, keyword),
            )
    return [found[(tag, pk)] for tag, pk, _created in page if (tag, pk) in found]


def _date(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


KINDS: tuple[Kind, ...] = (
    Kind("customers", gettext_lazy("Customers"), "building", _customers),
    Kind("contacts", gettext_lazy("Contacts"), "person-lines-fill", _contacts),
    Kind("journals", gettext_lazy("Journals"), "journal-text", _journals),
    Kind("weekly", gettext_lazy("Weekly reports"), "calendar-week", _weekly),
    Kind("team_weekly", gettext_lazy("Team weekly reports"), "people", _team_weekly),
    Kind("comments", gettext_lazy("Comments"), "chat-left-text", _comments),
)
"""Every kind, in the order the results page shows them."""

KINDS_BY_CODE = {kind.code: kind for kind in KINDS}
