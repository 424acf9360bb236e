"""Walk every URL pattern of the project (``get_resolver()``) and fill in its arguments
from the access-matrix world, for the access-matrix and fuzz tests."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from .world import World


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full name (``app:name`` or the admin's), its regex-free route
    text and the names of its arguments."""

    name: str
    route: str
    args: tuple[str, ...]
    pattern: URLPattern


def _arg_names(resolver: URLResolver, item: URLPattern) -> tuple[str, ...]:
    names = list(getattr(item.pattern, "converters", {}))
    names += list(item.pattern.regex.groupindex)
    return tuple(dict.fromkeys(names))


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            ns = namespace
            if item.namespace:
                ns = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from _walk(item, prefix + str(item.pattern), ns)
        else:
            name = item.name or f"<unnamed {prefix}{item.pattern}>"
            full = f"{namespace}:{name}" if namespace else name
            yield Route(full, prefix + str(item.pattern), _arg_names(resolver, item), item)


def all_routes() -> list[Route]:
    """Every URL pattern of the project, in resolver order (admin included)."""
    return list(_walk(get_resolver(), "", ""))


def is_admin(route: Route) -> bool:
    """True for the Django admin's own pages."""
    return route.name.startswith("admin:")


Kwargs = Callable[[World], dict[str, Any]]


def _pk(key: str) -> Kwargs:
    return lambda w: {"pk": w.objects[key].pk}


#: Which object of the world each URL with arguments points at (by URL name).
ARGUMENTS: dict[str, Kwargs] = {
    "accounts:password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "set-password"},
    # A user who exists on every database (PostgreSQL does not reuse ids after a flush).
    "admin:auth_user_password_change": lambda w: {"id": str(w.org.rep.pk)},
    "accounts:team_detail": lambda w: {"code": w.objects["team"].code},
    # An unknown feed token: the feed answers 404 to everyone (the token is the credential).
    "journals:calendar_feed": lambda w: {"token": "not-a-feed-token"},
    "accounts:team_channels": lambda w: {"code": w.objects["team"].code},
    "accounts:team_channel_test": lambda w: {"code": w.objects["team"].code},
    "accounts:team_channel_delete": lambda w: {"code": w.objects["team"].code},
    "accounts:team_edit": lambda w: {"code": w.objects["team"].code},
    "accounts:person_detail": lambda w: {"pk": w.org.rep.pk},
    "accounts:person_edit": lambda w: {"pk": w.org.rep.pk},
    "accounts:person_move": lambda w: {"pk": w.org.rep.pk},
    "accounts:person_deactivate": lambda w: {"pk": w.org.rep.pk},
    "accounts:person_reset_link": lambda w: {"pk": w.org.rep.pk},
    "kpi:team_dashboard": lambda w: {"code": w.objects["team"].code},
    "kpi:branch_dashboard": lambda w: {"code": w.org.north.code},
    "kpi:rep_dashboard": lambda w: {"username": w.org.rep.username},
    "kpi:target_edit": lambda w: {
        "code": w.objects["team"].code,
        "month": w.objects["month"].key,
    },
    "kpi:run_status": _pk("run"),
    "coaching:rep_findings": lambda w: {"user_id": w.org.rep.pk},
    "weekly:team_report": lambda w: {
        "code": w.objects["team"].code,
        "week": w.objects["week"].key,
    },
    "weekly:team_chase": lambda w: {
        "code": w.objects["team"].code,
        "week": w.objects["week"].key,
    },
    "weekly:team_report_export": lambda w: {
        "code": w.objects["team"].code,
        "week": w.objects["week"].key,
    },
    "journals:comment_edit": _pk("journal_comment"),
    "journals:comment_delete": _pk("journal_comment"),
    "weekly:comment_edit": _pk("weekly_comment"),
    "weekly:comment_delete": _pk("weekly_comment"),
    "weekly:team_comment_edit": _pk("team_comment"),
    "weekly:team_comment_delete": _pk("team_comment"),
    "kpi:analysis_comment_edit": _pk("analysis_comment"),
    "kpi:analysis_comment_delete": _pk("analysis_comment"),
    "journals:plan_item_remove": _pk("plan_item"),
    "journals:visit_from_plan": _pk("plan_item"),
    # The Today editor's writes, keyed by the journal's day (each persona's own journal).
    "journals:day_autosave": lambda w: {"day": w.objects["journal"].day.isoformat()},
    "journals:day_plan": lambda w: {"day": w.objects["journal"].day.isoformat()},
    "journals:day_visit": lambda w: {"day": w.objects["journal"].day.isoformat()},
    "journals:day_submit": lambda w: {"day": w.objects["journal"].day.isoformat()},
    # /journals/<journal pk>/visits/: named like the visit pages but takes the journal.
    "journals:visit_add": _pk("journal"),
    # /journals/customers/<customer pk>/contact/: log a call, WeChat or e-mail.
    "journals:contact_add": _pk("customer"),
    "weekly:key_customer_remove": _pk("key_customer"),
    "weekly:team_key_customer_remove": _pk("team_key_customer"),
    "weekly:key_coachee_edit": _pk("coachee"),
    "weekly:key_coachee_remove": _pk("coachee"),
    # The REST API (/api/v1/): objects the world has, or ids nobody can see.
    "api:user-detail": lambda w: {"pk": w.org.rep.pk},
    "api:user-deactivate": lambda w: {"pk": w.org.rep.pk},
    "api:unit-detail": lambda w: {"pk": w.objects["team"].pk},
    "api:membership-detail": lambda w: {"pk": w.org.rep.memberships.all()[0].pk},
    "api:membership-end": lambda w: {"pk": w.org.rep.memberships.all()[0].pk},
    "api:token-detail": lambda w: {"token_key": "so_none"},
    "accounts:token_revoke": lambda w: {"key": "so_none"},
    "api:target-detail": lambda w: {"pk": 999999},
    "projects:point_update": lambda w: {
        "pk": w.objects["project"].pk,
        "position": w.objects["point"].position,
    },
    "projects:chain_remove": lambda w: {
        "pk": w.objects["project"].pk,
        "member": w.objects["chain_member"].pk,
    },
    "projects:document_download": _pk("document_version"),
    "api:project-point": lambda w: {
        "pk": w.objects["project"].pk,
        "position": w.objects["point"].position,
    },
    "api:project-chain-remove": lambda w: {
        "pk": w.objects["project"].pk,
        "member": w.objects["chain_member"].pk,
    },
    "api:project-support-answer": lambda w: {
        "pk": w.objects["project"].pk,
        "request_id": w.objects["support_request"].pk,
    },
    "projects:support_answer": _pk("support_request"),
}

#: For URLs with a ``pk`` not listed above: the object by URL-name prefix.
PK_BY_PREFIX: list[tuple[str, str]] = [
    ("journals:visit_", "visit"),
    ("journals:", "journal"),
    ("customers:import_", "import_job"),
    ("customers:", "customer"),
    ("coaching:finding_", "finding"),
    ("coaching:", "plan"),
    ("kpi:analysis_", "analysis"),
    ("weekly:team_report_", "team_report"),
    ("weekly:team_key_customer_add", "team_report"),
    ("weekly:key_coachee_add", "team_report"),
    ("weekly:", "report"),
    ("projects:", "project"),
    ("api:customer-", "customer"),
    ("api:journal-", "journal"),
    ("api:plan-item-", "plan_item"),
    ("api:visit-", "visit"),
    ("api:import-job-", "import_job"),
    ("api:project-", "project"),
    ("api:finding-", "finding"),
    ("api:coaching-plan-", "plan"),
    ("api:team-weekly-report-", "team_report"),
    ("api:weekly-report-", "report"),
    ("api:notification-", "notification"),
]


def kwargs_for(route: Route, world: World) -> dict[str, Any]:
    """The arguments of ``route`` pointing at the world's objects; KeyError when unknown."""
    if not route.args:
        return {}
    if route.name in ARGUMENTS:
        return ARGUMENTS[route.name](world)
    if route.args == ("pk",):
        for prefix, key in PK_BY_PREFIX:
            if route.name.startswith(prefix):
                return {"pk": world.objects[key].pk}
    if is_admin(route):
        return {name: ("accounts" if name == "app_label" else "1") for name in route.args}
    raise KeyError(f"no arguments declared for {route.name} ({route.route})")


def path_for(route: Route, world: World) -> str:
    """The request path of ``route`` with the world's arguments filled in."""
    from django.urls import reverse

    if "<unnamed" in route.name:
        text = re.sub(r"<[^>]+>", "1", route.route)
        return "/" + text.replace("^", "").replace("$", "")
    return reverse(route.name, kwargs=kwargs_for(route, world) or None)
