"""Serializers and the list filter of ``/api/v1/projects/`` (:mod:`customers.api.projects`).

Shapes and types only: every rule (who may write, the control-point order, documents
accepted) is the project services' (``customers/projects/services.py``, docs/domain,
section 7). Output serializers read a project fetched by the project selectors
(``customers/projects/selectors.py``: ``annotated`` for the list, ``project_detail`` for one).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.common import ApiModelSerializer, IdFilter, id_field
from accounts.labels import choices_of, current_label
from domain import projects as rules

from ..models import (
    Competitor,
    ControlPoint,
    ControlPointUpdate,
    DecisionMember,
    DocumentVersion,
    Project,
    ProjectDocument,
    SupportRequest,
)

#: Choice lists of the project fields, named in the schema (settings.SPECTACULAR_SETTINGS,
#: ENUM_NAME_OVERRIDES: other models have fields called status, kind and role too).
PROJECT_STATUS_CHOICES = choices_of(rules.PROJECT_STATUSES)
POINT_STATUS_CHOICES = choices_of(rules.POINT_STATUSES)
SUPPORT_STATUS_CHOICES = choices_of(rules.SUPPORT_STATUSES)
DECISION_ROLE_CHOICES = choices_of(rules.DECISION_ROLES)
DOCUMENT_KIND_CHOICES = choices_of(rules.DOCUMENT_KINDS)
SUPPORT_KIND_CHOICES = choices_of(rules.SUPPORT_KINDS)

# --------------------------------------------------------------------------- serializers


class CurrentPointSerializer(serializers.Serializer):
    """The first control point not done: its position and name in the request's language."""

    position = serializers.IntegerField()
    name = serializers.CharField()


class ProjectSerializer(ApiModelSerializer):
    """A project as the list shows it: ``expected_value`` in CNY a month once signed (2
    places), ``expected_signing`` a local date, ``has_overdue`` (a control point past its
    due date and not done), ``current_point`` (null when every point is done)."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.SerializerMethodField()
    has_overdue = serializers.BooleanField(read_only=True)
    current_point = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "customer",
            "customer_name",
            "owner",
            "owner_name",
            "team",
            "expected_value",
            "expected_signing",
            "status",
            "closed_at",
            "created_at",
            "has_overdue",
            "current_point",
        ]
        read_only_fields = fields

    def get_owner_name(self, obj: Project) -> str:
        return str(obj.owner)

    @extend_schema_field(CurrentPointSerializer(allow_null=True))
    def get_current_point(self, obj: Project) -> dict[str, Any] | None:
        position = getattr(obj, "current_position", None)
        if position is None:
            return None
        name = current_label(obj.current_zh, obj.current_en)  # type: ignore[attr-defined]
        return {"position": position, "name": name}


class PointUpdateSerializer(ApiModelSerializer):
    """One dated update of a control point."""

    class Meta:
        model = ControlPointUpdate
        fields = ["id", "at", "by", "status", "text"]
        read_only_fields = fields


class ControlPointSerializer(ApiModelSerializer):
    """A control point of the project, with its updates (newest first)."""

    name = serializers.CharField(read_only=True)
    updates = PointUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = ControlPoint
        fields = [
            "position",
            "code",
            "name",
            "status",
            "owner",
            "start",
            "due",
            "notes",
            "done_at",
            "override_note",
            "overridden_by",
            "updates",
        ]
        read_only_fields = fields


class ChainMemberSerializer(ApiModelSerializer):
    """A person of the decision chain: a contact of the customer, role, attitude, order."""

    contact_name = serializers.CharField(source="contact.name", read_only=True)
    contact_title = serializers.CharField(source="contact.title", read_only=True)

    class Meta:
        model = DecisionMember
        fields = ["id", "contact", "contact_name", "contact_title", "role", "attitude"]
        fields += ["order", "notes"]
        read_only_fields = fields


class DocumentVersionSerializer(ApiModelSerializer):
    """One uploaded version; ``download_url`` is the project page's download (signed-in
    browser session)."""

    kind = serializers.CharField(source="document.kind", read_only=True)
    title = serializers.CharField(source="document.title", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = ["id", "kind", "title", "number", "original_name", "size", "content_type"]
        fields += ["uploaded_by", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj: DocumentVersion) -> str:
        return reverse("projects:document_download", kwargs={"pk": obj.pk})


class DocumentSerializer(ApiModelSerializer):
    """A document (kind and title) with every version, newest first."""

    versions = serializers.SerializerMethodField()

    class Meta:
        model = ProjectDocument
        fields = ["id", "kind", "title", "versions"]
        read_only_fields = fields

    @extend_schema_field(DocumentVersionSerializer(many=True))
    def get_versions(self, obj: ProjectDocument) -> list[dict[str, Any]]:
        versions = list(obj.versions.all())
        for version in versions:
            version.document = obj  # no query per version
        return list(DocumentVersionSerializer(versions, many=True).data)


class CompetitorSerializer(ApiModelSerializer):
    """A competitor, their offer and our counter-measure."""

    class Meta:
        model = Competitor
        fields = ["id", "name", "offer", "counter_measure"]
        read_only_fields = ["id"]


class SupportRequestSerializer(ApiModelSerializer):
    """A support request and, once answered, its answer, who answered and when."""

    class Meta:
        model = SupportRequest
        fields = ["id", "kind", "addressed_to", "question", "status", "answer"]
        fields += ["answered_by", "answered_at", "created_by", "created_at"]
        read_only_fields = fields


class ProjectDetailSerializer(ProjectSerializer):
    """A project with its control points, decision chain, documents, competitors and
    support requests (what the project page shows)."""

    points = ControlPointSerializer(many=True, read_only=True)
    chain = ChainMemberSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    competitors = CompetitorSerializer(many=True, read_only=True)
    support = SupportRequestSerializer(many=True, read_only=True)

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "points",
            "chain",
            "documents",
            "competitors",
            "support",
        ]
        read_only_fields = fields


class ProjectCreateSerializer(serializers.Serializer):
    """A new project: a visible group customer with a team, its owner (a rep of that team;
    a rep may only name themselves), a name (blank: the customer's), the expected monthly
    value in CNY and the expected signing date."""

    customer = id_field()
    owner = id_field(required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    expected_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    expected_signing = serializers.DateField()


class StatusSerializer(serializers.Serializer):
    """The project's new status; ``won`` moves the customer to deal."""

    status = serializers.ChoiceField(choices=PROJECT_STATUS_CHOICES)


class PointWriteSerializer(serializers.Serializer):
    """An update of a control point: its status and what happened; owner, dates and notes
    are changed when given (left alone when left out). ``override_note``: the supervisor's
    reason to mark it done before the earlier points."""

    status = serializers.ChoiceField(choices=POINT_STATUS_CHOICES)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    owner = id_field(required=False)
    start = serializers.DateField(required=False)
    due = serializers.DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    override_note = serializers.CharField(required=False, allow_blank=True, default="")


class ChainWriteSerializer(serializers.Serializer):
    """A person for the decision chain: a contact of the project's customer, or a new
    contact (``new_name``, ``new_title``) added to the customer file."""

    contact = id_field(required=False, allow_null=True)
    new_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    new_title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=DECISION_ROLE_CHOICES)
    attitude = serializers.ChoiceField(choices=choices_of(rules.ATTITUDES), default="unknown")
    order = serializers.IntegerField(min_value=1, max_value=99, default=1)
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DocumentUploadSerializer(serializers.Serializer):
    """A document version: PDF or Office file; the same kind and title adds a version."""

    kind = serializers.ChoiceField(choices=DOCUMENT_KIND_CHOICES)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    file = serializers.FileField()


class SupportAskSerializer(serializers.Serializer):
    """A support request to the supervisor or the company."""

    kind = serializers.ChoiceField(choices=SUPPORT_KIND_CHOICES)
    addressed_to = serializers.ChoiceField(choices=choices_of(rules.SUPPORT_TARGETS))
    question = serializers.CharField()


class SupportAnswerSerializer(serializers.Serializer):
    """The answer to a support request."""

    answer = serializers.CharField()


# --------------------------------------------------------------------------- filters


class ProjectFilter(django_filters.FilterSet):
    """The project list page's filters: ``?status=``, ``?overdue=true``, ``?min_value=``
    (CNY a month), ``?owner=``, ``?team=``; and ``?customer=``."""

    status = django_filters.ChoiceFilter(choices=PROJECT_STATUS_CHOICES)
    overdue = django_filters.BooleanFilter(field_name="has_overdue")
    min_value = django_filters.NumberFilter(
        field_name="expected_value", lookup_expr="gte", min_value=0, max_value=10**12
    )
    owner = IdFilter(field_name="owner_id")
    team = IdFilter(field_name="team_id")
    customer = IdFilter(field_name="customer_id")

    class Meta:
        model = Project
        fields = ["status", "overdue", "min_value", "owner", "team", "customer"]
