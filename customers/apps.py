from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """Customer files, funnel stages, revenue and imports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        # Registers customers.import_job_run, which the import service enqueues by name.
        # The audit log (accounts/audit.py): customer files and their contacts.
        from accounts.audit import audit_register
        from accounts.hooks import register_leaver_handover, register_team_panel

        from . import tasks  # noqa: F401
        from .models import Contact, Customer
        from .projects.selectors import team_panel

        register_team_panel(team_panel)
        # The people area's leaver step hands customers over here (accounts.people).
        from .bulk import leaver_customer_count, leaver_customer_teams, leaver_handover

        register_leaver_handover(leaver_customer_count, leaver_handover, leaver_customer_teams)

        audit_register(
            Customer,
            include_fields=[
                "name",
                "short_name",
                "credit_code",
                "owner",
                "team",
                "stage",
                "address",
                "website",
                "province",
                "city",
                "pool_since",
            ],
            link="customers:customer_detail",
        )
        audit_register(Contact)
