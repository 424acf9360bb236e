"""``/api/v1/weekly-reports/`` and ``/api/v1/team-weekly-reports/``: personal and team
weekly reports, read only, through ``weekly.selectors`` (the caller's scope: own reports,
the teams they lead or manage; other teams answer 404). Reports are written on the pages."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
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
from .models import ReportStatus, TeamWeeklyReport, WeeklyReport


class WeeklyReportSerializer(ApiModelSerializer):
    """A rep's weekly report: ``week`` is its Monday; ``figures`` the week's KPI figures
    stored at submission ({metric: {value, numerator, denominator, status}}); ``plan`` and
    ``next_goals`` map metric names to numbers."""

    figures = serializers.JSONField(read_only=True)
    plan = serializers.JSONField(read_only=True)
    next_goals = serializers.JSONField(read_only=True)

    class Meta:
        model = WeeklyReport
        fields = [
            "id",
            "rep",
            "team",
            "week",
            "status",
            "figures",
            "plan",
            "next_goals",
            "analysis",
            "summary",
            "evaluation",
            "submitted_at",
            "reviewed_at",
            "reviewed_by",
            "revision",
            "updated_at",
        ]
        read_only_fields = fields


class TeamWeeklyReportSerializer(ApiModelSerializer):
    """A team's weekly report (小组活动统计), written by its supervisor."""

    figures = serializers.JSONField(read_only=True)

    class Meta:
        model = TeamWeeklyReport
        fields = [
            "id",
            "team",
            "week",
            "author",
            "status",
            "figures",
            "summary",
            "training_topics",
            "submitted_at",
            "reviewed_at",
            "reviewed_by",
            "revision",
            "updated_at",
        ]
        read_only_fields = fields


class ReportFilter(django_filters.FilterSet):
    """``?rep=``, ``?team=``, ``?status=``, ``?week_from=`` / ``?week_to=`` (Mondays)."""

    rep = IdFilter(field_name="rep_id")
    team = IdFilter(field_name="team_id")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    week_from = django_filters.DateFilter(field_name="week", lookup_expr="gte")
    week_to = django_filters.DateFilter(field_name="week", lookup_expr="lte")

    class Meta:
        model = WeeklyReport
        fields = ["rep", "team", "status", "week_from", "week_to"]


class TeamReportFilter(django_filters.FilterSet):
    """``?team=``, ``?status=``, ``?week_from=`` / ``?week_to=`` (Mondays)."""

    team = IdFilter(field_name="team_id")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    week_from = django_filters.DateFilter(field_name="week", lookup_expr="gte")
    week_to = django_filters.DateFilter(field_name="week", lookup_expr="lte")

    class Meta:
        model = TeamWeeklyReport
        fields = ["team", "status", "week_from", "week_to"]


@extend_schema_view(
    list=extend_schema(
        summary="List personal weekly reports",
        description="The caller's own and those of the teams they see, newest week first.",
        responses={200: WeeklyReportSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a personal weekly report",
        responses={200: WeeklyReportSerializer, **errors(*READ_ERRORS)},
        examples=[
            OpenApiExample(
                "Submitted",
                value={
                    "id": 55,
                    "rep": 7,
                    "team": 3,
                    "week": "2026-11-30",
                    "status": "submitted",
                    "figures": {"visits": {"value": 14, "status": "ok"}},
                    "plan": {"visits": 15},
                    "next_goals": {"visits": 15},
                    "analysis": "",
                    "summary": "Two intents this week.",
                    "evaluation": "",
                    "submitted_at": "2026-12-04T18:00:00+08:00",
                    "reviewed_at": None,
                    "reviewed_by": None,
                    "revision": 1,
                    "updated_at": "2026-12-04T18:00:00+08:00",
                },
                response_only=True,
            )
        ],
    ),
)
class WeeklyReportViewSet(ScopedReadOnlyViewSet[WeeklyReport]):
    """Personal weekly reports in the caller's scope."""

    serializer_class = WeeklyReportSerializer
    filterset_class = ReportFilter
    ordering_fields = ["week", "submitted_at", "updated_at", "id"]
    ordering = ["-week", "id"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[WeeklyReport]:
        return selectors.report_queryset(scope)


@extend_schema_view(
    list=extend_schema(
        summary="List team weekly reports",
        description="Reports of the teams the caller leads or manages, newest week first.",
        responses={200: TeamWeeklyReportSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a team weekly report",
        responses={200: TeamWeeklyReportSerializer, **errors(*READ_ERRORS)},
    ),
)
class TeamWeeklyReportViewSet(ScopedReadOnlyViewSet[TeamWeeklyReport]):
    """Team weekly reports in the caller's scope."""

    serializer_class = TeamWeeklyReportSerializer
    filterset_class = TeamReportFilter
    ordering_fields = ["week", "submitted_at", "updated_at", "id"]
    ordering = ["-week", "id"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[TeamWeeklyReport]:
        return selectors.team_report_queryset(scope)


router = SimpleRouter()
router.register("weekly-reports", WeeklyReportViewSet, basename="weekly-report")
router.register("team-weekly-reports", TeamWeeklyReportViewSet, basename="team-weekly-report")
urlpatterns = router.urls
