"""``/api/v1/projects/``: big-account projects (docs/domain, section 7).

Reads start from :func:`customers.projects.selectors.project_queryset`, the selector of the
project pages (the model's rule ``ProjectQuerySet``: the owner, the team's supervisors,
managers above, admins; other teams answer 404). Writes are the project page's, through the
same checks and services (``customers/projects/services.py``): a new project, its status, a
control point update (the ordering rule and the supervisor's override), the decision chain,
document versions, competitors, support requests and their answers. A visible project the
caller may not change answers 403, as on the page.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.common import (
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    errors,
)
from accounts.api.scoped import ScopedReadOnlyViewSet
from accounts.models import User
from accounts.scoping import Scope, get_visible_or_404, local_today, visible_users

from ..models import (
    Contact,
    ControlPoint,
    DecisionMember,
    Project,
    Segment,
)
from ..projects import selectors, services
from ..selectors import customer_queryset
from .project_serializers import (
    ChainMemberSerializer,
    ChainWriteSerializer,
    CompetitorSerializer,
    ControlPointSerializer,
    DocumentUploadSerializer,
    DocumentVersionSerializer,
    PointWriteSerializer,
    ProjectCreateSerializer,
    ProjectDetailSerializer,
    ProjectFilter,
    ProjectSerializer,
    StatusSerializer,
    SupportAnswerSerializer,
    SupportAskSerializer,
    SupportRequestSerializer,
)

# --------------------------------------------------------------------------- views

PROJECT_EXAMPLE = {
    "id": 12,
    "name": "云网一体化项目",
    "customer": 42,
    "customer_name": "深圳腾飞集团有限公司",
    "owner": 7,
    "owner_name": "张伟",
    "team": 3,
    "expected_value": "20000.00",
    "expected_signing": "2027-02-05",
    "status": "open",
    "closed_at": None,
    "created_at": "2026-12-07T10:30:00+08:00",
    "has_overdue": False,
    "current_point": {"position": 2, "name": "Needs analysis"},
}


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _path_id(text: str) -> int:
    """A number from the path (the route allows digits only); 404 beyond any row id."""
    value = int(text)
    if not 1 <= value <= MAX_ID:
        raise Http404
    return value


@extend_schema_view(
    list=extend_schema(
        summary="List projects",
        description="Big-account projects in the caller's scope (the project pages' list): "
        "own projects; a supervisor's teams; a manager's branch; admins all. Ordered by "
        "expected signing date.",
        responses={200: ProjectSerializer(many=True), **errors(400, 401)},
        examples=[OpenApiExample("One project", value=[PROJECT_EXAMPLE], response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a project",
        description="One project with control points, decision chain, documents, "
        "competitors and support requests. 404 outside the caller's scope.",
        responses={200: ProjectDetailSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="Open a project",
        description="For a visible group/key-account customer with a team. Reps open their "
        "own; a supervisor or admin names the owner (a rep of the customer's team). One "
        "control point per active point of the organisation's list. Managers only read "
        "(403).",
        request=ProjectCreateSerializer,
        responses={201: ProjectDetailSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A new project",
                value={
                    "customer": 42,
                    "name": "云网一体化项目",
                    "expected_value": "20000.00",
                    "expected_signing": "2027-02-05",
                },
                request_only=True,
            )
        ],
    ),
)
class ProjectViewSet(ScopedReadOnlyViewSet[Project]):
    """Big-account projects in the caller's scope, and the project page's writes."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    ordering_fields = ["expected_signing", "expected_value", "created_at", "id"]
    ordering = ["expected_signing", "id"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    queryset = Project.objects.none()  # the model, for the schema

    def scoped_queryset(self, scope: Scope) -> QuerySet[Project]:
        """The pages' selector, annotated with ``has_overdue`` and the current point."""
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return selectors.annotated(selectors.project_queryset(scope), local_today())

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return ProjectSerializer if self.action == "list" else ProjectDetailSerializer

    def _detail(self, project: Project, code: int = status.HTTP_200_OK) -> Response:
        """The project as ``retrieve`` shows it, read again after a write."""
        fresh = selectors.annotated(
            selectors.project_queryset(self.scope).filter(pk=project.pk), local_today()
        ).get()
        detail = selectors.project_detail(fresh)
        for name in ("has_overdue", "current_position", "current_zh", "current_en"):
            setattr(detail, name, getattr(fresh, name))
        return Response(ProjectDetailSerializer(detail).data, status=code)

    def _editable(self) -> Project:
        """The path's project: 404 outside the scope, 403 unless the caller may change it
        (the page's check, ``project_check_can_edit``)."""
        project = self.get_editable_object()
        services.project_check_can_edit(project=project, scope=self.scope)
        return project

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope = self.scope
        services.project_check_can_create(scope=scope)
        data = ProjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        # The page's choices: visible group customers with a team, visible people.
        customers = customer_queryset(scope).filter(segment=Segment.GROUP, team__isnull=False)
        customer = customers.filter(pk=values.pop("customer")).first()
        if customer is None:
            raise _field_error("customer", _("No such group customer."))
        owner_id = values.pop("owner", None) or scope.user_id
        owner = visible_users(scope).filter(pk=owner_id).first() if owner_id else None
        if owner is None:
            raise _field_error("owner", _("No such person."))
        project = services.project_create(
            scope=scope,
            by=cast(User, request.user),
            customer=customer,
            owner=owner,
            **values,
        )
        return self._detail(project, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Set a project's status",
        description="Owner or the team's supervisor. `won` moves the customer to deal (a "
        "stage change the KPIs count); `won` and `lost` close the project.",
        request=StatusSerializer,
        responses={200: ProjectDetailSerializer, **errors(*WRITE_ERRORS)},
        examples=[OpenApiExample("Won", value={"status": "won"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="status", filterset_class=None)
    def set_status(self, request: Request, pk: str | None = None) -> Response:
        project = self._editable()
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.project_set_status(
            project=project,
            scope=self.scope,
            by=cast(User, request.user),
            status=data.validated_data["status"],
        )
        return self._detail(project)

    @extend_schema(
        summary="Update a control point",
        description="Status and a dated update of the point at `position`; owner, dates "
        "and notes when given. `done` needs every earlier point done, unless the team's "
        "supervisor overrides with `override_note` (400 names what is missing).",
        request=PointWriteSerializer,
        responses={200: ControlPointSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "Needs analysed",
                value={"status": "done", "text": "Needs confirmed with the CIO"},
                request_only=True,
            )
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"points/(?P<position>[0-9]{1,4})",
        filterset_class=None,
    )
    def point(self, request: Request, pk: str | None = None, position: str = "") -> Response:
        project = self._editable()
        scope = self.scope
        point = get_visible_or_404(project.points.all(), scope, position=_path_id(position))
        point.project = project
        data = PointWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "owner" in values:
            values["owner"] = visible_users(scope).filter(pk=values["owner"]).first()
            if values["owner"] is None:
                raise _field_error("owner", _("No such person."))
        services.point_update(point=point, scope=scope, by=cast(User, request.user), **values)
        fresh = ControlPoint.objects.prefetch_related("updates").get(pk=point.pk)
        return Response(ControlPointSerializer(fresh).data)

    @extend_schema(
        summary="Add a person to the decision chain",
        description="An existing contact of the project's customer (`contact`), or a new "
        "one (`new_name`, `new_title`) added to the customer file.",
        request=ChainWriteSerializer,
        responses={201: ChainMemberSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "The CIO decides first",
                value={
                    "new_name": "王总",
                    "new_title": "CIO",
                    "role": "decision_maker",
                    "order": 1,
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def chain(self, request: Request, pk: str | None = None) -> Response:
        project = self._editable()
        data = ChainWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        contact_id = values.pop("contact", None)
        contact = None
        if contact_id is not None:
            contact = Contact.objects.filter(customer=project.customer, pk=contact_id).first()
            if contact is None:
                raise _field_error("contact", _("The contact is not one of this customer's."))
        member = services.chain_add(project=project, scope=self.scope, contact=contact, **values)
        return Response(ChainMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take a person out of the decision chain",
        description="The contact stays in the customer file.",
        request=None,
        responses={204: None, **errors(*READ_ERRORS)},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"chain/(?P<member>[0-9]{1,10})",
        filterset_class=None,
    )
    def chain_remove(self, request: Request, pk: str | None = None, member: str = "") -> Response:
        project = self._editable()
        row = get_visible_or_404(
            DecisionMember.objects.filter(project=project), self.scope, pk=_path_id(member)
        )
        row.project = project
        services.chain_remove(member=row, scope=self.scope)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Upload a document version",
        description="A proposal, agreement or other document (PDF or Office, checked by "
        "its content). The same kind and title adds a version; every version is kept.",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentVersionSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A proposal", value={"kind": "proposal", "title": "方案"}, request_only=True
            )
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
    )
    def documents(self, request: Request, pk: str | None = None) -> Response:
        project = self._editable()
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        version = services.document_upload(
            project=project,
            scope=self.scope,
            by=cast(User, request.user),
            kind=data.validated_data["kind"],
            title=data.validated_data["title"],
            name=upload.name or "",
            data=upload.read(),
        )
        return Response(DocumentVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a competitor",
        request=CompetitorSerializer,
        responses={201: CompetitorSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A rival offer",
                value={"name": "某运营商", "offer": "八折", "counter_measure": "专线加云"},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def competitors(self, request: Request, pk: str | None = None) -> Response:
        project = self._editable()
        data = CompetitorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competitor = services.competitor_add(
            project=project, scope=self.scope, **data.validated_data
        )
        return Response(CompetitorSerializer(competitor).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ask for support",
        description="Technical, engineering or pricing support from the supervisor or the company.",
        request=SupportAskSerializer,
        responses={201: SupportRequestSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A price",
                value={"kind": "pricing", "addressed_to": "supervisor", "question": "底价？"},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def support(self, request: Request, pk: str | None = None) -> Response:
        project = self._editable()
        data = SupportAskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.support_ask(
            project=project, scope=self.scope, by=cast(User, request.user), **data.validated_data
        )
        return Response(SupportRequestSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Answer a support request",
        description="The team's supervisors and admins (403 for others who see the project).",
        request=SupportAnswerSerializer,
        responses={200: SupportRequestSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample("An answer", value={"answer": "可按 9 折报价"}, request_only=True)
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"support/(?P<request_id>[0-9]{1,10})/answer",
        filterset_class=None,
    )
    def support_answer(
        self, request: Request, pk: str | None = None, request_id: str = ""
    ) -> Response:
        project = self.get_object()
        row = get_visible_or_404(project.support.all(), self.scope, pk=_path_id(request_id))
        row.project = project
        services.support_check_can_answer(request=row, scope=self.scope)
        data = SupportAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.support_answer(
            request=row, scope=self.scope, by=cast(User, request.user), **data.validated_data
        )
        return Response(SupportRequestSerializer(row).data)
