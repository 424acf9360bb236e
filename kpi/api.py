"""``/api/v1/kpi/``: KPI figures, read only, for a BI tool or a phone app.

The figures are the stored snapshots the dashboards show, read through the same
selector (:func:`kpi.selectors.snapshot_metrics`) and the same visible-scope rules
(:func:`kpi.views.scopes.resolve_scope_key`): a rep reads their own figures, a
supervisor their team and its reps, a manager their branch; anything else is 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.common import errors, scope_of
from domain.metrics import metric as metric_entry
from domain.periods import parse_period

from . import selectors
from .views.scopes import resolve_scope_key


class FigureSerializer(serializers.Serializer):
    """One KPI figure: ``value`` null means no value (an empty denominator); rates are
    fractions in [0, 1], money in CNY as a decimal string."""

    metric = serializers.CharField()
    label = serializers.CharField()
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


urlpatterns = [path("kpi/figures/", FigureView.as_view(), name="kpi-figures")]
