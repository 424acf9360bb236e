"""Read receipts (已读) of journals and each user's private calendar feed token
(docs/domain, section 3); re-exported from ``journals.models``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JournalRead(models.Model):
    """Who read a submitted journal and when (已读): one row per reader, first and last
    read. The author's own views are not recorded."""

    journal = models.ForeignKey(
        "journals.Journal",
        verbose_name=_("journal"),
        on_delete=models.CASCADE,
        related_name="reads",
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    first_read_at = models.DateTimeField(_("first read"))
    last_read_at = models.DateTimeField(_("last read"))

    class Meta:
        ordering = ["journal_id", "first_read_at", "id"]
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["journal", "reader"], name="journals_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.journal_id} {self.reader_id}"


class CalendarFeed(models.Model):
    """A user's private iCal feed of planned visits and next steps: the unguessable
    ``token`` in its URL is the only credential, so it can be revoked (replaced)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user_id)
