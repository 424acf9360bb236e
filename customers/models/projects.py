"""Big-account projects (大客户项目) of group and key accounts (docs/domain, section 7): the
project, its control points and their dated updates, the decision chain, documents kept in
every version, competitors and support requests; and the organisation's list of control
points. Codes and labels come from ``domain.projects``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.labels import choices_of, current_label
from accounts.scoping import ScopedQuerySet
from accounts.uploads import UnguessableName
from domain import projects as rules

from .customer import MONEY, Contact, Customer

_USER = settings.AUTH_USER_MODEL


class ControlPointDefinition(models.Model):
    """One control point of the organisation's list (an organisation setting): new projects
    get one point per active definition, in ``position`` order."""

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("project control point setting")
        verbose_name_plural = _("project control point settings")

    def __str__(self) -> str:
        return current_label(self.name_zh, self.name_en)


class ProjectQuerySet(ScopedQuerySet["Project"]):
    """Projects: seen by their owner, the team's viewers (supervisors, managers above) and
    admins; changed by the owner or the team's supervisor (docs/domain, section 7). The one
    scoping rule of the model (``accounts.scoping.ScopedQuerySet``)."""

    scope_owner_field = "owner"
    scope_team_field = "team"
    scope_editors = "owner_or_supervisor"


class Project(models.Model):
    """A big-account project: a customer of the group segment, an owner rep, an expected
    value (CNY a month once signed) and signing date, and a status."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(_("project name"), max_length=200)
    owner = models.ForeignKey(
        _USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="projects"
    )
    team = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    expected_value = models.DecimalField(_("expected monthly value (CNY)"), **MONEY)
    expected_signing = models.DateField(_("expected signing date"))
    status = models.CharField(
        _("status"), max_length=10, choices=choices_of(rules.PROJECT_STATUSES), default="open"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        _USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["expected_signing", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [models.Index(fields=["team", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_value__gte=0), name="customers_project_value_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ControlPoint(models.Model):
    """One control point of a project, copied from the organisation's list when the project
    was created (so a later change of the list leaves running projects alone)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="points"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=30)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=choices_of(rules.POINT_STATUSES),
        default=rules.NOT_STARTED,
    )
    owner = models.ForeignKey(
        _USER,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    start = models.DateField(_("start"), null=True, blank=True)
    due = models.DateField(_("due date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    override_note = models.TextField(_("order override note"), blank=True)
    overridden_by = models.ForeignKey(
        _USER,
        verbose_name=_("order overridden by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["project_id", "position"]
        verbose_name = _("control point")
        verbose_name_plural = _("control points")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="customers_controlpoint_position_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The point's name in the active language."""
        return current_label(self.name_zh, self.name_en)

    def is_overdue(self, today: dt.date) -> bool:
        """Overdue on local date ``today`` (``domain.projects.is_overdue``)."""
        return rules.is_overdue(self.status, self.due, today)


class ControlPointUpdate(models.Model):
    """A dated update of a control point: what happened, and the status it moved to."""

    point = models.ForeignKey(
        ControlPoint,
        verbose_name=_("control point"),
        on_delete=models.CASCADE,
        related_name="updates",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        _USER, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=choices_of(rules.POINT_STATUSES))
    text = models.TextField(_("update"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("control point update")
        verbose_name_plural = _("control point updates")

    def __str__(self) -> str:
        return f"{self.point}: {self.status}"


class DecisionMember(models.Model):
    """A contact of the customer in the project's decision chain, with role, attitude and
    the order in which they decide (1 first)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="chain"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=choices_of(rules.DECISION_ROLES))
    attitude = models.CharField(
        _("attitude"), max_length=10, choices=choices_of(rules.ATTITUDES), default="unknown"
    )
    order = models.PositiveSmallIntegerField(_("order of decision"), default=1)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["project_id", "order", "id"]
        verbose_name = _("decision chain member")
        verbose_name_plural = _("decision chain")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "contact"], name="customers_decisionmember_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.contact)


class ProjectDocument(models.Model):
    """A proposal, agreement or other document of a project; its files are its versions."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=choices_of(rules.DOCUMENT_KINDS))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["project_id", "kind", "title", "id"]
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "title"], name="customers_projectdocument_once"
            )
        ]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    """One uploaded version of a document, stored under a random name in ``projects/``;
    served only by a view that checks the viewer's scope. Versions are never replaced."""

    document = models.ForeignKey(
        ProjectDocument,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=UnguessableName("projects"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=120)
    uploaded_by = models.ForeignKey(
        _USER,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["document_id", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="customers_documentversion_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class Competitor(models.Model):
    """A competitor on the project: their offer and our counter-measure."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="competitors"
    )
    name = models.CharField(_("competitor"), max_length=100)
    offer = models.TextField(_("their offer"), blank=True)
    counter_measure = models.TextField(_("our counter-measure"), blank=True)

    class Meta:
        ordering = ["project_id", "name", "id"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def __str__(self) -> str:
        return self.name


class SupportRequest(models.Model):
    """A request for support (technical, engineering, pricing) to the supervisor or the
    company, with its answer and who answered."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="support"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=choices_of(rules.SUPPORT_KINDS))
    addressed_to = models.CharField(
        _("addressed to"), max_length=12, choices=choices_of(rules.SUPPORT_TARGETS)
    )
    question = models.TextField(_("request"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices_of(rules.SUPPORT_STATUSES),
        default=rules.SUPPORT_OPEN,
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        _USER,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_by = models.ForeignKey(
        _USER, verbose_name=_("asked by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)

    class Meta:
        ordering = ["project_id", "-created_at", "-id"]
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")

    def __str__(self) -> str:
        return self.question[:50]
