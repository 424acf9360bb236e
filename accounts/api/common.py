"""Plumbing every app's API shares (docs/architecture.md, Conventions): the caller's
scope, pagination, JSON errors with field messages, optimistic concurrency with
``ETag``/``If-Match``, throttles and the schema's error responses.

It lives in ``accounts`` (the lowest Django app), so every higher app may import it. The
shared base of the scoped viewsets is beside it in ``accounts/api/scoped.py``: this module is
loaded by DRF's settings (the pagination class) while ``rest_framework.viewsets`` is still
being imported, so it must not import the viewsets itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import MutableMapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from ..scoping import Scope, scope_for

#: The largest id a path or filter may name (a PostgreSQL integer); more is "not found"
#: or a field error, never a database error.
MAX_ID = 2**31 - 1


class IdFilter(django_filters.NumberFilter):
    """A filter on an integer id: 1 to :data:`MAX_ID`, else a 400 field error."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """A serializer field holding an id (1 to :data:`MAX_ID`)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class IdLookupMixin:
    """For a viewset looked up by integer id: a path id that is not a number between 1
    and :data:`MAX_ID` answers 404 before any query."""

    def get_object(self) -> Any:
        kwarg = self.lookup_url_kwarg or self.lookup_field  # type: ignore[attr-defined]
        raw = str(self.kwargs.get(kwarg, ""))  # type: ignore[attr-defined]
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
            raise Http404
        return super().get_object()  # type: ignore[misc]


def scope_of(request: Request | HttpRequest) -> Scope:
    """The caller's :class:`accounts.scoping.Scope` for today.

    ``request.scope`` (the middleware's) is used when it belongs to the authenticated
    user; a token-authenticated request (the user is known only once DRF authenticated
    it) gets its scope built here, once, and cached on the request.
    """
    user = request.user
    cached = getattr(request, "_api_scope", None)
    if cached is not None and cached.user_id == user.pk:
        return cached
    scope = scope_for(user)
    request._api_scope = scope  # type: ignore[union-attr]
    return scope


class ApiModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer, except that a read-only field with choices keeps
    ``allow_blank`` when its model field may be blank, so the schema's enum lists ``""``
    (DRF drops it from read-only fields, and the answer would then break the schema)."""

    def include_extra_kwargs(
        self, kwargs: MutableMapping[str, Any], extra_kwargs: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        blank = kwargs.get("allow_blank")
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank and "choices" in kwargs:
            kwargs["allow_blank"] = True
        return kwargs


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M`` (default 50, at most 200); answers ``count``, ``next``,
    ``previous`` and ``results``."""

    page_size_query_param = "page_size"
    max_page_size = 200


class PreconditionFailed(exceptions.APIException):
    """412: the resource changed since the caller read it (``If-Match`` is stale)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "This record was changed by someone else since you read it. Read it again and retry."
    )
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    """428: a write to a versioned resource came without ``If-Match``."""

    status_code = 428
    default_detail = _(
        "Send the ETag you read in an If-Match header, so that nobody's change is overwritten."
    )
    default_code = "precondition_required"


def etag_of(data: Any) -> str:
    """A strong ETag (quoted SHA-256, 32 hex digits) of a resource's representation."""
    raw = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def check_if_match(request: Request, current_etag: str, *, required: bool = True) -> None:
    """Raise 428 when ``If-Match`` is missing (and ``required``), 412 when it does not
    name ``current_etag`` (``*`` matches anything)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        if required:
            raise PreconditionRequired
        return
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    if "*" not in tags and current_etag not in tags:
        raise PreconditionFailed


class VersionedMixin(IdLookupMixin):
    """For a ``GenericViewSet``: ``retrieve`` answers an ``ETag``; ``update`` and
    ``partial_update`` need a matching ``If-Match`` (see :func:`check_if_match`) and
    answer the new ``ETag``. The tag is computed from the output serializer's data,
    so any change of the record changes it."""

    def representation(self, instance: Any) -> dict[str, Any]:
        """The output representation of ``instance`` (what the ETag covers)."""
        return dict(self.get_serializer(instance).data)  # type: ignore[attr-defined]

    def respond_with_etag(self, instance: Any, code: int = status.HTTP_200_OK) -> Response:
        """A response with the representation of ``instance`` and its ``ETag``."""
        data = self.representation(instance)
        return Response(data, status=code, headers={"ETag": etag_of(data)})

    def require_current(self, request: Request, instance: Any, *, required: bool = True) -> None:
        """412/428 unless ``If-Match`` names the current version of ``instance``."""
        check_if_match(request, etag_of(self.representation(instance)), required=required)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.respond_with_etag(self.get_object())


def _messages(error: DjangoValidationError) -> dict[str, list[str]] | list[str]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def _api_error(request: HttpRequest, status_code: int, message: str) -> HttpResponse | None:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status_code)
    return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 raised outside a view (e.g. too many form fields): JSON under ``/api/``."""
    return _api_error(request, 400, str(_("Bad request."))) or defaults.bad_request(
        request, exception
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 raised outside an API view: JSON under ``/api/``."""
    return _api_error(
        request, 403, str(_("You do not have permission to perform this action."))
    ) or defaults.permission_denied(request, exception)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a Django ``ValidationError`` raised by a service becomes a 400
    whose body maps field names to lists of messages (``non_field_errors`` for the
    rest), and a Django ``PermissionDenied`` keeps its message. Messages are in the
    request's language (LocaleMiddleware)."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_messages(exc))
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc.args[0]))
    return drf_exception_handler(exc, context)


class TokenThrottle(UserRateThrottle):
    """Token endpoints: ``tokens`` rate per user (settings.REST_FRAMEWORK)."""

    scope = "tokens"


class LoginThrottle(SimpleRateThrottle):
    """Login attempts per client address (``login`` rate). Used by the login page."""

    scope = "login"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUserThrottle(SimpleRateThrottle):
    """Login attempts per client address and user name (``login_user`` rate)."""

    scope = "login_user"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        username = str(request.POST.get("username", "")).strip().lower()[:150]
        ident = f"{self.get_ident(request)}:{hashlib.sha256(username.encode()).hexdigest()[:16]}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --------------------------------------------------------------------------- schema


class ErrorSerializer(serializers.Serializer):
    """``{"detail": "..."}``: 401, 403, 404, 405, 412, 428, 429."""

    detail = serializers.CharField()


class FieldErrorsSerializer(serializers.Serializer):
    """400: field names (and ``non_field_errors``) mapped to lists of messages."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


ERROR_EXAMPLE = OpenApiExample(
    "Not found",
    value={"detail": "No Customer matches the given query."},
    response_only=True,
    status_codes=["404"],
)
FIELD_ERROR_EXAMPLE = OpenApiExample(
    "Field errors",
    value={"name": ["This field is required."]},
    response_only=True,
    status_codes=["400"],
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the version you read; required for PUT and PATCH.",
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema responses for the given error status codes (400 is the field-error shape)."""
    out: dict[int, OpenApiResponse] = {}
    for code in codes:
        if code == 400:
            out[code] = OpenApiResponse(FieldErrorsSerializer, description=str(_("Invalid input")))
        else:
            out[code] = OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS.get(code, ""))
    return out


_DESCRIPTIONS = {
    401: "Not authenticated",
    403: "Not allowed for this user",
    404: "Not found, or outside the caller's scope",
    405: "Method not allowed",
    412: "Changed since read (stale If-Match)",
    428: "If-Match header missing",
    429: "Too many requests",
}

READ_ERRORS = (401, 403, 404)
WRITE_ERRORS = (400, 401, 403, 404)
VERSIONED_WRITE_ERRORS = (400, 401, 403, 404, 412, 428)


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents the errors any API
    call may answer (401 not signed in, 403 not allowed, 404 not found or out of scope or
    a page past the end, 400 for bad parameters or body), in the JSON error shapes."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
            "description": ErrorSerializer.__doc__,
        },
    )
    schemas.setdefault(
        "FieldErrors",
        {
            "type": "object",
            "properties": {"non_field_errors": {"type": "array", "items": {"type": "string"}}},
            "additionalProperties": True,
            "description": FieldErrorsSerializer.__doc__,
        },
    )
    ref_error = {"$ref": "#/components/schemas/Error"}
    ref_fields = {"$ref": "#/components/schemas/FieldErrors"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in (401, 403, 404):
                responses.setdefault(str(code), {"description": _DESCRIPTIONS[code]})
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", {"description": "Invalid input"})
            # Every error answer has its JSON shape and an example of it.
            for code, response in responses.items():
                if not str(code).startswith("4"):
                    continue
                content = response.setdefault("content", {})
                media = content.setdefault(
                    "application/json", {"schema": ref_fields if code == "400" else ref_error}
                )
                if "example" not in media and "examples" not in media:
                    media["examples"] = {f"Error{code}": {"value": _error_example(int(code))}}
    return result


def _error_example(code: int) -> dict[str, Any]:
    """An example body of an error answer (in the language the schema is rendered in)."""
    if code == 400:
        return {"name": [str(_("This field is required."))]}
    details = {
        401: exceptions.NotAuthenticated.default_detail,
        403: exceptions.PermissionDenied.default_detail,
        404: exceptions.NotFound.default_detail,
        412: PreconditionFailed.default_detail,
        428: PreconditionRequired.default_detail,
        429: exceptions.Throttled.default_detail,
    }
    return {"detail": str(details.get(code, exceptions.NotFound.default_detail))}
