from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalsConfig(AppConfig):
    """Daily work journals, visits, the morning meeting and reminders."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "journals"
    verbose_name = _("Journals")

    def ready(self) -> None:
        # The audit log (accounts/audit.py): a journal's submission, review and evaluation,
        # and each revision (the text as submitted or amended); draft autosaves are not logged.
        from accounts.audit import audit_register

        from .models import Journal, JournalRevision

        audit_register(
            Journal,
            include_fields=[
                "status",
                "submitted_at",
                "is_late",
                "evaluation",
                "evaluated_by",
                "reviewed_at",
                "reviewed_by",
                "revision",
            ],
            link="journals:journal_detail",
        )
        audit_register(JournalRevision)
