"""The audit log as people read it (docs/architecture.md, Security, "Audit log").

django-auditlog stores each change as text: ``{"owner": ["12", "15"], "stage": ["lead",
"target"]}``, with ``"None"`` for an empty value. This module turns one page of entries into
rows an admin can read: the field's translated name, choice labels instead of codes, the
names of related objects instead of their ids (one query per related model for the whole
page, not one per value), yes/no, local times, and no "None -> None" pairs (a creation
records every field, empty ones too). An entry left with nothing changed is not shown.

Each row links its object when the object still exists and the viewer may see it
(``visible_to(scope)`` for scoped models): one query per model on the page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Membership
from .scoping import Scope, ScopedQuerySet

#: URL names of the page of an audited model's object (one ``pk`` argument), registered by
#: each app with ``audit_register(..., link=...)``; models without one link to the admin.
LINKS: dict[type[models.Model], str] = {}

_EMPTY = {"", "None", "null"}


@dataclass(frozen=True)
class AuditChange:
    """One changed field: ``label`` (the translated field name), ``old`` and ``new`` as
    shown ('' for empty)."""

    label: str
    old: str
    new: str


@dataclass
class AuditRow:
    """One entry of the page: the ``entry``, its model's translated name, the changes that
    are real, and ``url`` of its object ('' when gone or not visible)."""

    entry: LogEntry
    model_label: str
    changes: list[AuditChange] = field(default_factory=list)
    url: str = ""
    action_label: str = ""
    object_label: str = ""


def action_label(action: int) -> str:
    """The entry's action in the viewer's language (auditlog's own "update" shares its
    msgid with another meaning, so these carry a context)."""
    labels = {
        LogEntry.Action.CREATE: pgettext("audit action", "created"),
        LogEntry.Action.UPDATE: pgettext("audit action", "changed"),
        LogEntry.Action.DELETE: pgettext("audit action", "deleted"),
        LogEntry.Action.ACCESS: pgettext("audit action", "viewed"),
    }
    return labels.get(action, str(action))


def _role_codes() -> dict[str, str]:
    """{role label in any of the site's languages: role code}."""
    found: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.update({str(label): value for value, label in Membership.Role.choices})
    return found


def _object_label(entry: LogEntry, model: type[models.Model] | None) -> str:
    """The object's name as stored, with a membership's role (stored in the writer's
    language: "name · role · team") in the viewer's language."""
    text = entry.object_repr or ""
    if model is Membership:
        parts = text.split(" · ")
        role = _role_codes().get(parts[1]) if len(parts) == 3 else None
        if role is not None:
            parts[1] = str(dict(Membership.Role.choices)[role])
            return " · ".join(parts)
    return text


def _offboarding(value: str) -> str:
    """A leaver's deactivation (``accounts.people.person_offboard``) stored as codes with
    values, in the viewer's language; an older entry stored as text is shown as it is."""
    try:
        data = json.loads(value)
    except ValueError:
        return value
    if not isinstance(data, dict):
        return value
    return _("%(n)d customers to %(to)s; %(m)d memberships ended on %(day)s. %(reason)s") % {
        "n": int(data.get("customers", 0)),
        "to": data.get("to") or _("the public pool"),
        "m": int(data.get("memberships", 0)),
        "day": data.get("day", ""),
        "reason": data.get("reason", ""),
    }


#: Changes written by hand (``LogEntry.objects.log_create``) under a name that is no model
#: field: their label and how their value reads.
_PSEUDO_LABELS = {"offboarding": lambda: pgettext("audit field", "Offboarding")}


def _fields(model: type[models.Model] | None) -> dict[str, models.Field]:
    if model is None:
        return {}
    return {f.name: f for f in model._meta.get_fields() if isinstance(f, models.Field)}


def _pairs(entry: LogEntry) -> Iterable[tuple[str, object, object]]:
    """(field name, old, new) of an entry; many-to-many changes as (name, '', objects)."""
    for name, values in (entry.changes_dict or {}).items():
        if isinstance(values, list | tuple) and len(values) == 2:
            yield name, values[0], values[1]
        elif isinstance(values, Mapping) and values.get("type") == "m2m":
            objects = ", ".join(str(o) for o in values.get("objects") or [])
            if values.get("operation") == "delete":
                yield name, objects, ""
            else:
                yield name, "", objects


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    return "" if text in _EMPTY else text


def _related_names(
    rows: Sequence[tuple[LogEntry, type[models.Model] | None]],
) -> dict[type[models.Model], dict[str, str]]:
    """{related model: {pk text: name}} of every foreign key value on the page, one query
    per related model."""
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for entry, model in rows:
        fields = _fields(model)
        for name, old, new in _pairs(entry):
            f = fields.get(name)
            related = f.related_model if isinstance(f, models.ForeignKey) else None
            if isinstance(related, type):
                wanted[related] |= {t for t in (_text(old), _text(new)) if t.isdigit()}
    names: dict[type[models.Model], dict[str, str]] = {}
    for related, pks in wanted.items():
        ids = [int(pk) for pk in pks if int(pk) < 2**63]
        objects = related._default_manager.filter(pk__in=ids) if ids else []
        names[related] = {str(obj.pk): str(obj) for obj in objects}
    return names


Names = dict[type[models.Model], dict[str, str]]


def _shown(f: models.Field | None, text: str, names: Names) -> str:
    """A stored value as people read it: choice label, related object's name, yes/no, local
    time; '' for empty."""
    if not text or f is None:
        return text
    if f.choices:
        labels = {str(k): str(v) for k, v in f.flatchoices}
        return labels.get(text, text)
    if isinstance(f, models.ForeignKey):
        related = f.related_model
        known = names.get(related, {}) if isinstance(related, type) else {}
        # A deleted object keeps its id, so the reader can still search for it.
        return known.get(text) or _("deleted (#%(id)s)") % {"id": text}
    if isinstance(f, models.BooleanField):
        return _("yes") if text == "True" else _("no") if text == "False" else text
    if isinstance(f, models.DateTimeField):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.UTC)
        return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")
    return text


def _label(f: models.Field | None, name: str) -> str:
    pseudo = _PSEUDO_LABELS.get(name) if f is None else None
    label = pseudo() if pseudo is not None else str(f.verbose_name) if f is not None else name
    return label[:1].upper() + label[1:]


def _links(
    rows: Sequence[tuple[LogEntry, type[models.Model] | None]], scope: Scope
) -> dict[tuple[type[models.Model], str], str]:
    """{(model, pk text): url} of the objects on the page that exist and the viewer sees."""
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for entry, model in rows:
        if model is not None and entry.action != LogEntry.Action.DELETE:
            pk = _text(entry.object_id) or _text(entry.object_pk)
            if pk.isdigit() and int(pk) < 2**63:
                wanted[model].add(int(pk))
    urls: dict[tuple[type[models.Model], str], str] = {}
    for model, ids in wanted.items():
        name = LINKS.get(model)
        if name is None and admin.site.is_registered(model):
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
        if name is None:
            continue
        rows_of = model._default_manager.all()
        if isinstance(rows_of, ScopedQuerySet):
            rows_of = rows_of.visible_to(scope)
        elif not scope.is_admin:
            continue
        for pk in rows_of.filter(pk__in=sorted(ids)).values_list("pk", flat=True):
            try:
                urls[(model, str(pk))] = reverse(name, args=[pk])
            except NoReverseMatch:
                break
    return urls


def audit_rows(entries: Iterable[LogEntry], scope: Scope) -> list[AuditRow]:
    """Readable rows of ``entries`` (one page, with ``content_type`` and ``actor`` already
    selected); entries without a real change are left out. Queries: one per related model
    named in the changes and one per model of the entries, whatever the page size."""
    page = [(entry, entry.content_type.model_class()) for entry in entries]
    names = _related_names(page)
    urls = _links(page, scope)
    rows: list[AuditRow] = []
    for entry, model in page:
        fields = _fields(model)
        changes = []
        for name, old, new in sorted(_pairs(entry), key=lambda p: p[0]):
            f = fields.get(name)
            before, after = _shown(f, _text(old), names), _shown(f, _text(new), names)
            if f is None and name == "offboarding":
                before, after = _offboarding(before), _offboarding(after)
            if before != after:
                changes.append(AuditChange(_label(f, name), before, after))
        if not changes and entry.action == LogEntry.Action.UPDATE:
            continue
        pk = _text(entry.object_id) or _text(entry.object_pk)
        rows.append(
            AuditRow(
                entry=entry,
                model_label=_label(None, str(model._meta.verbose_name))
                if model is not None
                else entry.content_type.model,
                changes=changes,
                url=urls.get((model, pk), "") if model is not None else "",
                action_label=action_label(entry.action),
                object_label=_object_label(entry, model),
            )
        )
    return rows


def audited_models() -> list[tuple[str, str]]:
    """(``app_label.model``, translated name) of every audited model, by name: the choices
    of the page's model filter."""
    from auditlog.registry import auditlog

    found = [
        (f"{m._meta.app_label}.{m._meta.model_name}", _label(None, str(m._meta.verbose_name)))
        for m in auditlog.get_models()
    ]
    return sorted(found, key=lambda pair: pair[1])
