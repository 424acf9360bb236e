from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    """Diagnosis findings, coaching plans and recognition."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "coaching"
    verbose_name = _("Coaching")
