"""``/api/v1/kpi/figures/`` (KPI figures, read only, for a BI tool or a phone app) and
``/api/v1/targets/`` (monthly targets: read, set by the team's leads, acknowledged by reps).

The figures are the stored snapshots the dashboards show, read through the same
selector (:func:`kpi.selectors.snapshot_metrics`) and the same visible-scope rules
(:func:`kpi.views.scopes.resolve_scope_key`): a rep reads their own figures, a
supervisor their team and its reps, a manager their branch; anything else is 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from accounts.api.common import (
    ApiModelSerializer,
    IdFilter,
    IdLookupMixin,
    errors,
    id_field,
    scope_of,
)
from accounts.scoping import visible_teams
from domain.metrics import metric as metric_entry
from domain.periods import parse_period

from . import selectors, targets
from .models import Target, TargetMetric
from .views.scopes import resolve_scope_key


class FigureSerializer(serializers.Serializer):
    """One KPI figure: ``value`` null means no value (an empty denominator); rates are
    fractions in [0, 1], money in CNY as a decimal string."""

    metric = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField(help_text="count, rate or money")
    value = serializers.JSONField(allow_null=True)
    numerator = serializers.JSONField(allow_null=True)
    denominator = serializers.JSONField(allow_null=True)
    status = serializers.CharField(help_text="ok, pending or no_data")


class FiguresSerializer(serializers.Serializer):
    """The figures of one scope and period."""

    scope = serializers.CharField(help_text="rep:USERNAME, team:CODE or branch:CODE")
    scope_label = serializers.CharField()
    period = serializers.CharField(help_text="2026-10 (a month) or 2026-W43 (an ISO week)")
    figures = FigureSerializer(many=True)


SCOPE_PARAM = OpenApiParameter(
    "scope",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=True,
    description="`rep:USERNAME`, `team:CODE` or `branch:CODE`; 404 when not visible.",
    examples=[OpenApiExample("A team", value="team:north-1")],
)
PERIOD_PARAM = OpenApiParameter(
    "period",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=True,
    description="A month `2026-10` or an ISO week `2026-W43`.",
    examples=[OpenApiExample("October", value="2026-10")],
)


class FigureView(APIView):
    """KPI figures of one visible scope and period."""

    @extend_schema(
        summary="Read KPI figures",
        description="The stored figures of one scope and period, as the dashboards show "
        "them (recomputed after each change and nightly). A period with nothing stored "
        "yet answers an empty list.",
        parameters=[SCOPE_PARAM, PERIOD_PARAM],
        responses={200: FiguresSerializer, **errors(400, 401, 404)},
        examples=[
            OpenApiExample(
                "A team's month",
                value={
                    "scope": "team:north-1",
                    "scope_label": "北一组",
                    "period": "2026-10",
                    "figures": [
                        {
                            "metric": "visits",
                            "label": "拜访量",
                            "kind": "count",
                            "value": 86,
                            "numerator": None,
                            "denominator": None,
                            "status": "ok",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        raw_period = str(request.query_params.get("period", "")).strip()
        raw_scope = str(request.query_params.get("scope", "")).strip()
        problems: dict[str, list[str]] = {}
        if not raw_scope:
            problems["scope"] = [_("This field is required.")]
        period = None
        try:
            period = parse_period(raw_period)
        except (ValueError, TypeError):
            problems["period"] = [_("Give a month like 2026-10 or a week like 2026-W43.")]
        if problems or period is None:
            raise ValidationError(problems)
        ds = resolve_scope_key(scope_of(request), raw_scope)
        stored = selectors.snapshot_metrics(scope_kind=ds.kind, scope_id=ds.id, period=period)
        lang = "en" if (get_language() or "").startswith("en") else "zh-hans"
        figures = [_figure(name, mv.as_dict(), lang) for name, mv in stored.items()]
        body = {
            "scope": ds.key,
            "scope_label": ds.label,
            "period": period.key,
            "figures": figures,
        }
        return Response(FiguresSerializer(body).data)


def _figure(name: str, values: dict[str, Any], lang: str) -> dict[str, Any]:
    try:
        entry = metric_entry(name)
        label, kind = entry.label(lang), entry.kind
    except KeyError:
        label, kind = name, ""
    return {"metric": name, "label": label, "kind": kind, **values}


# --------------------------------------------------------------------------- targets


class TargetSerializer(ApiModelSerializer):
    """A monthly target of a rep or a team (exactly one is set); ``month`` is its first
    day; ``value`` in the metric's unit (CNY as a decimal string, or a count);
    ``weeks`` an optional split by ISO week."""

    weeks = serializers.JSONField(read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "rep",
            "team",
            "month",
            "metric",
            "value",
            "weeks",
            "set_by",
            "set_at",
            "acknowledged_at",
        ]
        read_only_fields = fields


class TargetSetSerializer(serializers.Serializer):
    """Set (``value`` null: delete) the target of ``team`` or of one of its reps."""

    team = id_field()
    rep = id_field(required=False, allow_null=True)
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="2026-10")
    metric = serializers.ChoiceField(choices=TargetMetric.choices)
    value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0"), allow_null=True
    )


class AcknowledgeSerializer(serializers.Serializer):
    """The month whose targets the caller acknowledges."""

    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="2026-10")


class AcknowledgedSerializer(serializers.Serializer):
    """How many targets were acknowledged."""

    acknowledged = serializers.IntegerField()


class TargetFilter(django_filters.FilterSet):
    """``?month=2026-10``, ``?rep=``, ``?team=``, ``?metric=``."""

    month = django_filters.CharFilter(method="filter_month")
    rep = IdFilter(field_name="rep_id")
    team = IdFilter(field_name="team_id")
    metric = django_filters.ChoiceFilter(choices=TargetMetric.choices)

    class Meta:
        model = Target
        fields = ["month", "rep", "team", "metric"]

    def filter_month(self, queryset: QuerySet[Target], name: str, value: str) -> QuerySet[Target]:
        month = targets.parse_month(value)
        if month is None:
            raise ValidationError({"month": [_("Give a month like 2026-10.")]})
        return queryset.filter(month=month)


def _month(raw: str) -> dt.date:
    month = targets.parse_month(raw)
    if month is None:
        raise ValidationError({"month": [_("Give a month like 2026-10.")]})
    return month


@extend_schema_view(
    list=extend_schema(
        summary="List targets",
        description="The caller's own targets, and those of the teams they see and their reps.",
        responses={200: TargetSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a target",
        responses={200: TargetSerializer, **errors(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Set a target",
        description="The team's supervisor or manager sets (or, with `value` null, deletes) "
        "the month's target of the team or of one of its reps in that month. A changed "
        "value asks the rep to acknowledge it again.",
        request=TargetSetSerializer,
        responses={200: TargetSerializer, 204: None, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "Visits of a rep in October",
                value={"team": 3, "rep": 7, "month": "2026-10", "metric": "visits", "value": "60"},
                request_only=True,
            )
        ],
    ),
    acknowledge=extend_schema(
        summary="Acknowledge my targets",
        description="The caller acknowledges every target of theirs for the month.",
        request=AcknowledgeSerializer,
        responses={200: AcknowledgedSerializer, **errors(400, 401)},
        examples=[OpenApiExample("October", value={"month": "2026-10"}, request_only=True)],
    ),
)
class TargetViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Target],
):
    """Monthly targets in the caller's scope."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    ordering_fields = ["month", "metric", "id"]
    ordering = ["-month", "metric", "id"]

    def get_queryset(self) -> QuerySet[Target]:
        # The model's one rule (kpi.models.TargetQuerySet): own targets, visible teams and
        # their members today; a rep who has moved away is no longer the lead's.
        return Target.objects.visible_to(scope_of(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope = scope_of(request)
        data = TargetSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        month = _month(values["month"])
        team = visible_teams(scope).filter(pk=values["team"]).first()
        if team is None:
            raise ValidationError({"team": [_("No such team.")]})
        targets.target_check_can_set(scope=scope, team=team)
        rep_id = values.get("rep")
        if rep_id is not None and rep_id not in {
            u.pk for u in targets.team_reps(team=team, month=month)
        }:
            raise ValidationError({"rep": [_("Not a rep of this team in that month.")]})
        targets.targets_save_grid(
            team=team,
            month=month,
            values={(rep_id, values["metric"]): values["value"]},
            by=request.user,  # type: ignore[arg-type]
            scope=scope,
        )
        lookup = {"rep_id": rep_id} if rep_id else {"team": team, "rep__isnull": True}
        row = Target.objects.filter(month=month, metric=values["metric"], **lookup).first()
        if row is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(TargetSerializer(row).data)

    @action(detail=False, methods=["post"])
    def acknowledge(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        month = _month(data.validated_data["month"])
        count = targets.targets_acknowledge(rep=request.user, month=month)  # type: ignore[arg-type]
        return Response({"acknowledged": count})


router = SimpleRouter()
router.register("targets", TargetViewSet, basename="target")

urlpatterns = [path("kpi/figures/", FigureView.as_view(), name="kpi-figures"), *router.urls]
