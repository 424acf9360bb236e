"""Serializers of the journals API: shapes and types only; every rule (who may write,
a visit on the journal's day, one's own customers) is the services'."""

from __future__ import annotations

from rest_framework import serializers

from accounts.api.common import ApiModelSerializer, id_field
from customers.models import Stage
from domain import visits as visit_rules

from ..models import Comment, Journal, PlanItem, Purpose, Visit


class PlanItemSerializer(ApiModelSerializer):
    """A planned visit, appointment or follow-up of a journal."""

    class Meta:
        model = PlanItem
        fields = ["id", "journal", "kind", "customer", "purpose", "preparation", "position"]
        read_only_fields = fields


class PlanItemCreateSerializer(serializers.Serializer):
    """A new plan item; the kind follows from the purpose."""

    journal = id_field()
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    customer = id_field(required=False, allow_null=True)
    preparation = serializers.CharField(required=False, allow_blank=True, default="")


class VisitSerializer(ApiModelSerializer):
    """An actual visit, appointment or follow-up (实际拜访记录). ``is_effective``: it
    advanced the stage, closed a deal or agreed a dated next step (docs/domain, section 9)."""

    is_effective = serializers.BooleanField(read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "journal",
            "rep",
            "team",
            "customer",
            "plan_item",
            "channel",
            "purpose",
            "occurred_at",
            "learned",
            "agreed",
            "analysis",
            "next_step",
            "next_step_date",
            "next_step_done",
            "outcome",
            "stage_before",
            "new_stage",
            "is_effective",
            "checkin_latitude",
            "checkin_longitude",
            "checkin_accuracy_m",
            "checkin_distance_m",
            "checked_in_at",
            "is_case",
            "created_at",
        ]
        read_only_fields = fields


class VisitCreateSerializer(serializers.Serializer):
    """A visit to file. Without ``journal`` it goes in the caller's journal of the
    visit's local day (started as a draft when missing). ``outcome`` ``stage_advanced``
    with ``new_stage``, or ``deal``, moves the customer's stage; ``latitude`` and
    ``longitude`` (WGS84 degrees) check in."""

    journal = id_field(required=False, allow_null=True)
    customer = id_field()
    channel = serializers.ChoiceField(
        choices=[c.code for c in visit_rules.CHANNELS],
        default=visit_rules.IN_PERSON,
        help_text="visit (in person), phone, wechat or email: a call, WeChat or e-mail is an "
        "appointment or follow-up, counts as a follow-up and not as a visit, and has no "
        "check-in (docs/domain, sections 3 and 9).",
    )
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    occurred_at = serializers.DateTimeField()
    learned = serializers.CharField(required=False, allow_blank=True, default="")
    agreed = serializers.CharField(required=False, allow_blank=True, default="")
    analysis = serializers.CharField(required=False, allow_blank=True, default="")
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    next_step_date = serializers.DateField(required=False, allow_null=True, default=None)
    outcome = serializers.ChoiceField(choices=Visit.Outcome.choices, default=Visit.Outcome.NOTHING)
    new_stage = serializers.ChoiceField(
        choices=Stage.choices, required=False, allow_blank=True, default=""
    )
    plan_item = id_field(required=False, allow_null=True)
    needs = serializers.CharField(required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
    )
    accuracy_m = serializers.IntegerField(min_value=0, max_value=100000, required=False)


class CommentSerializer(ApiModelSerializer):
    """A comment in a journal's thread."""

    class Meta:
        model = Comment
        fields = ["id", "journal", "author", "text", "created_at", "edited_at"]
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    """A new comment; ``@username`` mentions notify those who may see the journal."""

    text = serializers.CharField(max_length=5000)


class JournalSerializer(ApiModelSerializer):
    """A daily journal with its plan and visits."""

    plan_items = PlanItemSerializer(many=True, read_only=True)
    visits = VisitSerializer(many=True, read_only=True)

    class Meta:
        model = Journal
        fields = [
            "id",
            "rep",
            "team",
            "day",
            "status",
            "learning_topic",
            "takeaways",
            "summary",
            "evaluation",
            "evaluated_by",
            "submitted_at",
            "is_late",
            "reviewed_at",
            "reviewed_by",
            "revision",
            "created_at",
            "updated_at",
            "plan_items",
            "visits",
        ]
        read_only_fields = fields


class JournalListSerializer(ApiModelSerializer):
    """A journal in a list (no plan or visits: read one for those)."""

    class Meta:
        model = Journal
        fields = [
            "id",
            "rep",
            "team",
            "day",
            "status",
            "submitted_at",
            "is_late",
            "reviewed_at",
            "revision",
            "updated_at",
        ]
        read_only_fields = fields


class JournalCreateSerializer(serializers.Serializer):
    """Start (or get) the caller's journal of ``day`` (default: today)."""

    day = serializers.DateField(required=False)


class JournalTextSerializer(serializers.Serializer):
    """The rep's own text of a draft."""

    learning_topic = serializers.CharField(max_length=200, required=False, allow_blank=True)
    takeaways = serializers.CharField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)


class ReviewSerializer(serializers.Serializer):
    """The supervisor's evaluation; ``reviewed`` true also marks the journal reviewed."""

    evaluation = serializers.CharField(required=False, allow_blank=True)
    reviewed = serializers.BooleanField(default=True)
