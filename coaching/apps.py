from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    """Diagnosis findings, coaching plans and recognition."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "coaching"
    verbose_name = _("Coaching")

    def ready(self) -> None:
        from accounts.hooks import register_member_findings
        from salesops.events import SnapshotsChanged, subscribe

        from .selectors import findings_by_rep
        from .tasks import diagnose_after_snapshots

        register_member_findings(findings_by_rep)
        subscribe(SnapshotsChanged, diagnose_after_snapshots)
