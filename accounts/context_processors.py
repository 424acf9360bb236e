"""Template context shared by every page: the role menu, the unread count and, for admins,
the years the work calendar does not know the holidays of (from December 1st, the coming one)."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .calendar import uncovered_years
from .models import Notification
from .navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """``nav_items`` (``nav_more``: those under "More"), ``unread_count``, ``scope`` and
    (admins) ``calendar_gaps`` for logged-in users; empty otherwise. ``calendar_gaps`` lists
    uncovered years (``accounts.calendar.uncovered_years``); reading it costs the request's
    one calendar query.

    ``nav_items`` (a list of dicts) and ``unread_count`` (an int) are computed when a
    template first reads them, so a fragment without the menu (an htmx answer such as the
    autosave's status line) costs no query for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = request.scope  # type: ignore[attr-defined]
    items = SimpleLazyObject(lambda: menu_for(scope))
    return {
        "scope": scope,
        "nav_items": items,
        "nav_more": SimpleLazyObject(lambda: [i for i in items if i["more"]]),
        "unread_count": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
        ),
        "calendar_gaps": (lambda: uncovered_years(scope.day)) if scope.is_admin else (),
    }
