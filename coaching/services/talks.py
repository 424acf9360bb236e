"""One-on-one talks (员工沟通, docs/domain, section 8)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import local_today, team_of

from ..models import (
    CoachingPlan,
    Talk,
)
from ._common import _check_lead


@transaction.atomic
def talk_add(
    *,
    by: User,
    rep: User,
    held_on: dt.date,
    notes: str,
    agreed: str = "",
    plan: CoachingPlan | None = None,
) -> Talk:
    """Log a one-on-one talk (员工沟通) with ``rep``, optionally for one of their plans."""
    team = plan.team if plan is not None else team_of(rep, held_on) or team_of(rep, local_today())
    if team is None:
        raise ValidationError({"rep": _("This person is not in a team.")})
    _check_lead(by, team.pk)
    if plan is not None and plan.coachee_id != rep.pk:
        raise ValidationError({"plan": _("The plan belongs to someone else.")})
    talk = Talk(
        rep=rep, team=team, supervisor=by, plan=plan, held_on=held_on, notes=notes, agreed=agreed
    )
    talk.full_clean()
    talk.save()
    return talk
