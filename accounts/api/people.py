"""``/api/v1/me/``, ``/users/``, ``/units/``, ``/memberships/``: people and the
organisation, read through the caller's scope; admins create users, start and end
memberships (a move between teams is a new membership: the old one ends the day
before, docs/domain, section 1), so an HR system can sync people without admin pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Membership, OrgUnit, User
from ..scoping import Scope, active_memberships, visible_teams, visible_users
from ..services import membership_end, membership_start, user_create, user_deactivate, user_update
from .common import (
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
from .scoped import ScopedReadOnlyViewSet


class IsAdminForWrites(permissions.BasePermission):
    """Everyone signed in reads (through the scope); only admins write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or scope_of(request).is_admin


# --------------------------------------------------------------------------- me


class MeSerializer(serializers.Serializer):
    """The caller and their roles today."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.CharField(help_text="admin, manager, supervisor, rep or empty")
    rep_team_ids = serializers.ListField(child=serializers.IntegerField())
    supervised_team_ids = serializers.ListField(child=serializers.IntegerField())
    managed_unit_ids = serializers.ListField(child=serializers.IntegerField())


class MeView(APIView):
    """The caller."""

    @extend_schema(
        summary="Who am I",
        description="The authenticated user and their roles today (what their scope holds).",
        responses={200: MeSerializer, **errors(401)},
        examples=[
            OpenApiExample(
                "A rep",
                value={
                    "id": 7,
                    "username": "zhangwei",
                    "name": "张伟",
                    "email": "zhangwei@example.com",
                    "role": "rep",
                    "rep_team_ids": [3],
                    "supervised_team_ids": [],
                    "managed_unit_ids": [],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        scope = scope_of(request)
        user = request.user
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "name": str(user),
            "email": getattr(user, "email", ""),
            "role": scope.primary_role,
            "rep_team_ids": sorted(scope.rep_team_ids),
            "supervised_team_ids": sorted(scope.supervised_team_ids),
            "managed_unit_ids": sorted(scope.managed_unit_ids),
        }
        return Response(MeSerializer(data).data)


# --------------------------------------------------------------------------- users


class UserSerializer(ApiModelSerializer):
    """A person as the API shows them."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "display_name",
            "first_name",
            "last_name",
            "email",
            "phone",
            "employee_no",
            "is_active",
        ]
        read_only_fields = ["id", "username", "name", "is_active"]


class UserCreateSerializer(serializers.Serializer):
    """Input of a new user (admins). Without ``password`` the user sets one through
    the password reset page."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, style={"input_type": "password"}
    )
    display_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    employee_no = serializers.CharField(max_length=32, required=False, allow_blank=True)


class UserUpdateSerializer(serializers.Serializer):
    """Fields an admin may change on a user."""

    display_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    employee_no = serializers.CharField(max_length=32, required=False, allow_blank=True)


class UserFilter(django_filters.FilterSet):
    """``?username=``, ``?employee_no=`` (exact, for a sync), ``?q=`` (name contains)."""

    username = django_filters.CharFilter()
    employee_no = django_filters.CharFilter()
    q = django_filters.CharFilter(field_name="display_name", lookup_expr="icontains")

    class Meta:
        model = User
        fields = ["username", "employee_no", "q"]


USER_EXAMPLE = {
    "id": 7,
    "username": "zhangwei",
    "name": "张伟",
    "display_name": "张伟",
    "first_name": "",
    "last_name": "",
    "email": "zhangwei@example.com",
    "phone": "13800000000",
    "employee_no": "E1007",
    "is_active": True,
}


@extend_schema_view(
    list=extend_schema(
        summary="List people",
        description="Active people the caller may see: themselves and the members of the "
        "teams they see; admins see everyone.",
        responses={200: UserSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Get a person",
        description="One visible person, with an `ETag` for a later update.",
        responses={200: UserSerializer, **errors(*READ_ERRORS)},
        examples=[OpenApiExample("A rep", value=USER_EXAMPLE, response_only=True)],
    ),
    create=extend_schema(
        summary="Create a person (admins)",
        description="Creates an active user; put them in a team with `POST /memberships/`.",
        request=UserCreateSerializer,
        responses={201: UserSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "From the HR system",
                value={
                    "username": "zhangwei",
                    "display_name": "张伟",
                    "email": "zhangwei@example.com",
                    "employee_no": "E1007",
                },
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a person (admins)",
        description="Needs `If-Match` with the ETag read before.",
        request=UserUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: UserSerializer, **errors(*VERSIONED_WRITE_ERRORS)},
        examples=[OpenApiExample("New phone", value={"phone": "13900000000"}, request_only=True)],
    ),
    deactivate=extend_schema(
        summary="Deactivate a person (admins)",
        description="The user can no longer sign in; their sessions end. History stays.",
        request=None,
        responses={200: UserSerializer, **errors(*READ_ERRORS)},
    ),
)
class UserViewSet(VersionedMixin, ScopedReadOnlyViewSet[User]):
    """People; admins create, change and deactivate them."""

    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated, IsAdminForWrites]
    filterset_class = UserFilter
    ordering_fields = ["username", "display_name", "employee_no", "id"]
    ordering = ["username"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[User]:
        if scope.is_admin:
            return User.objects.all().order_by("username")
        return visible_users(scope).order_by("username")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create(**data.validated_data)
        return self.respond_with_etag(user, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        self.require_current(request, user)
        data = UserUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = user_update(user=user, **data.validated_data)
        return self.respond_with_etag(user)

    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        user_deactivate(user=user)
        return self.respond_with_etag(user)


# --------------------------------------------------------------------------- units


#: The segments a team may serve (its result KPIs follow from it).
UNIT_SEGMENTS = OrgUnit._meta.get_field("segment").choices


class UnitSerializer(ApiModelSerializer):
    """A company, branch or team."""

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "parent", "segment", "is_active"]
        read_only_fields = fields


class UnitFilter(django_filters.FilterSet):
    """``?kind=``, ``?code=``, ``?parent=``."""

    kind = django_filters.ChoiceFilter(choices=OrgUnit.Kind.choices)
    code = django_filters.CharFilter()
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = OrgUnit
        fields = ["kind", "code", "parent"]


@extend_schema_view(
    list=extend_schema(
        summary="List organisation units",
        description="Teams the caller sees (admins: every company, branch and team).",
        responses={200: UnitSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Get an organisation unit",
        responses={200: UnitSerializer, **errors(*READ_ERRORS)},
    ),
)
class UnitViewSet(ScopedReadOnlyViewSet[OrgUnit]):
    """The organisation tree as the caller sees it."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["name", "code", "id"]
    ordering = ["kind", "name"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[OrgUnit]:
        if scope.is_admin:
            return OrgUnit.objects.all()
        return visible_teams(scope)


# --------------------------------------------------------------------------- memberships


class MembershipSerializer(ApiModelSerializer):
    """A person's role in a unit from ``start`` to ``end`` (inclusive; open when null)."""

    class Meta:
        model = Membership
        fields = ["id", "user", "unit", "role", "start", "end"]
        read_only_fields = fields


class MembershipCreateSerializer(serializers.Serializer):
    """Start a membership. For a rep or supervisor this is also a move: their open
    team membership ends the day before ``start``."""

    user = id_field()
    unit = id_field()
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    start = serializers.DateField(required=False)


class MembershipEndSerializer(serializers.Serializer):
    """When the membership ends (default today)."""

    end = serializers.DateField(required=False)


class MembershipFilter(django_filters.FilterSet):
    """``?user=``, ``?unit=``, ``?role=``, ``?active_on=YYYY-MM-DD``."""

    user = IdFilter(field_name="user_id")
    unit = IdFilter(field_name="unit_id")
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices)
    active_on = django_filters.DateFilter(method="filter_active_on")

    class Meta:
        model = Membership
        fields = ["user", "unit", "role", "active_on"]

    def filter_active_on(self, queryset: QuerySet[Membership], name: str, value: Any) -> Any:
        return queryset.filter(active_memberships(value))


@extend_schema_view(
    list=extend_schema(
        summary="List memberships",
        description="Dated memberships of the people the caller may see.",
        responses={200: MembershipSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a membership",
        responses={200: MembershipSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="Start a membership or move a person (admins)",
        description="Puts a person in a unit with a role from `start` (default today). A rep "
        "or supervisor belongs to one team at a time: their open team membership ends the "
        "day before, so the history (and past KPIs) keep the old team.",
        request=MembershipCreateSerializer,
        responses={201: MembershipSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "Move a rep to team 4 from 1 January",
                value={"user": 7, "unit": 4, "role": "rep", "start": "2027-01-01"},
                request_only=True,
            )
        ],
    ),
    end=extend_schema(
        summary="End a membership (admins)",
        description="Ends the membership on `end` (default today); the row stays as history.",
        request=MembershipEndSerializer,
        responses={200: MembershipSerializer, **errors(*WRITE_ERRORS)},
    ),
)
class MembershipViewSet(ScopedReadOnlyViewSet[Membership]):
    """Memberships; admins start, move and end them."""

    serializer_class = MembershipSerializer
    permission_classes = [permissions.IsAuthenticated, IsAdminForWrites]
    filterset_class = MembershipFilter
    ordering_fields = ["start", "end", "id"]
    ordering = ["-start", "id"]

    def scoped_queryset(self, scope: Scope) -> QuerySet[Membership]:
        rows = Membership.objects.all()
        if scope.is_admin:
            return rows
        ids = scope.visible_user_ids or frozenset()
        return rows.filter(user_id__in=sorted(ids))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MembershipCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        problems: dict[str, list[str]] = {}
        user = User.objects.filter(pk=values["user"], is_active=True).first()
        unit = OrgUnit.objects.filter(pk=values["unit"]).first()
        if user is None:
            problems["user"] = [_("No such active user.")]
        if unit is None:
            problems["unit"] = [_("No such unit.")]
        if problems:
            raise ValidationError(problems)
        values.update(user=user, unit=unit)
        row = membership_start(**values)
        return Response(MembershipSerializer(row).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        row = self.get_object()
        data = MembershipEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = membership_end(membership=row, **data.validated_data)
        return Response(MembershipSerializer(row).data)
