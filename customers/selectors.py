"""Reads of customer files, always through the viewer's scope (docs/architecture.md: selectors).

:func:`customer_queryset` is THE visibility rule for customers; the list, detail,
export, public pool and other apps' customer pickers all start from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.labels import current_label
from accounts.models import OrgSettings
from accounts.scoping import Scope, get_visible_or_404, visible_teams, visible_users
from domain import stages as stage_rules
from domain.industries import industry_label
from domain.phones import phone_normalised

from .importing import name_key
from .models import (
    STAGE_ORDER,
    Contact,
    Contract,
    Customer,
    CustomerNote,
    Ownership,
    RevenueRecord,
    Segment,
    ServiceEvaluation,
    Stage,
    StageChange,
    StageSetting,
)
from .pinyin import pinyin_pattern, pinyin_q
from .stages import stage_settings
from .widgets import CustomerFilterForm

PAGE_SIZE = 25


def customer_queryset(scope: Scope) -> QuerySet[Customer]:
    """Customers ``scope`` may see: :func:`accounts.scoping.restrict` (own customers,
    customers of visible teams, everything for admins) OR the public pool (owner null)
    of the teams the viewer is a rep of (docs/domain section 1).

    Anonymous scopes see nothing. Use it everywhere customers are read.
    """
    return Customer.objects.visible_to(scope)


def search_q(text: str) -> Q:
    """A Q matching customers by name, short name, name key, credit code, external code,
    pinyin (:func:`pinyin_q`: ``sztf`` finds 深圳腾飞), or a contact's name or phone (part of
    the stored form, or the whole number typed in any form: ``domain.phones``)."""
    text = text.strip()
    if not text:
        return Q()
    key = name_key(text)
    condition = (
        Q(name__icontains=text)
        | Q(short_name__icontains=text)
        | Q(credit_code__icontains=text)
        | Q(external_code__icontains=text)
    )
    if key:
        condition |= Q(name_key__contains=key)
    if pinyin_pattern(text) is not None:
        condition |= pinyin_q(text)
    contacts = Contact.objects.filter(Q(name__icontains=text) | contact_phone_q(text))
    condition |= Q(pk__in=contacts.values("customer_id"))
    return condition


def contact_phone_q(text: str) -> Q:
    """A Q matching contacts whose phone or second phone holds ``text``: as typed, without
    its blanks and dashes (``139 1234`` finds 13912345678), or, for a whole number typed
    in any form, its stored form (``domain.phones.phone_normalised``: ``+86 139-1234-5678``
    finds 13912345678, ``010 12345678`` finds 010-12345678). The one phone-search rule of
    the customer search and the global search's contacts."""
    forms = {text, "".join(ch for ch in text if ch not in " -")}
    stored, _problem = phone_normalised(text)
    if stored:
        forms.add(stored)
    match = Q()
    for form in sorted(f for f in forms if f):
        match |= Q(phone__contains=form) | Q(phone2__contains=form)
    return match


def customer_search(
    *, scope: Scope, q: str, limit: int = 10, own_only: bool = False
) -> list[Customer]:
    """Up to ``limit`` visible customers matching ``q`` (see :func:`search_q`), for
    pickers (e.g. the journal's visit form). ``own_only``: the viewer's own customers.
    Names starting with ``q`` come first. One query; owner and team are loaded."""
    if not q.strip():
        return []
    rows = customer_queryset(scope).filter(search_q(q))
    if own_only:
        rows = rows.filter(owner_id=scope.user_id)
    rows = rows.annotate(
        starts=Case(
            When(name__istartswith=q.strip(), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    return list(rows.select_related("owner", "team").order_by("starts", "name", "id")[:limit])


def stalled_q(settings_by_stage: dict[str, StageSetting], now: dt.datetime) -> Q:
    """Customers stalled in their stage: longer than the stage's ``stall_days`` in it."""
    condition = Q(pk__in=[])
    for stage, setting in settings_by_stage.items():
        if setting.stall_days:
            cutoff = now - dt.timedelta(days=setting.stall_days)
            condition |= Q(stage=stage, stage_changed_at__lt=cutoff)
    return condition


def is_stalled(
    customer: Customer, settings_by_stage: dict[str, StageSetting], now: dt.datetime
) -> bool:
    """The single-row form of :func:`stalled_q`."""
    setting = settings_by_stage.get(customer.stage)
    if setting is None or not setting.stall_days:
        return False
    return now - customer.stage_changed_at > dt.timedelta(days=setting.stall_days)


def no_follow_up_q(cutoff: dt.datetime) -> Q:
    """Customers with no visit or follow-up since ``cutoff``: the last activity (or, if
    never, the creation) is older, and nobody took them over since then."""
    recent_owner = Ownership.objects.filter(
        customer=OuterRef("pk"), end__isnull=True, start__gte=cutoff
    )
    quiet = Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
    return quiet & Q(~Exists(recent_owner))


def pool_release_candidates(scope: Scope, now: dt.datetime | None = None) -> QuerySet[Customer]:
    """Owned customers the viewer may release to the public pool: of a team they
    supervise (any team for admins) and without follow-up for
    ``OrgSettings.pool_release_days`` (see :func:`no_follow_up_q`)."""
    now = now or timezone.now()
    days = OrgSettings.load().pool_release_days
    rows = customer_queryset(scope).filter(owner__isnull=False)
    if not scope.is_admin:
        rows = rows.filter(team_id__in=sorted(scope.supervised_team_ids))
    return rows.filter(no_follow_up_q(now - dt.timedelta(days=days)))


def pool_queryset(scope: Scope) -> QuerySet[Customer]:
    """The public pool (公海) as the viewer sees it: visible customers without owner."""
    return customer_queryset(scope).filter(owner__isnull=True)


# ---------------------------------------------------------------------------
# The list's filters (django-filter)
# ---------------------------------------------------------------------------

SORTS: dict[str, tuple[Any, ...]] = {
    # by pinyin initials first, so Chinese names sort the way users read them
    "name": ("pinyin_initials", "name", "id"),
    "-name": ("-pinyin_initials", "-name", "-id"),
    "stage": (F("stage_rank").asc(), "pinyin_initials", "id"),
    "-stage": (F("stage_rank").desc(), "pinyin_initials", "id"),
    # days in stage: more days = entered earlier
    "days": (F("stage_changed_at").desc(), "id"),
    "-days": (F("stage_changed_at").asc(), "id"),
    "activity": (F("last_activity_at").asc(nulls_first=True), "id"),
    "-activity": (F("last_activity_at").desc(nulls_last=True), "id"),
    "created": (F("created_at").asc(), "id"),
    "-created": (F("created_at").desc(), "-id"),
}

SORT_CHOICES = [
    ("name", gettext_lazy("Name A-Z")),
    ("-name", gettext_lazy("Name Z-A")),
    ("stage", gettext_lazy("Stage, early first")),
    ("-stage", gettext_lazy("Stage, late first")),
    ("-days", gettext_lazy("Days in stage, most first")),
    ("days", gettext_lazy("Days in stage, fewest first")),
    ("activity", gettext_lazy("Last activity, oldest first")),
    ("-activity", gettext_lazy("Last activity, newest first")),
    ("-created", gettext_lazy("Created, newest first")),
    ("created", gettext_lazy("Created, oldest first")),
]

YES_NO = [("1", gettext_lazy("Yes")), ("0", gettext_lazy("No"))]


def stage_rank() -> Case:
    """The funnel position of ``stage`` as an integer (lost after deal), for sorting."""
    whens = [When(stage=stage, then=Value(rank)) for stage, rank in STAGE_ORDER.items()]
    return Case(*whens, default=Value(len(STAGE_ORDER)), output_field=IntegerField())


class CustomerFilter(django_filters.FilterSet):
    """The customer list's search, filters and sort.

    Build it with the viewer's ``scope``: the owner and team choices are the visible
    ones, and the stalled filter uses :func:`customers.stages.stage_settings`.
    """

    q = django_filters.CharFilter(
        label=gettext_lazy("Search"),
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    stage = django_filters.ChoiceFilter(
        label=gettext_lazy("Stage"), choices=Stage.choices, empty_label=gettext_lazy("All stages")
    )
    segment = django_filters.ChoiceFilter(
        label=gettext_lazy("Segment"),
        choices=Segment.choices,
        empty_label=gettext_lazy("All segments"),
    )
    industry = django_filters.ChoiceFilter(
        label=gettext_lazy("Industry"), empty_label=gettext_lazy("All industries")
    )
    owner = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Owner"),
        queryset=None,
        empty_label=gettext_lazy("All owners"),
    )
    team = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Team"), queryset=None, empty_label=gettext_lazy("All teams")
    )
    no_visit_days = django_filters.NumberFilter(
        label=gettext_lazy("No visit or follow-up for (days)"),
        method="filter_no_visit",
        min_value=0,
        max_value=3650,
    )
    stalled = django_filters.ChoiceFilter(
        label=gettext_lazy("Stalled"),
        choices=YES_NO,
        method="filter_stalled",
        empty_label=gettext_lazy("Any"),
    )
    in_pool = django_filters.ChoiceFilter(
        label=gettext_lazy("Public pool"),
        choices=YES_NO,
        method="filter_in_pool",
        empty_label=gettext_lazy("Any"),
    )
    sort = django_filters.ChoiceFilter(
        label=gettext_lazy("Sort by"),
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Customer
        fields: list[str] = []
        form = CustomerFilterForm

    def __init__(
        self,
        data: Any = None,
        *,
        scope: Scope,
        settings_by_stage: dict[str, StageSetting] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset=customer_queryset(scope), **kwargs)
        self.scope = scope
        self.now = timezone.now()
        self._settings_by_stage = settings_by_stage
        self.filters["owner"].queryset = visible_users(scope).order_by("display_name", "username")
        self.filters["team"].queryset = visible_teams(scope).order_by("name")
        self.filters["industry"].extra["choices"] = self._industry_choices

    def _industry_choices(self) -> list[tuple[str, str]]:
        values = (
            customer_queryset(self.scope)
            .exclude(industry="")
            .order_by("industry")
            .values_list("industry", flat=True)
            .distinct()[:300]
        )
        # Stored values stay the filter's values; labels in the viewer's language.
        labelled = [(v, current_label(v, industry_label(v, "en"))) for v in values]
        return sorted(labelled, key=lambda pair: pair[1].casefold())

    def filter_q(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return queryset.filter(search_q(value))

    def filter_no_visit(
        self, queryset: QuerySet[Customer], name: str, value: Any
    ) -> QuerySet[Customer]:
        cutoff = self.now - dt.timedelta(days=int(value))
        return queryset.filter(Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=cutoff))

    def filter_stalled(
        self, queryset: QuerySet[Customer], name: str, value: str
    ) -> QuerySet[Customer]:
        if self._settings_by_stage is None:
            self._settings_by_stage = stage_settings()
        condition = stalled_q(self._settings_by_stage, self.now)
        return queryset.filter(condition) if value == "1" else queryset.exclude(condition)

    def filter_in_pool(
        self, queryset: QuerySet[Customer], name: str, value: str
    ) -> QuerySet[Customer]:
        return queryset.filter(owner__isnull=value == "1")

    def filter_sort(
        self, queryset: QuerySet[Customer], name: str, value: str
    ) -> QuerySet[Customer]:
        return queryset  # applied by customer_list, after the stage counts

    def queryset_without(self, skip: str) -> QuerySet[Customer]:
        """The filtered queryset with every filter but ``skip`` applied (form must be valid
        for the filters used; invalid ones are ignored, as in ``qs``)."""
        self.errors  # noqa: B018 - runs validation
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != skip:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def sort_key(self) -> str:
        """The chosen sort, ``name`` when none or invalid."""
        self.errors  # noqa: B018
        value = self.form.cleaned_data.get("sort") if hasattr(self.form, "cleaned_data") else None
        return value if value in SORTS else "name"


def primary_contact_annotations() -> dict[str, Subquery]:
    """Annotations ``primary_contact_name`` and ``primary_contact_phone``: the telecom
    project owner, else the first contact by name (no extra query per row)."""
    first = Contact.objects.filter(customer=OuterRef("pk")).order_by(
        "-is_project_owner", "name", "id"
    )
    return {
        "primary_contact_name": Subquery(first.values("name")[:1]),
        "primary_contact_phone": Subquery(first.values("phone")[:1]),
    }


def sorted_customers(filterset: CustomerFilter) -> QuerySet[Customer]:
    """The filterset's rows in its chosen order, with owner, team and primary contact."""
    return (
        filterset.qs.annotate(stage_rank=stage_rank(), **primary_contact_annotations())
        .select_related("owner", "team")
        .order_by(*SORTS[filterset.sort_key])
    )


def stage_counts(queryset: QuerySet[Customer]) -> dict[str, int]:
    """``{stage: count}`` for every stage (zeros included). One GROUP BY query."""
    counts = dict.fromkeys(Stage.values, 0)
    for row in queryset.order_by().values("stage").annotate(n=Count("id")):
        counts[row["stage"]] = row["n"]
    return counts


@dataclass
class CustomerRow:
    """One row of the list: the customer plus precomputed figures for the template."""

    customer: Customer
    days_in_stage: int
    stalled: bool
    days_since_activity: int | None


def _calendar_days(when: dt.datetime | None, now: dt.datetime) -> int | None:
    """Local calendar days from ``when`` to ``now`` (0 = today, 1 = yesterday, -1 =
    tomorrow), so an hour ago yesterday evening reads "yesterday", not "0 days ago"."""
    if when is None:
        return None
    return (timezone.localdate(now) - timezone.localdate(when)).days


def customer_rows(
    customers: Iterable[Customer], settings_by_stage: dict[str, StageSetting], now: dt.datetime
) -> list[CustomerRow]:
    """Wrap customers with days in stage, the stalled flag and the local calendar days since
    the last activity (negative for a visit planned later)."""
    return [
        CustomerRow(
            customer=c,
            days_in_stage=c.days_in_stage(now),
            stalled=is_stalled(c, settings_by_stage, now),
            days_since_activity=_calendar_days(c.last_activity_at, now),
        )
        for c in customers
    ]


# ---------------------------------------------------------------------------
# Detail page
# ---------------------------------------------------------------------------


def customer_detail(*, scope: Scope, pk: int) -> Customer:
    """The visible customer ``pk`` with everything its file page shows prefetched
    (a fixed number of queries whatever the timeline's length); Http404 when hidden."""
    queryset = (
        customer_queryset(scope)
        .select_related("owner", "team", "created_by")
        .prefetch_related(
            "contacts",
            "products",
            Prefetch("notes_log", queryset=CustomerNote.objects.select_related("author")),
            Prefetch("contracts", queryset=Contract.objects.select_related("rep")),
            Prefetch("revenue", queryset=RevenueRecord.objects.all()),
            Prefetch("evaluations", queryset=ServiceEvaluation.objects.select_related("author")),
            Prefetch(
                "stage_changes", queryset=StageChange.objects.select_related("by", "rep", "team")
            ),
            Prefetch(
                "ownerships",
                queryset=Ownership.objects.select_related("owner", "team", "changed_by"),
            ),
            "visits__rep",
        )
    )
    return get_visible_or_404(queryset, scope, pk=pk)


def stages_reached(
    changes: Iterable[StageChange], created_at: dt.datetime | None = None
) -> dict[str, dt.datetime]:
    """When each funnel stage was first reached, from the stage changes in any order:
    ``{'lead': t0, 'target': t1, ..., 'lost': t}``.

    The one "reached at" rule, ``domain.stages.reach_times`` (docs/domain, section 9), as
    the KPIs use it: reaching a stage reaches every earlier one at the same moment, the
    from-stage of a change records that the customer was there by then, and reach times
    never reset. Lead is reached at ``created_at`` or the first change, whichever is
    earlier. 'lost' (the latest change to lost) is reported while the customer is lost.
    """
    ordered = list(changes)
    reach = stage_rules.reach_times(
        stage_rules.StageChange(c.at, c.to_stage, c.from_stage, c.pk or 0) for c in ordered
    )
    reached = dict(reach.at)
    if created_at is not None:  # imported customers carry history from before their row
        reached[Stage.LEAD] = min(created_at, reached.get(Stage.LEAD, created_at))
    if reach.lost_now:
        reached[Stage.LOST] = reach.statuses[-1][0]
    return reached
