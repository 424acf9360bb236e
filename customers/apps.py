from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """Customer files, funnel stages, revenue and imports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        # Registers customers.import_job_run, which the import service enqueues by name.
        from . import tasks  # noqa: F401
