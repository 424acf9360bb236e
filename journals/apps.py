from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalsConfig(AppConfig):
    """Daily work journals, visits, the morning meeting and reminders."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "journals"
    verbose_name = _("Journals")
