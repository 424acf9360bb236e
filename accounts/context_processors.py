"""Template context shared by every page: the role menu and the unread count."""

from django.http import HttpRequest

from .models import Notification
from .navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """``nav_items``, ``unread_count`` and ``scope`` for logged-in users; empty otherwise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = request.scope  # type: ignore[attr-defined]
    return {
        "scope": scope,
        "nav_items": menu_for(scope),
        "unread_count": Notification.objects.filter(user=user, read_at__isnull=True).count(),
    }
