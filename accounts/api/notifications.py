"""``/api/v1/notifications/``: the caller's in-app notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import Notification
from ..services import notifications_mark_read
from .common import READ_ERRORS, ApiModelSerializer, IdLookupMixin, errors, id_field


class NotificationSerializer(ApiModelSerializer):
    """One notification in the caller's language; ``read_at`` is null while unread."""

    title = serializers.CharField(source="shown_title", read_only=True)
    body = serializers.CharField(source="shown_body", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    """Which notifications to mark read; omit ``ids`` for all unread ones."""

    ids = serializers.ListField(child=id_field(), required=False, max_length=1000)


class MarkedSerializer(serializers.Serializer):
    """How many notifications were marked read."""

    marked = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        summary="List my notifications",
        description="Newest first; `?unread=true` for unread ones only.",
        responses={200: NotificationSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a notification",
        responses={200: NotificationSerializer, **errors(*READ_ERRORS)},
    ),
    read=extend_schema(
        summary="Mark notifications read",
        request=MarkReadSerializer,
        responses={200: MarkedSerializer, **errors(400, 401)},
        examples=[OpenApiExample("Two of them", value={"ids": [12, 13]}, request_only=True)],
    ),
)
class NotificationViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Notification],
):
    """The caller's notifications (nobody sees another's)."""

    serializer_class = NotificationSerializer
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Notification]:
        rows = Notification.objects.filter(user_id=self.request.user.pk or 0)
        unread = self.request.query_params.get("unread", "")
        if unread.lower() in {"1", "true", "yes"}:
            rows = rows.filter(read_at__isnull=True)
        return rows

    @action(detail=False, methods=["post"])
    def read(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = notifications_mark_read(
            user=request.user,  # type: ignore[arg-type]
            ids=data.validated_data.get("ids"),
        )
        return Response({"marked": count})
