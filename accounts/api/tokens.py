"""``/api/v1/tokens/``: the caller's own API tokens (list, create, revoke)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import ApiToken
from ..services import TOKEN_LIFETIMES_DAYS, api_token_create, api_token_revoke
from .common import READ_ERRORS, WRITE_ERRORS, ApiModelSerializer, TokenThrottle, errors


class TokenSerializer(ApiModelSerializer):
    """A token as listed: never its text, only the first characters (``token_key``)."""

    class Meta:
        model = ApiToken
        fields = ["token_key", "name", "created", "expiry"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    """Input of a new token: its name and lifetime in days (null: until revoked)."""

    name = serializers.CharField(max_length=80)
    expires_in_days = serializers.ChoiceField(
        choices=[d for d in TOKEN_LIFETIMES_DAYS if d], allow_null=True, default=90
    )


class TokenCreatedSerializer(TokenSerializer):
    """A new token with its text, shown this once."""

    token = serializers.CharField(read_only=True)

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List my API tokens",
        description="The caller's live tokens, newest first. The token text is never shown.",
        responses={200: TokenSerializer(many=True), **errors(401, 429)},
    ),
    create=extend_schema(
        summary="Create an API token",
        description=(
            "Creates a named token for the caller. The answer holds the token text once: "
            "only its SHA-512 digest is stored. Send it as `Authorization: Token <token>`."
        ),
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer, **errors(*WRITE_ERRORS, 429)},
        examples=[
            OpenApiExample(
                "HR sync token",
                value={"name": "HR sync", "expires_in_days": 365},
                request_only=True,
            ),
            OpenApiExample(
                "Created",
                value={
                    "token_key": "so_3f9c2a1b7d0e",
                    "name": "HR sync",
                    "created": "2026-12-07T09:30:00+08:00",
                    "expiry": "2027-12-07T09:30:00+08:00",
                    "token": "so_3f9c2a1b7d0e…",
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    ),
    destroy=extend_schema(
        summary="Revoke an API token",
        description="Deletes one of the caller's tokens; requests with it fail from now on.",
        responses={204: None, **errors(*READ_ERRORS, 429)},
    ),
)
class TokenViewSet(
    mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet[ApiToken]
):
    """The caller's API tokens; throttled per user (``tokens`` rate)."""

    serializer_class = TokenSerializer
    throttle_classes = [TokenThrottle]
    lookup_field = "token_key"
    lookup_value_regex = r"[A-Za-z0-9_]+"
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return ApiToken.objects.filter(user=self.request.user).order_by("-created")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, text = api_token_create(
            user=request.user,  # type: ignore[arg-type]
            name=data.validated_data["name"],
            expires_in_days=data.validated_data["expires_in_days"],
        )
        body = dict(TokenSerializer(token).data)
        body["token"] = text
        return Response(body, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not api_token_revoke(user=request.user, token_key=kwargs["token_key"]):  # type: ignore[arg-type]
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
