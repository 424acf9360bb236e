"""``/api/v1/findings/`` and ``/api/v1/coaching-plans/``: diagnosis findings and coaching
plans, read only, through ``coaching.selectors`` (the caller's scope: a rep their own, a
supervisor their team's, a manager their branch's; other teams answer 404). Plans are
written on the coaching pages."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from accounts.api.common import (
    READ_ERRORS,
    ApiModelSerializer,
    IdFilter,
    errors,
)
from accounts.api.scoped import ScopedReadOnlyViewSet
from accounts.scoping import Scope

from . import selectors
from .models import CoachingPlan, Finding, Goal, Measure


class FindingSerializer(ApiModelSerializer):
    """A diagnosis finding of one rep and period (``period_kind`` month or week, from
    ``period_start``): the symptom code, its evidence (figures), likely causes and
    suggested measures."""

    evidence = serializers.JSONField(read_only=True)
    causes = serializers.JSONField(read_only=True)
    measures = serializers.JSONField(read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "rep",
            "team",
            "period_kind",
            "period_start",
            "symptom",
            "evidence",
            "causes",
            "measures",
            "status",
            "computed_at",
        ]
        read_only_fields = fields


class MeasureSerializer(ApiModelSerializer):
    """One measure of a coaching plan."""

    class Meta:
        model = Measure
        fields = ["id", "kind", "description", "due", "owner", "visit", "done_at"]
        read_only_fields = fields


class GoalSerializer(ApiModelSerializer):
    """One goal of a coaching plan: a metric and the value to reach."""

    class Meta:
        model = Goal
        fields = ["id", "metric", "target_value"]
        read_only_fields = fields


class CoachingPlanSerializer(ApiModelSerializer):
    """A coaching plan with its measures and goals."""

    measures = MeasureSerializer(many=True, read_only=True)
    goals = GoalSerializer(many=True, read_only=True)
    effect_metrics = serializers.JSONField(read_only=True)

    class Meta:
        model = CoachingPlan
        fields = [
            "id",
            "coachee",
            "team",
            "coach",
            "finding",
            "problem",
            "evidence",
            "cause_category",
            "status",
            "start",
            "end",
            "effect_metrics",
            "acknowledged_at",
            "created_at",
            "measures",
            "goals",
        ]
        read_only_fields = fields


class FindingFilter(django_filters.FilterSet):
    """``?rep=``, ``?team=``, ``?status=``, ``?symptom=``, ``?period_start=``."""

    rep = IdFilter(field_name="rep_id")
    team = IdFilter(field_name="team_id")
    status = django_filters.ChoiceFilter(choices=Finding.Status.choices)
    symptom = django_filters.ChoiceFilter(choices=Finding._meta.get_field("symptom").choices)
    period_start = django_filters.DateFilter()

    class Meta:
        model = Finding
        fields = ["rep", "team", "status", "symptom", "period_start"]


class PlanFilter(django_filters.FilterSet):
    """``?coachee=``, ``?team=``, ``?status=``."""

    coachee = IdFilter(field_name="coachee_id")
    team = IdFilter(field_name="team_id")
    status = django_filters.ChoiceFilter(choices=CoachingPlan.Status.choices)

    class Meta:
        model = CoachingPlan
        fields = ["coachee", "team", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="List diagnosis findings",
        description="Findings in the caller's scope, newest period first.",
        responses={200: FindingSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a diagnosis finding",
        responses={200: FindingSerializer, **errors(*READ_ERRORS)},
    ),
)
class FindingViewSet(ScopedReadOnlyViewSet[Finding]):
    """Diagnosis findings in the caller's scope."""

    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    ordering_fields = ["period_start", "computed_at", "id"]
    ordering = ["-period_start", "id"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[Finding]:
        return selectors.findings_visible(scope)


@extend_schema_view(
    list=extend_schema(
        summary="List coaching plans",
        description="Plans in the caller's scope (a rep: their own), newest first.",
        responses={200: CoachingPlanSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a coaching plan",
        responses={200: CoachingPlanSerializer, **errors(*READ_ERRORS)},
    ),
)
class CoachingPlanViewSet(ScopedReadOnlyViewSet[CoachingPlan]):
    """Coaching plans in the caller's scope."""

    serializer_class = CoachingPlanSerializer
    filterset_class = PlanFilter
    ordering_fields = ["start", "created_at", "id"]
    ordering = ["-start", "id"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[CoachingPlan]:
        return selectors.plans_visible(scope).prefetch_related("measures", "goals")


router = SimpleRouter()
router.register("findings", FindingViewSet, basename="finding")
router.register("coaching-plans", CoachingPlanViewSet, basename="coaching-plan")
urlpatterns = router.urls
