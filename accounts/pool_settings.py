"""The organisation's follow-up escalation and public pool (公海) rules, set by admins on
one page (docs/domain, section 5, "Public pool"; the rules run in
``journals/services/escalation.py``, ``customers/pool_rules.py`` and
``customers/claim_rules.py``). All values are whole days except ``claim_limit`` (customers
per 30 days); 0 turns a step off (not ``pool_release_days``, the supervisor's manual
release threshold, nor ``reclaim_cooldown_days``, where 0 means no cooldown).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import OrgSettings, User
from .scoping import scope_for

#: The rules in the order of the page, with their labels and help.
RULES = (
    (
        "follow_up_rep_days",
        _lazy("Alert the rep after (N days)"),
        _lazy("Days after a missed next step before its rep is alerted; 0: never."),
    ),
    (
        "follow_up_supervisor_days",
        _lazy("Alert the supervisor after (M days)"),
        _lazy("Days after a missed next step before the supervisor is alerted; 0: never."),
    ),
    (
        "follow_up_pool_days",
        _lazy("Offer to the pool after (K days)"),
        _lazy(
            "Days after a missed next step before the customer goes to the team's pool; 0: never."
        ),
    ),
    (
        "pool_release_days",
        _lazy("Supervisor may release after (days)"),
        _lazy("Days without follow-up before a supervisor may release a customer."),
    ),
    (
        "auto_release_days",
        _lazy("Release automatically after (S stalled days)"),
        _lazy("Days without follow-up before a customer is released by itself; 0: never."),
    ),
    (
        "claim_limit",
        _lazy("Claim limit per rep"),
        _lazy("Customers a rep may claim from the pool in 30 days; 0: no limit."),
    ),
    (
        "reclaim_cooldown_days",
        _lazy("Reclaim cooldown (days)"),
        _lazy("Days before a rep may claim a customer they lost again; 0: none."),
    ),
)
FIELDS = tuple(name for name, _label, _help in RULES)
#: The largest number of days any rule accepts (a year).
DAYS_MAX = 365
#: The largest claim limit accepted.
CLAIM_MAX = 1000


def pool_rules_problems(values: Mapping[str, int]) -> dict[str, str]:
    """Why ``values`` (one whole number per name of :data:`FIELDS`) cannot be saved, keyed
    by field; empty when they can. Rules: each value 0..:data:`DAYS_MAX`
    (``claim_limit`` 0..:data:`CLAIM_MAX`); the escalation steps that are on come in order,
    rep alert <= supervisor alert <= pool (N <= M <= K); the supervisor's manual release
    needs at least one day; an automatic release comes no sooner than the supervisor may
    release by hand (S >= the manual release days)."""
    labels = {name: str(label) for name, label, _help in RULES}
    problems: dict[str, str] = {}
    for name in FIELDS:
        top = CLAIM_MAX if name == "claim_limit" else DAYS_MAX
        value = values[name]
        if value < 0 or value > top:
            problems[name] = _("%(field)s must be between 0 and %(max)d.") % {
                "field": labels[name],
                "max": top,
            }
    if problems:
        return problems
    if values["pool_release_days"] < 1:
        problems["pool_release_days"] = _("A supervisor may release after 1 day at the earliest.")
    order = ("follow_up_rep_days", "follow_up_supervisor_days", "follow_up_pool_days")
    on = [name for name in order if values[name]]
    for earlier, later in zip(on, on[1:], strict=False):
        if values[later] < values[earlier]:
            problems[later] = _(
                "%(later)s (%(b)d days) cannot come before %(earlier)s (%(a)d days)."
            ) % {
                "later": labels[later],
                "b": values[later],
                "earlier": labels[earlier],
                "a": values[earlier],
            }
    release, manual = values["auto_release_days"], values["pool_release_days"]
    if release and manual and release < manual:
        problems["auto_release_days"] = _(
            "An automatic release after %(s)d days would come before a supervisor may release "
            "by hand (%(r)d days): make it at least %(r)d, or 0 for never."
        ) % {"s": release, "r": manual}
    return problems


@transaction.atomic
def pool_rules_save(*, by: User, values: Mapping[str, int]) -> OrgSettings:
    """Save the organisation's pool rules. PermissionDenied unless ``by`` is an admin;
    ValidationError keyed by field with :func:`pool_rules_problems`' messages, nothing
    saved then."""
    if not scope_for(by).is_admin:
        raise PermissionDenied(_("Only admins set the public pool rules."))
    problems = pool_rules_problems(values)
    if problems:
        raise ValidationError(problems)
    settings = OrgSettings.load()
    for name in FIELDS:
        setattr(settings, name, values[name])
    settings.save(update_fields=list(FIELDS))
    return settings
