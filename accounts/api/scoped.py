"""The one shape of the REST API's scoped viewsets (docs/architecture.md, Conventions: the
REST API): rows come from the app's selector through the caller's scope, so a row outside the
scope is a 404 exactly as on the pages, and a write's row is checked against its model's
scoping rule (``accounts.scoping.ScopedQuerySet``) before the page's checks and service.

Kept apart from ``accounts/api/common.py``, which DRF's settings import while
``rest_framework.viewsets`` is still loading.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, mixins, viewsets

from ..scoping import Scope, ScopedQuerySet
from .common import IdLookupMixin, scope_of

_M = TypeVar("_M", bound=Model)


class ScopedGenericViewSet(IdLookupMixin, viewsets.GenericViewSet[_M]):
    """The one shape of every API viewset over scoped rows: the rows are what
    :meth:`scoped_queryset` gives for the caller's scope (:func:`scope_of`, token callers
    included), so a row outside the scope is a 404 exactly as on the pages; a path id that
    is not a number in 1..:data:`MAX_ID` is a 404 before any query (:class:`IdLookupMixin`).

    Subclasses implement :meth:`scoped_queryset` from the app's selector (or the model's
    ``objects.visible_to(scope)``); a write fetches its row with
    :meth:`get_editable_object` (403 when visible but read-only to the caller) and then
    calls the app's ``..._check_can_...`` and service, like the page.
    """

    def scoped_queryset(self, scope: Scope) -> QuerySet[_M]:
        """The rows ``scope`` may read, with what the serializer needs joined in."""
        raise NotImplementedError

    @property
    def scope(self) -> Scope:
        """The caller's scope (see :func:`scope_of`)."""
        return scope_of(self.request)

    def get_queryset(self) -> QuerySet[_M]:
        return self.scoped_queryset(self.scope)

    def get_editable_object(self) -> _M:
        """The path's row (404 outside the scope) when the caller may change it by its
        model's rule (``accounts.scoping.ScopedQuerySet.editable_by``), else 403."""
        row: _M = self.get_object()
        rows = type(row)._default_manager.all()
        if isinstance(rows, ScopedQuerySet) and not type(rows).can_edit(row, self.scope):
            raise exceptions.PermissionDenied(_("You may read this but not change it."))
        return row


class ScopedReadOnlyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet[_M]
):
    """List and retrieve of scoped rows (see :class:`ScopedGenericViewSet`): the read-only
    API of journals, visits, plan items, weekly and team weekly reports, findings, coaching
    plans, people, units and memberships. Writes are added per viewset as actions or
    mixins that call the page's checks and services."""
