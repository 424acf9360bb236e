"""Django admin writes that feed figures announce themselves like the services do.

The admin (``/admin/``) saves and deletes rows directly, past the services that publish
the domain events the KPIs listen to (docs/architecture.md, "Events", "Incremental
recompute"). :class:`AnnouncingAdmin` closes that gap for every admin of a model whose
rows feed figures: after the admin saved or deleted rows of a model listed in its
``announce`` map (its own model, or an inline's), it publishes the events that map's
function gives for each row **as it was before** (an edit can move a visit to another day or
a stage change to another team) **and as it is after**, once per distinct event. Events are
delivered after the admin's transaction commits (``salesops.events.publish``).

The functions live beside their models' services (``customers.figure_events``,
``journals.figure_events``, ``accounts.figure_events``, ``kpi.targets.target_events``);
each takes one row and returns events, reading at most a few rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from salesops.events import publish

EventsOf = Callable[[Any], Iterable[object]]
"""One row -> the domain events a change of it means for the figures."""


class AnnouncingAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes (also bulk deletes and inline rows) publish the
    events of ``announce`` (model class -> :data:`EventsOf`) for the rows written."""

    announce: Mapping[type[Model], EventsOf] = {}

    def _events(self, model: type[Model], rows: Iterable[Model]) -> set[object]:
        events_of = self.announce.get(model)
        if events_of is None:
            return set()
        return {event for row in rows for event in events_of(row)}

    def _stored(self, model: type[Model], pks: list[Any]) -> list[Model]:
        """The rows ``pks`` as the database holds them now (before the admin's write)."""
        return list(model._default_manager.filter(pk__in=pks)) if pks else []

    @staticmethod
    def _publish(events: set[object]) -> None:
        for event in sorted(events, key=repr):
            publish(event)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        model = type(obj)
        before = self._events(model, self._stored(model, [obj.pk])) if change else set()
        super().save_model(request, obj, form, change)
        self._publish(before | self._events(model, [obj]))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        events = self._events(type(obj), [obj])
        super().delete_model(request, obj)
        self._publish(events)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        events = self._events(queryset.model, queryset)
        super().delete_queryset(request, queryset)
        self._publish(events)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        model = formset.model
        if model not in self.announce:
            super().save_formset(request, form, formset, change)
            return
        touched = [
            f.instance.pk
            for f in formset.initial_forms
            if f.instance.pk is not None and (f.has_changed() or f in formset.deleted_forms)
        ]
        before = self._events(model, self._stored(model, touched))
        super().save_formset(request, form, formset, change)
        saved = [*formset.new_objects, *(row for row, _fields in formset.changed_objects)]
        self._publish(before | self._events(model, saved))
