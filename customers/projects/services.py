"""Writes of big-account projects (docs/domain, section 7): create, control point updates
with the ordering rule, decision chain, documents, competitors, support, status.

Who may do what: the project's owner and the team's supervisors change a project (admins
too); managers only read (403). Only a supervisor of the team (or an admin) overrides the
control-point order, and only with a note. Winning a project moves its customer to deal
through :func:`customers.services.customer_change_stage`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import Scope, is_rep_of
from customers.models import (
    Competitor,
    Contact,
    ControlPoint,
    ControlPointDefinition,
    ControlPointUpdate,
    Customer,
    DecisionMember,
    DocumentVersion,
    Project,
    ProjectDocument,
    ProjectQuerySet,
    Segment,
    Stage,
    StageChange,
    SupportRequest,
)
from customers.services import customer_change_stage
from domain import projects as rules

from .documents import check_document, stored_name_is_safe

UPLOAD_FOLDER = "projects"


def control_point_definitions() -> list[ControlPointDefinition]:
    """The organisation's active control points in order; the course's list
    (``domain.projects.DEFAULT_CONTROL_POINTS``) is written the first time it is asked for."""
    rows = list(ControlPointDefinition.objects.filter(active=True))
    if rows or ControlPointDefinition.objects.exists():
        return rows
    ControlPointDefinition.objects.bulk_create(
        ControlPointDefinition(position=i, code=p.code, name_zh=p.label_zh, name_en=p.label_en)
        for i, p in enumerate(rules.DEFAULT_CONTROL_POINTS, start=1)
    )
    return list(ControlPointDefinition.objects.filter(active=True))


def project_check_can_create(*, scope: Scope) -> None:
    """Reps, supervisors and admins create projects; managers only read."""
    if scope.is_admin or scope.is_rep or scope.is_supervisor:
        return
    raise PermissionDenied(_("Only reps, supervisors and admins create projects."))


def project_check_can_edit(*, project: Project, scope: Scope) -> None:
    """Raise PermissionDenied unless the viewer owns the project or supervises its team
    (admins too): the model's rule, ``ProjectQuerySet.can_edit``. Call with a project read
    through the viewer's scope (so visible)."""
    if ProjectQuerySet.can_edit(project, scope):
        return
    raise PermissionDenied(_("Only the owner or the team's supervisor may change this project."))


@transaction.atomic
def project_create(
    *,
    scope: Scope,
    by: User,
    customer: Customer,
    owner: User,
    name: str,
    expected_value: Decimal,
    expected_signing: dt.date,
) -> Project:
    """Open a project for a group/key-account ``customer`` (visible to the viewer) owned by
    ``owner``, a rep of the customer's team; one control point per active definition.

    A rep may only open projects they own. Raises PermissionDenied or ValidationError
    (keyed by field) with the reason.
    """
    project_check_can_create(scope=scope)
    errors: dict[str, str] = {}
    if customer.segment != Segment.GROUP:
        errors["customer"] = _("Projects are for group and key accounts only.")
    if customer.team_id is None:
        errors["customer"] = _("The customer has no team.")
    elif not is_rep_of(owner, customer.team_id, scope.day):
        errors["owner"] = _("The owner must be a rep of the customer's team.")
    elif not scope.can_manage_team(customer.team_id) and owner.pk != scope.user_id:
        errors["owner"] = _("You may only open projects you own.")
    if expected_value < 0:
        errors["expected_value"] = _("The expected value cannot be negative.")
    if errors or customer.team_id is None:
        raise ValidationError(errors)
    project = Project(
        customer=customer,
        name=name.strip() or customer.name,
        owner=owner,
        team_id=customer.team_id,
        expected_value=expected_value,
        expected_signing=expected_signing,
        created_by=by,
    )
    project.full_clean()
    project.save()
    ControlPoint.objects.bulk_create(
        ControlPoint(
            project=project,
            position=d.position,
            code=d.code,
            name_zh=d.name_zh,
            name_en=d.name_en,
            owner=owner,
        )
        for d in control_point_definitions()
    )
    return project


@transaction.atomic
def point_update(
    *,
    point: ControlPoint,
    scope: Scope,
    by: User,
    status: str,
    text: str = "",
    owner: User | None = None,
    start: dt.date | None = None,
    due: dt.date | None = None,
    notes: str | None = None,
    override_note: str = "",
) -> ControlPointUpdate:
    """Record a dated update of ``point`` and set its status, owner, dates and notes.

    Ordering rule (docs/domain, section 7): ``done`` needs every earlier point done, unless
    a supervisor of the team (or an admin) overrides with ``override_note``. Raises
    ValidationError (``status``, ``override_note``, ``due``) or PermissionDenied.
    """
    project = point.project
    project_check_can_edit(project=project, scope=scope)
    if status not in {s.code for s in rules.POINT_STATUSES}:
        raise ValidationError({"status": _("Unknown status.")})
    if start and due and due < start:
        raise ValidationError({"due": _("The due date is before the start.")})
    override_note = override_note.strip()
    if status == rules.DONE and point.status != rules.DONE:
        statuses = list(project.points.order_by("position").values_list("status", flat=True))
        positions = list(project.points.order_by("position").values_list("position", flat=True))
        waiting = rules.open_predecessors(statuses, positions.index(point.position))
        if waiting:
            names = ", ".join(
                str(p) for p in project.points.filter(position__in=[positions[i] for i in waiting])
            )
            if not scope.can_manage_team(project.team_id):
                raise ValidationError(
                    {
                        "status": _(
                            "Finish the earlier control points first (%(names)s); "
                            "only the supervisor may override the order."
                        )
                        % {"names": names}
                    }
                )
            if not override_note:
                raise ValidationError(
                    {
                        "override_note": _(
                            "Earlier control points are not done (%(names)s): give a note to "
                            "override the order."
                        )
                        % {"names": names}
                    }
                )
            point.override_note = override_note
            point.overridden_by = by
    point.status = status
    point.done_at = timezone.now() if status == rules.DONE else None
    if owner is not None:
        point.owner = owner
    point.start = start if start is not None else point.start
    point.due = due if due is not None else point.due
    if notes is not None:
        point.notes = notes
    point.save()
    return ControlPointUpdate.objects.create(point=point, by=by, status=status, text=text.strip())


@transaction.atomic
def chain_add(
    *,
    project: Project,
    scope: Scope,
    role: str,
    attitude: str,
    order: int,
    contact: Contact | None = None,
    new_name: str = "",
    new_title: str = "",
    notes: str = "",
) -> DecisionMember:
    """Put a contact of the project's customer in the decision chain: an existing contact,
    or a new one named ``new_name`` (added to the customer file). Raises ValidationError."""
    project_check_can_edit(project=project, scope=scope)
    if contact is None:
        if not new_name.strip():
            raise ValidationError({"contact": _("Pick a contact or give a new contact's name.")})
        contact = Contact.objects.create(
            customer=project.customer,
            name=new_name.strip()[:100],
            title=new_title.strip()[:100],
            decision_role=role,
        )
    elif contact.customer_id != project.customer_id:
        raise ValidationError({"contact": _("The contact is not one of this customer's.")})
    if DecisionMember.objects.filter(project=project, contact=contact).exists():
        raise ValidationError({"contact": _("This contact is already in the chain.")})
    member = DecisionMember(
        project=project, contact=contact, role=role, attitude=attitude, order=order, notes=notes
    )
    member.full_clean()
    member.save()
    return member


def chain_remove(*, member: DecisionMember, scope: Scope) -> None:
    """Take a person out of the decision chain (the contact stays in the customer file)."""
    project_check_can_edit(project=member.project, scope=scope)
    member.delete()


@transaction.atomic
def document_upload(
    *, project: Project, scope: Scope, by: User, kind: str, title: str, name: str, data: bytes
) -> DocumentVersion:
    """Add a version of the document ``(kind, title)`` of ``project`` (created on its first
    upload). Every version is kept. Raises ValidationError (``file``, ``kind``, ``title``)."""
    project_check_can_edit(project=project, scope=scope)
    if kind not in {k.code for k in rules.DOCUMENT_KINDS}:
        raise ValidationError({"kind": _("Unknown document kind.")})
    accepted = check_document(name=name, data=data, max_bytes=settings.PROJECT_DOCUMENT_MAX_BYTES)
    title = title.strip() or accepted.display_name
    document, _created = ProjectDocument.objects.get_or_create(
        project=project, kind=kind, title=title[:200]
    )
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=accepted.display_name,
        size=len(data),
        content_type=accepted.content_type,
        uploaded_by=by,
    )
    version.file.save(accepted.display_name, ContentFile(data), save=False)
    if not stored_name_is_safe(version.file.name, UPLOAD_FOLDER):
        raise ValidationError({"file": _("The file could not be stored.")})
    version.save()
    return version


def competitor_add(
    *, project: Project, scope: Scope, name: str, offer: str = "", counter_measure: str = ""
) -> Competitor:
    """Record a competitor with their offer and our counter-measure."""
    project_check_can_edit(project=project, scope=scope)
    competitor = Competitor(
        project=project, name=name.strip(), offer=offer, counter_measure=counter_measure
    )
    competitor.full_clean()
    competitor.save()
    return competitor


def support_ask(
    *, project: Project, scope: Scope, by: User, kind: str, addressed_to: str, question: str
) -> SupportRequest:
    """Ask the supervisor or the company for technical, engineering or pricing support."""
    project_check_can_edit(project=project, scope=scope)
    request = SupportRequest(
        project=project, kind=kind, addressed_to=addressed_to, question=question, created_by=by
    )
    request.full_clean()
    request.save()
    return request


def support_check_can_answer(*, request: SupportRequest, scope: Scope) -> None:
    """Raise PermissionDenied unless the viewer is a supervisor of the project's team or an
    admin (docs/domain, section 7). Call with a request of a project read through the
    viewer's scope (so visible)."""
    if not scope.can_manage_team(request.project.team_id):
        raise PermissionDenied(
            _("Only the team's supervisor or an admin answers support requests.")
        )


def support_answer(
    *, request: SupportRequest, scope: Scope, by: User, answer: str
) -> SupportRequest:
    """Answer a support request: the team's supervisors and admins
    (:func:`support_check_can_answer`). Records who and when. Raises PermissionDenied, or
    ValidationError (``answer``) for a blank answer."""
    support_check_can_answer(request=request, scope=scope)
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    request.answer = answer.strip()
    request.answered_by = by
    request.answered_at = timezone.now()
    request.status = rules.SUPPORT_ANSWERED
    request.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    return request


@transaction.atomic
def project_set_status(*, project: Project, scope: Scope, by: User, status: str) -> Project:
    """Set the project's status. Winning moves the customer to deal (a stage change through
    the customer services, so KPIs and history see it); won and lost close the project."""
    project_check_can_edit(project=project, scope=scope)
    if status not in {s.code for s in rules.PROJECT_STATUSES}:
        raise ValidationError({"status": _("Unknown status.")})
    project.status = status
    project.closed_at = timezone.now() if status in (rules.WON, rules.LOST) else None
    project.save(update_fields=["status", "closed_at"])
    if status == rules.WON and project.customer.stage != Stage.DEAL:
        customer_change_stage(
            customer=project.customer,
            to_stage=Stage.DEAL,
            by=by,
            reason=_("Project won: %(name)s") % {"name": project.name},
            source=StageChange.Source.SYSTEM,
        )
    return project
