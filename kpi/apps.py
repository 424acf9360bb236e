from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    """Targets, KPI snapshots and dashboards."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "kpi"
    verbose_name = _("KPIs")

    def ready(self) -> None:
        # Lower layers announce changes; kpi schedules its recomputes (docs/architecture.md).
        from salesops.events import (
            ActivityRecorded,
            CustomerChanged,
            HistoryImported,
            ImportCompleted,
            MembershipChanged,
            SharedInputsChanged,
            TargetsChanged,
            subscribe,
        )

        from . import services, tasks  # noqa: F401  (registers the tasks services queue)

        subscribe(CustomerChanged, services.on_customer_changed)
        subscribe(ActivityRecorded, services.on_activity_recorded)
        subscribe(ImportCompleted, services.on_import_completed)
        subscribe(HistoryImported, services.on_history_imported)
        subscribe(MembershipChanged, services.on_membership_changed)
        subscribe(TargetsChanged, services.on_targets_changed)
        subscribe(SharedInputsChanged, services.on_shared_inputs_changed)

        # The audit log (accounts/audit.py): targets and monthly analyses.
        from accounts.audit import audit_register

        from .models import MonthlyAnalysis, Target

        audit_register(Target)
        audit_register(
            MonthlyAnalysis,
            include_fields=["status", "submitted_at", "reviewed_at", "reviewed_by", "revision"],
            link="kpi:analysis_detail",
        )
