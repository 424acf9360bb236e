"""The navigation menu per role (docs/domain section 10).

Each entry names a URL; entries whose URL does not exist yet are skipped, so an
app adds itself to the menu by adding its URL and a line here. Entries used now and then
(setup and administration) go under "More", so the top row fits a 1280 px laptop screen
for every role in both languages (``accounts/tests/test_menu_browser.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .scoping import Scope


@dataclass(frozen=True)
class NavItem:
    """One menu entry: label, URL name and the roles that see it; ``allowed``, when
    given, is the page's own access rule on the scope, so the entry shows exactly to
    those the page lets in (whatever their primary role); ``more`` puts it under the
    "More" dropdown, for every role (True) or for the roles listed."""

    label: str | Promise
    url_name: str
    roles: frozenset[str]
    allowed: Callable[[Scope], bool] | None = None
    more: bool | frozenset[str] = False


def _imports_history(scope: Scope) -> bool:
    """Who may import history (the page's check, ``journals.history_import.service``,
    ``history_check_can_import``): admins and supervisors."""
    return scope.is_admin or scope.is_supervisor


def _reads_people(scope: Scope) -> bool:
    """Who may open the people area (the page's check, ``accounts.people``,
    ``people_check_can_read``): admins and managers."""
    return scope.is_admin or scope.is_manager


ALL = frozenset({"rep", "supervisor", "manager", "admin"})
LEADS = frozenset({"supervisor", "manager", "admin"})

MENU: tuple[NavItem, ...] = (
    NavItem(_("Today"), "journals:today", frozenset({"rep"})),
    NavItem(_("Team today"), "journals:inbox", frozenset({"supervisor", "admin"})),
    NavItem(_("Morning meeting"), "journals:morning_meeting", frozenset({"supervisor", "admin"})),
    NavItem(_("Dashboard"), "kpi:dashboard", ALL),
    NavItem(_("Customers"), "customers:customer_list", ALL),
    NavItem(_("Projects"), "projects:project_list", ALL, more=True),
    # Supervisors and admins reach journals through "Team today" (the inbox) every day.
    NavItem(_("Journals"), "journals:journal_list", ALL, more=frozenset({"supervisor", "admin"})),
    NavItem(_("Weekly reports"), "weekly:report_list", ALL),
    NavItem(_("Weekly meeting"), "weekly:meeting", LEADS, more=True),
    NavItem(_("Coaching"), "coaching:plan_list", ALL),
    NavItem(_("Imports"), "customers:import_list", frozenset({"admin"}), more=True),
    NavItem(
        _("Import history"), "journals:history_import", ALL, allowed=_imports_history, more=True
    ),
    NavItem(_("Teams"), "accounts:team_list", LEADS, more=True),
    NavItem(_("People"), "accounts:people_list", ALL, allowed=_reads_people, more=True),
    NavItem(_("Work calendar"), "accounts:calendar", frozenset({"admin"}), more=True),
    NavItem(_("Public pool rules"), "accounts:pool_rules", frozenset({"admin"}), more=True),
)


def menu_for(scope: Scope) -> list[dict[str, str]]:
    """Menu entries for the scope's role as ``[{"label", "url", "name", "more"}]``
    (``more``: "1" for an entry under "More", else "")."""
    role = scope.primary_role
    items = []
    for item in MENU:
        if role not in item.roles or (item.allowed is not None and not item.allowed(scope)):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "label": str(item.label),
                "url": url,
                "name": item.url_name,
                "more": "1" if item.more is True or role in (item.more or ()) else "",
            }
        )
    return items
