"""The audit log: who changed what, with the old and the new value (django-auditlog).

Why django-auditlog rather than django-simple-history: one ``LogEntry`` table holds every
change of every audited model as a diff (``{"field": [old, new]}``) with the actor and the
time, which is exactly what the audit page lists and filters; simple-history would add a
full history table per model (a migration for each) and compute diffs when reading.

Each app registers its own models in its ``AppConfig.ready()`` through
:func:`audit_register`, so no layer imports a higher one. Audited: customers (owner, team,
stage, contact data), contacts, journals and weekly and team reports (status, submission,
review, evaluation; draft text autosaves are not logged), their revisions, targets,
monthly analyses, memberships, users' rights (staff, superuser, active, groups,
permissions) and groups' permissions. The actor comes from ``AuditlogMiddleware``.

Not logged: writes that bypass ``save()`` (``QuerySet.update``, ``bulk_create``), such as
the demo seed and the chunked customer import, which keeps its own job row.
"""

from __future__ import annotations

from collections.abc import Collection

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db.models import Model, QuerySet

from .audit_display import LINKS
from .scoping import Scope


def audit_register(
    model: type[Model],
    *,
    include_fields: list[str] | None = None,
    m2m_fields: Collection[str] | None = None,
    link: str | None = None,
) -> None:
    """Log every create, change and delete of ``model`` (only ``include_fields`` when given;
    ``m2m_fields`` also logs those many-to-many changes). ``link`` names the URL of an
    object's page (one ``pk`` argument), which the audit page links when the viewer sees
    the object; without it the page links the admin. Registering twice is a no-op."""
    if link:
        LINKS[model] = link
    if auditlog.contains(model):
        return
    auditlog.register(model, include_fields=include_fields, m2m_fields=m2m_fields or set())


def audit_entries(scope: Scope) -> QuerySet[LogEntry]:
    """Audit log entries the viewer may read, newest first: everything for admins,
    nothing for anyone else (the log names people and values across all teams)."""
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    # An update that recorded no field (django-auditlog writes none normally) is no change.
    entries = entries.exclude(action=LogEntry.Action.UPDATE, changes={})
    return entries if scope.is_admin else entries.none()


def register_account_models() -> None:
    """Memberships, users' rights and groups' permissions (called by AccountsConfig)."""
    from django.contrib.auth.models import Group

    from .models import Membership, User

    audit_register(Membership)
    audit_register(
        User,
        include_fields=["username", "is_active", "is_staff", "is_superuser", "display_name"],
        m2m_fields={"groups", "user_permissions"},
    )
    audit_register(Group, m2m_fields={"permissions"})
