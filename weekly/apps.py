from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeeklyConfig(AppConfig):
    """Personal and team weekly reports and the weekly meeting."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "weekly"
    verbose_name = _("Weekly reports")

    def ready(self) -> None:
        # The audit log (accounts/audit.py): submission, review and evaluation of personal
        # and team reports, and revisions; draft edits are not logged.
        from accounts.audit import audit_register

        from .models import TeamWeeklyReport, WeeklyReport, WeeklyReportRevision

        fields = ["status", "submitted_at", "reviewed_at", "reviewed_by", "revision"]
        audit_register(
            WeeklyReport, include_fields=[*fields, "evaluation"], link="weekly:report_detail"
        )
        audit_register(TeamWeeklyReport, include_fields=fields)
        audit_register(WeeklyReportRevision)
