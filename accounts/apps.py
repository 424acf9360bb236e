from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, the organisation tree, memberships, scoping and notifications."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The audit log (accounts/audit.py): memberships, users' rights, groups.
        from .audit import register_account_models

        register_account_models()
        # The channel delivery task is queued by name (accounts/delivery.py).
        from . import tasks  # noqa: F401
