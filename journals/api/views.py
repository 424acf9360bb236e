"""Views of the journals API. Reads go through ``journals.selectors`` (the caller's
scope; other teams' journals answer 404), writes through the same checks and services
as the journal pages, so a visit filed here is the visit the rep's journal page and the
KPIs show."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.common import (
    IF_MATCH,
    READ_ERRORS,
    VERSIONED_WRITE_ERRORS,
    WRITE_ERRORS,
    IdFilter,
    VersionedMixin,
    errors,
    scope_of,
)
from accounts.api.scoped import ScopedReadOnlyViewSet
from accounts.scoping import Scope
from customers.models import Customer
from customers.selectors import customer_queryset

from .. import selectors, services
from ..models import Comment, Journal, PlanItem, Purpose, Visit, effective_visit_q
from .serializers import (
    CommentCreateSerializer,
    CommentSerializer,
    JournalCreateSerializer,
    JournalListSerializer,
    JournalSerializer,
    JournalTextSerializer,
    PlanItemCreateSerializer,
    PlanItemSerializer,
    ReviewSerializer,
    VisitCreateSerializer,
    VisitSerializer,
)


def _visible_customer(scope: Scope, pk: int | None) -> Customer | None:
    """The customer ``pk`` if the caller sees it; a field error otherwise (never a hint
    that another team's customer exists)."""
    if pk is None:
        return None
    customer = customer_queryset(scope).filter(pk=pk).first()
    if customer is None:
        raise ValidationError({"customer": [_("No such customer.")]})
    return customer


def _visible_journal(scope: Scope, pk: int) -> Journal:
    journal = selectors.journal_queryset(scope).select_related("rep", "team").filter(pk=pk).first()
    if journal is None:
        raise ValidationError({"journal": [_("No such journal.")]})
    return journal


# --------------------------------------------------------------------------- journals


class JournalFilter(django_filters.FilterSet):
    """``?rep=``, ``?team=``, ``?status=``, ``?day_from=``, ``?day_to=`` (local dates)."""

    rep = IdFilter(field_name="rep_id")
    team = IdFilter(field_name="team_id")
    status = django_filters.ChoiceFilter(choices=Journal.Status.choices)
    is_late = django_filters.BooleanFilter()
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = Journal
        fields = ["rep", "team", "status", "is_late", "day_from", "day_to"]


JOURNAL_LIST_EXAMPLE = {
    "id": 901,
    "rep": 7,
    "team": 3,
    "day": "2026-12-07",
    "status": "submitted",
    "submitted_at": "2026-12-07T20:41:00+08:00",
    "is_late": False,
    "reviewed_at": None,
    "revision": 1,
    "updated_at": "2026-12-07T20:41:00+08:00",
}


@extend_schema_view(
    list=extend_schema(
        summary="List journals",
        description="Journals in the caller's scope (own; a supervisor's teams; a manager's "
        "branch), newest day first.",
        responses={200: JournalListSerializer(many=True), **errors(400, 401)},
        examples=[OpenApiExample("One day", value=[JOURNAL_LIST_EXAMPLE], response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a journal",
        description="One journal with its plan and visits, and an `ETag`.",
        responses={200: JournalSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="Start my journal of a day",
        description="Starts the caller's journal of `day` (default today) as a draft, or "
        "returns the one that exists (200). Nobody starts another person's journal.",
        request=JournalCreateSerializer,
        responses={201: JournalSerializer, 200: JournalSerializer, **errors(*WRITE_ERRORS)},
        examples=[OpenApiExample("Today", value={}, request_only=True)],
    ),
    partial_update=extend_schema(
        summary="Write my journal's text",
        description="Learning topic, takeaways and daily summary of the caller's draft. "
        "Needs `If-Match`.",
        request=JournalTextSerializer,
        parameters=[IF_MATCH],
        responses={200: JournalSerializer, **errors(*VERSIONED_WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "Summary", value={"summary": "Two visits, one quote sent."}, request_only=True
            )
        ],
    ),
    submit=extend_schema(
        summary="Submit my journal",
        description="Submits the caller's draft; late after the team's deadline (or refused "
        "when the team allows no late submission: 400).",
        request=None,
        responses={200: JournalSerializer, **errors(*WRITE_ERRORS)},
    ),
    amend=extend_schema(
        summary="Amend my submitted journal",
        description="Reopens it as a new revision; the submitted version is kept.",
        request=None,
        responses={200: JournalSerializer, **errors(*WRITE_ERRORS)},
    ),
    review=extend_schema(
        summary="Evaluate and review a journal",
        description="The team's supervisor writes the evaluation and, with `reviewed`, marks "
        "the journal reviewed (the rep is notified). Never one's own journal.",
        request=ReviewSerializer,
        responses={200: JournalSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "Reviewed",
                value={"evaluation": "Good preparation; follow up the quote.", "reviewed": True},
                request_only=True,
            )
        ],
    ),
    comments=extend_schema(
        methods=["GET"],
        summary="List a journal's comments",
        responses={200: CommentSerializer(many=True), **errors(*READ_ERRORS)},
    ),
)
class JournalViewSet(VersionedMixin, ScopedReadOnlyViewSet[Journal]):
    """Daily work journals in the caller's scope."""

    serializer_class = JournalSerializer
    filterset_class = JournalFilter
    ordering_fields = ["day", "submitted_at", "updated_at", "id"]
    ordering = ["-day", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[Journal]:
        rows = selectors.journal_queryset(scope).select_related("rep", "team")
        if self.action == "list":
            return rows
        return rows.prefetch_related("plan_items", "visits")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return JournalListSerializer if self.action == "list" else JournalSerializer

    def _fresh(self, journal: Journal) -> Journal:
        return Journal.objects.prefetch_related("plan_items", "visits").get(pk=journal.pk)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope = scope_of(request)
        services.journal_check_can_create(rep=request.user, scope=scope)  # type: ignore[arg-type]
        data = JournalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        day = data.validated_data.get("day")
        existed = Journal.objects.filter(rep_id=request.user.pk, day=day or scope.day).exists()
        journal = services.journal_get_or_create_today(rep=request.user, day=day)  # type: ignore[arg-type]
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return self.respond_with_etag(self._fresh(journal), code)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        journal = self.get_editable_object()
        services.journal_check_can_edit(journal=journal, scope=scope_of(request))
        self.require_current(request, journal)
        data = JournalTextSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.journal_update_text(journal=journal, by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return self.respond_with_etag(self._fresh(journal))

    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        journal = self.get_editable_object()
        services.journal_check_can_edit(journal=journal, scope=scope_of(request))
        services.journal_submit(journal=journal, by=request.user)  # type: ignore[arg-type]
        return self.respond_with_etag(self._fresh(journal))

    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        journal = self.get_editable_object()
        services.journal_check_can_amend(journal=journal, scope=scope_of(request))
        services.journal_amend(journal=journal, by=request.user)  # type: ignore[arg-type]
        return self.respond_with_etag(self._fresh(journal))

    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        journal = self.get_object()
        services.journal_check_can_review(journal=journal, scope=scope_of(request))
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluation = data.validated_data.get("evaluation")
        if data.validated_data["reviewed"]:
            services.journal_review(journal=journal, by=request.user, evaluation=evaluation)  # type: ignore[arg-type]
        else:
            services.journal_evaluate(
                journal=journal,
                by=request.user,  # type: ignore[arg-type]
                evaluation=evaluation or "",
            )
        return self.respond_with_etag(self._fresh(journal))

    @extend_schema(
        methods=["POST"],
        summary="Comment on a journal",
        description="Anyone who sees the journal may comment; `@username` mentions notify.",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "Advice", value={"text": "@zhangwei bring the quote tomorrow"}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def comments(self, request: Request, pk: str | None = None) -> Response:
        journal = self.get_object()
        if request.method == "POST":
            data = CommentCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            comment = services.comment_add(
                journal=journal,
                by=request.user,  # type: ignore[arg-type]
                text=data.validated_data["text"],
            )
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        rows = Comment.objects.filter(journal=journal).order_by("created_at", "id")
        return Response(CommentSerializer(rows, many=True).data)


# --------------------------------------------------------------------------- plan items


class PlanItemFilter(django_filters.FilterSet):
    """``?journal=``, ``?customer=``, ``?kind=``, ``?purpose=``."""

    journal = IdFilter(field_name="journal_id")
    customer = IdFilter(field_name="customer_id")
    kind = django_filters.ChoiceFilter(choices=PlanItem.Kind.choices)
    purpose = django_filters.ChoiceFilter(choices=Purpose.choices)

    class Meta:
        model = PlanItem
        fields = ["journal", "customer", "kind", "purpose"]


@extend_schema_view(
    list=extend_schema(
        summary="List plan items",
        description="Plan items of the journals the caller sees; `?journal=` for one journal.",
        responses={200: PlanItemSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a plan item",
        responses={200: PlanItemSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="Plan a visit, appointment or follow-up",
        description="Adds to the caller's draft journal; the customer must be their own, "
        "planned once per purpose and day.",
        request=PlanItemCreateSerializer,
        responses={201: PlanItemSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A closing visit",
                value={"journal": 901, "purpose": "closing", "customer": 42},
                request_only=True,
            )
        ],
    ),
    destroy=extend_schema(
        summary="Remove a plan item",
        description="From the caller's draft journal; its visit records stay.",
        responses={204: None, **errors(*READ_ERRORS)},
    ),
)
class PlanItemViewSet(mixins.DestroyModelMixin, ScopedReadOnlyViewSet[PlanItem]):
    """Planned visits, appointments and follow-ups."""

    serializer_class = PlanItemSerializer
    filterset_class = PlanItemFilter
    ordering_fields = ["position", "id"]
    ordering = ["journal", "kind", "position", "id"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[PlanItem]:
        journals = selectors.journal_queryset(scope)
        return PlanItem.objects.filter(journal__in=journals).select_related("journal")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope = scope_of(request)
        data = PlanItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        journal = _visible_journal(scope, data.validated_data["journal"])
        services.journal_check_can_edit(journal=journal, scope=scope)
        item = services.plan_item_add(
            journal=journal,
            by=request.user,  # type: ignore[arg-type]
            purpose=data.validated_data["purpose"],
            customer=_visible_customer(scope, data.validated_data.get("customer")),
            preparation=data.validated_data["preparation"],
        )
        return Response(PlanItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        services.journal_check_can_edit(journal=item.journal, scope=scope_of(request))
        services.plan_item_remove(item=item, by=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------- visits


class VisitFilter(django_filters.FilterSet):
    """``?journal=``, ``?customer=``, ``?rep=``, ``?team=``, ``?purpose=``, ``?outcome=``,
    ``?is_effective=``, ``?occurred_from=`` / ``?occurred_to=`` (ISO date-times)."""

    journal = IdFilter(field_name="journal_id")
    customer = IdFilter(field_name="customer_id")
    rep = IdFilter(field_name="rep_id")
    team = IdFilter(field_name="team_id")
    purpose = django_filters.ChoiceFilter(choices=Visit._meta.get_field("purpose").choices)
    channel = django_filters.ChoiceFilter(choices=Visit._meta.get_field("channel").choices)
    outcome = django_filters.ChoiceFilter(choices=Visit.Outcome.choices)
    is_effective = django_filters.BooleanFilter(method="filter_effective")
    occurred_from = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_to = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte")

    class Meta:
        model = Visit
        fields = [
            "journal",
            "customer",
            "rep",
            "team",
            "channel",
            "purpose",
            "outcome",
            "is_effective",
        ]

    def filter_effective(
        self, queryset: QuerySet[Visit], name: str, value: bool
    ) -> QuerySet[Visit]:
        condition = effective_visit_q()
        return queryset.filter(condition) if value else queryset.exclude(condition)


VISIT_REQUEST_EXAMPLE = {
    "customer": 42,
    "purpose": "explanation",
    "occurred_at": "2026-12-07T10:30:00+08:00",
    "learned": "Two offices, 60 staff; contract with the incumbent ends in March.",
    "next_step": "Send the quote",
    "next_step_date": "2026-12-09",
    "outcome": "next_step",
    "latitude": "22.543096",
    "longitude": "114.057865",
    "accuracy_m": 25,
}


@extend_schema_view(
    list=extend_schema(
        summary="List visits",
        description="Visits of the journals the caller sees, newest first.",
        responses={200: VisitSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a visit",
        responses={200: VisitSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="File a visit",
        description="Records a visit, appointment or follow-up in the caller's journal of the "
        "visit's local day (started when missing; or `journal`, which must be the caller's "
        "draft). The customer must be the caller's own. An advancing outcome moves the "
        "customer's stage; the visit counts in the KPIs like one filed on the Today page.",
        request=VisitCreateSerializer,
        responses={201: VisitSerializer, **errors(*WRITE_ERRORS)},
        examples=[OpenApiExample("From the phone", value=VISIT_REQUEST_EXAMPLE, request_only=True)],
    ),
    destroy=extend_schema(
        summary="Delete a visit",
        description="From the caller's draft journal; a visit that moved a stage stays (400).",
        responses={204: None, **errors(*WRITE_ERRORS)},
    ),
)
class VisitViewSet(mixins.DestroyModelMixin, ScopedReadOnlyViewSet[Visit]):
    """Visits, appointments and follow-ups actually made."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    ordering_fields = ["occurred_at", "id"]
    ordering = ["-occurred_at", "-id"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[Visit]:
        return Visit.objects.visible_to(scope).select_related("journal")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope = scope_of(request)
        data = VisitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        journal_id = values.pop("journal", None)
        if journal_id:
            journal = _visible_journal(scope, journal_id)
        else:
            services.journal_check_can_create(rep=request.user, scope=scope)  # type: ignore[arg-type]
            day = timezone.localdate(values["occurred_at"])
            journal = services.journal_get_or_create_today(rep=request.user, day=day)  # type: ignore[arg-type]
        services.journal_check_can_edit(journal=journal, scope=scope)
        customer = _visible_customer(scope, values.pop("customer"))
        plan_item_id = values.pop("plan_item", None)
        plan_item = journal.plan_items.filter(pk=plan_item_id).first() if plan_item_id else None
        latitude, longitude = values.pop("latitude", None), values.pop("longitude", None)
        accuracy = values.pop("accuracy_m", None)
        checkin = None
        if latitude is not None and longitude is not None:
            checkin = services.CheckIn(latitude=latitude, longitude=longitude, accuracy_m=accuracy)
        visit = services.visit_record(
            journal=journal,
            by=request.user,  # type: ignore[arg-type]
            customer=customer,  # type: ignore[arg-type]
            plan_item=plan_item,
            checkin=checkin,
            **values,
        )
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        visit = self.get_editable_object()
        services.journal_check_can_edit(journal=visit.journal, scope=scope_of(request))
        services.visit_delete(visit=visit, by=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
