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
        from django.contrib.auth.signals import user_logged_in

        from . import tasks  # noqa: F401
        from .middleware import mark_session_refreshed

        # A login counts as the session's last write (accounts.middleware).

        user_logged_in.connect(mark_session_refreshed, dispatch_uid="accounts.session_refreshed")
