"""``/api/v1/customers/``: customer files, their contacts, stage changes and revenue.

Reads start from :func:`customers.selectors.customer_queryset` (the caller's scope;
other teams' customers answer 404); writes call the same services and checks as the
customer pages (``customers/services.py``); a new customer goes through the page's
form, so the owner and team rules are the page's.
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.common import (
    IF_MATCH,
    READ_ERRORS,
    VERSIONED_WRITE_ERRORS,
    WRITE_ERRORS,
    ApiModelSerializer,
    IdFilter,
    VersionedMixin,
    errors,
    id_field,
    scope_of,
)
from accounts.api.scoped import ScopedReadOnlyViewSet
from accounts.models import User
from accounts.scoping import Scope

from .. import selectors, services
from ..forms import CustomerForm
from ..models import Contact, Customer, RevenueRecord, Segment, Stage, StageChange

# --------------------------------------------------------------------------- serializers

#: Stages a new customer may start in (not lost).
NEW_CUSTOMER_STAGES = [(s.value, s.label) for s in Stage if s != Stage.LOST]


class CustomerSerializer(ApiModelSerializer):
    """A customer file as the API shows it. ``owner`` null: in the public pool."""

    owner_name = serializers.SerializerMethodField()
    in_pool = serializers.BooleanField(read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            *services.EDITABLE_FIELDS,
            "owner",
            "owner_name",
            "team",
            "stage",
            "stage_changed_at",
            "last_activity_at",
            "pool_since",
            "in_pool",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_owner_name(self, obj: Customer) -> str:
        return str(obj.owner) if obj.owner_id else ""


class CustomerWriteSerializer(ApiModelSerializer):
    """The company data a customer's owner or supervisor may change (types only: the
    rules, such as no visible duplicate name, are the service's)."""

    class Meta:
        model = Customer
        fields = list(services.EDITABLE_FIELDS)
        # Uniqueness is the service's rule (it compares only visible customers).
        extra_kwargs: dict[str, dict[str, Any]] = {
            name: {"validators": []} for name in services.EDITABLE_FIELDS
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Refuse, with a 400 naming each field, a write that changes a field the customer
        shows but this write cannot change (``stage``, ``owner``, ``team``, dates...): DRF
        would silently ignore it. ``stage`` goes through the stage-change endpoint, which
        records the change and its reason (docs/domain, section 5). A value equal to the
        current one (a PUT of what was read) passes."""
        if self.instance is None:
            return attrs
        shown = CustomerSerializer(self.instance).data
        errors: dict[str, list[str]] = {}
        for key in self.initial_data:
            if key in self.fields or key not in shown:
                continue
            sent, now = self.initial_data.get(key), shown[key]
            if sent == now or ("" if sent is None else str(sent)) == (
                "" if now is None else str(now)
            ):
                continue
            if key == "stage":
                errors[key] = [
                    _(
                        "The stage cannot be changed by editing the customer: use "
                        "POST /api/v1/customers/%(id)s/stage/ (the stage-change endpoint), "
                        "which records the change and its reason."
                    )
                    % {"id": self.instance.pk}
                ]
            else:
                errors[key] = [_("This field is read-only: it cannot be changed here.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CustomerCreateSerializer(CustomerWriteSerializer):
    """A new customer. A rep creates their own; a supervisor or admin may give the
    ``owner`` (a rep of their team; null: the team's public pool) and the ``team``."""

    owner = id_field(required=False, allow_null=True)
    team = id_field(required=False, allow_null=True)
    stage = serializers.ChoiceField(choices=NEW_CUSTOMER_STAGES, default=Stage.LEAD)

    class Meta(CustomerWriteSerializer.Meta):
        fields = [*CustomerWriteSerializer.Meta.fields, "owner", "team", "stage"]


class StageMoveSerializer(serializers.Serializer):
    """A stage change with its reason; ``fields`` fills in what the new stage requires
    (e.g. ``needs`` before intent) in the same step."""

    to_stage = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.CharField(allow_blank=True), required=False, default=dict
    )


class StageChangeSerializer(ApiModelSerializer):
    """One stage change of a customer (history; KPIs count these)."""

    class Meta:
        model = StageChange
        fields = ["id", "from_stage", "to_stage", "at", "by", "reason", "source", "rep", "team"]
        read_only_fields = fields


class ContactSerializer(ApiModelSerializer):
    """A contact at the customer (联系人)."""

    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "title",
            "phone",
            "phone2",
            "email",
            "decision_role",
            "is_project_owner",
            "notes",
        ]
        read_only_fields = ["id"]


class RevenueSerializer(ApiModelSerializer):
    """One month of billed and received revenue (CNY, 2 places) of one product."""

    class Meta:
        model = RevenueRecord
        fields = ["id", "month", "product", "billed", "received", "kind"]
        read_only_fields = fields


# --------------------------------------------------------------------------- filters


class CustomerFilter(django_filters.FilterSet):
    """``?stage=``, ``?segment=``, ``?team=``, ``?owner=``, ``?in_pool=``, ``?industry=``,
    ``?q=`` (name, short name, pinyin initials, credit code, external code, contact
    phone: the customer search of the pages)."""

    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    segment = django_filters.ChoiceFilter(choices=Segment.choices)
    team = IdFilter(field_name="team_id")
    owner = IdFilter(field_name="owner_id")
    in_pool = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull")
    industry = django_filters.CharFilter()
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    q = django_filters.CharFilter(method="filter_q")

    class Meta:
        model = Customer
        fields = ["stage", "segment", "team", "owner", "in_pool", "industry", "q"]

    def filter_q(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return queryset.filter(selectors.search_q(value)).distinct() if value.strip() else queryset


# --------------------------------------------------------------------------- views

CUSTOMER_EXAMPLE = {
    "id": 42,
    "name": "深圳腾飞科技有限公司",
    "short_name": "腾飞科技",
    "credit_code": "91440300MA5F000007",
    "external_code": "",
    "industry": "软件和信息技术服务业",
    "size": "100-499",
    "province": "广东",
    "city": "深圳",
    "address": "南山区科技园",
    "website": "",
    "segment": "mass",
    "source": "",
    "listed_on": None,
    "founded_on": None,
    "notes": "",
    "needs": "",
    "latest_news": "",
    "owner": 7,
    "owner_name": "张伟",
    "team": 3,
    "stage": "target",
    "stage_changed_at": "2026-11-02T10:00:00+08:00",
    "last_activity_at": "2026-12-01T15:30:00+08:00",
    "pool_since": None,
    "in_pool": False,
    "created_at": "2026-10-08T09:00:00+08:00",
    "updated_at": "2026-12-01T15:30:00+08:00",
}


def _form_errors(form: CustomerForm) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for field, items in form.errors.get_json_data().items():
        key = "non_field_errors" if field == "__all__" else field
        out[key] = [str(item["message"]) for item in items]
    return out


@extend_schema_view(
    list=extend_schema(
        summary="List customers",
        description="Customers in the caller's scope: a rep's own and their team's public "
        "pool; a supervisor's teams; a manager's branch; admins all.",
        responses={200: CustomerSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a customer",
        description="One customer file with an `ETag` (send it as `If-Match` to change it). "
        "404 outside the caller's scope.",
        responses={200: CustomerSerializer, **errors(*READ_ERRORS)},
        examples=[OpenApiExample("A target customer", value=CUSTOMER_EXAMPLE, response_only=True)],
    ),
    create=extend_schema(
        summary="Create a customer",
        description="Reps create their own customers; supervisors and admins may name the "
        "owner (a rep of their team; null for the team's public pool). A visible customer "
        "with the same name or credit code is refused (400). Managers only read (403).",
        request=CustomerCreateSerializer,
        responses={201: CustomerSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A new lead",
                value={"name": "深圳腾飞科技有限公司", "industry": "软件和信息技术服务业"},
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a customer's company data",
        description="Owner or the team's supervisor. Needs `If-Match`: 412 when someone "
        "changed the customer since it was read. Owner, team and stage have their own "
        "actions.",
        request=CustomerWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: CustomerSerializer, **errors(*VERSIONED_WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "New address", value={"address": "福田区深南大道 1 号"}, request_only=True
            )
        ],
    ),
    update=extend_schema(
        summary="Replace a customer's company data",
        description="As PATCH, with every editable field. Needs `If-Match`.",
        request=CustomerWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: CustomerSerializer, **errors(*VERSIONED_WRITE_ERRORS)},
    ),
    stage=extend_schema(
        summary="Change a customer's funnel stage",
        description="Records a stage change with its reason (the KPIs count it). Fields the "
        "new stage requires may be filled in with `fields`; 400 names what is missing. "
        "`If-Match` is optional here; when sent, a stale one gives 412.",
        request=StageMoveSerializer,
        parameters=[IF_MATCH],
        responses={200: CustomerSerializer, **errors(400, 401, 403, 404, 412)},
        examples=[
            OpenApiExample(
                "To intent with the needs analysis",
                value={
                    "to_stage": "intent",
                    "reason": "Asked for a quote",
                    "fields": {"needs": "Dedicated line for two offices"},
                },
                request_only=True,
            )
        ],
    ),
    stage_changes=extend_schema(
        summary="List a customer's stage changes",
        responses={200: StageChangeSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    contacts=extend_schema(
        methods=["GET"],
        summary="List a customer's contacts",
        responses={200: ContactSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    revenue=extend_schema(
        summary="List a customer's monthly revenue",
        responses={200: RevenueSerializer(many=True), **errors(*READ_ERRORS)},
    ),
)
class CustomerViewSet(VersionedMixin, ScopedReadOnlyViewSet[Customer]):
    """Customer files in the caller's scope."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    ordering_fields = ["name", "stage_changed_at", "updated_at", "created_at", "id"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[Customer]:
        return selectors.customer_queryset(scope).select_related("owner")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope = scope_of(request)
        services.customer_check_can_create(scope=scope)
        data = CustomerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: ("" if v is None else v) for k, v in data.validated_data.items()}
        for name in services.EDITABLE_FIELDS:  # the model's defaults, as the page's form shows
            model_field = cast(models.Field, Customer._meta.get_field(name))
            if name not in values and model_field.has_default():
                values[name] = model_field.get_default()
        form = CustomerForm(values, scope=scope, user=cast(User, request.user), creating=True)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        cleaned = form.cleaned_data
        fields = {n: cleaned[n] for n in services.EDITABLE_FIELDS if n in cleaned}
        customer = services.customer_create(
            by=request.user,  # type: ignore[arg-type]
            name=fields.pop("name"),
            owner=cleaned.get("owner"),
            team=cleaned.get("team"),
            stage=cleaned.get("stage") or Stage.LEAD,
            check_required=True,
            scope=scope,
            **fields,
        )
        return self.respond_with_etag(customer, status.HTTP_201_CREATED)

    def _write(self, request: Request, *, partial: bool) -> Response:
        scope = scope_of(request)
        customer = self.get_object()
        services.customer_check_can_edit(customer=customer, scope=scope)
        self.require_current(request, customer)
        data = CustomerWriteSerializer(customer, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        services.customer_update(
            customer=customer,
            by=request.user,  # type: ignore[arg-type]
            scope=scope,
            **data.validated_data,
        )
        return self.respond_with_etag(customer)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._write(request, partial=False)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._write(request, partial=True)

    @action(detail=True, methods=["post"])
    def stage(self, request: Request, pk: str | None = None) -> Response:
        scope = scope_of(request)
        customer = self.get_object()
        services.customer_check_can_edit(customer=customer, scope=scope)
        self.require_current(request, customer, required=False)
        data = StageMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.customer_move(
            customer=customer,
            to_stage=data.validated_data["to_stage"],
            by=request.user,  # type: ignore[arg-type]
            reason=data.validated_data["reason"],
            fields=data.validated_data["fields"],
        )
        customer.refresh_from_db()
        return self.respond_with_etag(customer)

    @action(detail=True, methods=["get"], url_path="stage-changes", filterset_class=None)
    def stage_changes(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        rows = StageChange.objects.filter(customer=customer).order_by("-at", "-id")
        return self._paged(rows, StageChangeSerializer)

    @extend_schema(
        methods=["POST"],
        summary="Add a contact to a customer",
        description="Owner or the team's supervisor. Marking it the telecom project owner "
        "unmarks the previous one.",
        request=ContactSerializer,
        responses={201: ContactSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "The IT manager",
                value={"name": "王经理", "title": "IT 经理", "phone": "13800000001"},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def contacts(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        if request.method == "POST":
            services.customer_check_can_edit(customer=customer, scope=scope_of(request))
            data = ContactSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            contact = services.contact_create(
                customer=customer,
                by=request.user,  # type: ignore[arg-type]
                **data.validated_data,
            )
            return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)
        return self._paged(Contact.objects.filter(customer=customer), ContactSerializer)

    @action(detail=True, methods=["get"], filterset_class=None)
    def revenue(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        rows = RevenueRecord.objects.filter(customer=customer).order_by("-month", "product")
        return self._paged(rows, RevenueSerializer)

    def _paged(self, rows: QuerySet[Any], serializer: type[serializers.Serializer]) -> Response:
        """A customer's own records as a plain list (a customer has tens, not thousands)."""
        return Response(serializer(rows, many=True).data)
