"""Import jobs: a customer or revenue file from upload to the written rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope, ScopedQuerySet
from accounts.uploads import UnguessableName


class ImportJobQuerySet(ScopedQuerySet["ImportJob"]):
    """Import jobs: seen and changed by admins only. The one scoping rule of the model
    (``accounts.scoping.ScopedQuerySet``)."""

    scope_owner_field = None
    scope_team_field = None
    scope_editors = "admin"

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        """Whether ``scope`` may start an import (and so use the import pages and API at
        all): the same people who may change a job, admins (docs/domain, section 1)."""
        return scope.is_authenticated and scope.is_admin


class ImportJob(models.Model):
    """One import of a customer or revenue file: options, progress, counts and errors.

    Claimed by a worker with a conditional update (status pending -> running), so a
    re-delivered task does not run it twice.
    """

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        REVENUE = "revenue", _("Monthly revenue")

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Awaiting confirmation")
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", _("Skip the row")
        UPDATE = "update", _("Update the existing customer")
        CREATE = "create", _("Create anyway")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW, db_index=True
    )
    file = models.FileField(_("file"), upload_to=UnguessableName("imports"))
    original_name = models.CharField(_("file name"), max_length=255)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    on_duplicate = models.CharField(
        _("when a customer already exists"),
        max_length=10,
        choices=OnDuplicate.choices,
        default=OnDuplicate.SKIP,
    )
    date_order = models.CharField(_("date order"), max_length=3, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # None: detected from the file; 0: the file has no header row; N: row N (1-based).
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    # The language of whoever started the import ('' = the site's): the error workbook is
    # written in it; a reader in another language gets one made in theirs.
    language = models.CharField(_("language"), max_length=12, blank=True)
    team = models.ForeignKey(
        "accounts.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Straight into the public pool (公海): new customers get no owner, whatever the file
    # or the owner option says (docs/domain, section 5, Imports).
    to_pool = models.BooleanField(_("into the public pool"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    duplicate_count = models.PositiveIntegerField(_("skipped as duplicate"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    error_file = models.FileField(
        _("error workbook"), upload_to=UnguessableName("imports/errors"), blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Recovery (customers.import_service.recovery): the last sign of life of the worker
    # running the job (or when it was queued), and how often it was re-queued.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        """0-100: processed rows over total rows; 100 when done."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_finished(self) -> bool:
        """True once the job is done or failed."""
        return self.status in {self.Status.DONE, self.Status.FAILED}
