"""Recognition (docs/domain, section 8): give it on the team's board, and data-driven
suggestions (first deal, biggest deal, best effective activity rate, journal streaks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.calendar import work_calendar
from accounts.delivery import team_post
from accounts.models import User
from accounts.notifying import notice
from accounts.scoping import local_today, team_of
from accounts.services import notification_send
from customers.models import Contract, Stage, StageChange
from journals.models import Journal
from kpi.calculations import period_of

from ..models import Recognition
from ._common import _aware, _check_lead, _team_reps
from .figures import rep_metrics

# --------------------------------------------------------------------------- recognition


@transaction.atomic
def recognition_give(
    *, by: User, rep: User, behaviour: str, impact: str, source: str = ""
) -> Recognition:
    """Recognise a specific behaviour of ``rep`` on the team's board and notify them at once
    (docs/domain, section 8: immediately, specifically, say what it did for the team)."""
    team = team_of(rep, local_today())
    if team is None:
        raise ValidationError({"rep": _("This person is not in a team.")})
    _check_lead(by, team.pk)
    rec = Recognition(rep=rep, team=team, by=by, behaviour=behaviour, impact=impact, source=source)
    rec.full_clean()
    rec.save()
    url = reverse("coaching:recognition_board") + f"?team={team.pk}"
    transaction.on_commit(
        lambda: notification_send(
            user=rep,
            key=f"recognition-{rec.pk}",
            title=notice(gettext_noop("You were recognised: %(what)s"), what=behaviour[:80]),
            body=impact,
            url=url,
        )
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Recognition board: %(by)s recognises %(rep)s: %(what)s (%(impact)s)") % {
            "by": by.name,
            "rep": rep.name,
            "what": behaviour,
            "impact": impact,
        }
    team_post(team_id=team.pk, topic="recognition", key=f"recognition:{rec.pk}", text=text)
    return rec


STREAK_MIN = 10


def recognition_suggestions(*, team_id: int, day: dt.date | None = None) -> list[dict[str, Any]]:
    """Data-driven recognition ideas for the team's week containing ``day`` - 2 days.

    Returns ``[{"rep_id", "source", "behaviour", "impact"}]`` from: a rep's first deal
    ever (this week), the week's biggest deal by contract monthly value, the best effective
    activity rate of the week (KPI engine), and on-time journal streaks of at least
    STREAK_MIN work days. Ideas already given (same rep and source since the week began)
    are left out. Texts are ready to use (translated).
    """
    day = day or local_today()
    # On Monday and Tuesday the week has barely begun: look at the previous week then.
    period = period_of(day - dt.timedelta(days=2), "week")
    reps = _team_reps(team_id, period)
    rep_ids = sorted(reps)
    out: list[dict[str, Any]] = []
    if not rep_ids:
        return out
    start_at, end_at = _aware(period.start), _aware(period.end)
    deals = StageChange.objects.filter(rep_id__in=rep_ids, to_stage=Stage.DEAL)
    earlier = set(deals.filter(at__lt=start_at).values_list("rep_id", flat=True))
    for rid, cname in (
        deals.filter(at__gte=start_at, at__lt=end_at)
        .order_by("at")
        .values_list("rep_id", "customer__name")
    ):
        if rid not in earlier:
            earlier.add(rid)
            out.append(
                {
                    "rep_id": rid,
                    "source": "first_deal",
                    "behaviour": _("Closed a first deal: %(customer)s") % {"customer": cname},
                    "impact": _("A new colleague who closes adds to the whole team's result."),
                }
            )
    biggest = (
        Contract.objects.filter(
            rep_id__in=rep_ids, signed_on__gte=period.start, signed_on__lt=period.end
        )
        .order_by("-monthly_value", "id")
        .values_list("rep_id", "customer__name", "monthly_value")
        .first()
    )
    if biggest:
        out.append(
            {
                "rep_id": biggest[0],
                "source": "biggest_deal",
                "behaviour": _(
                    "Signed the week's biggest contract: %(customer)s, %(value)s a month"
                )
                % {"customer": biggest[1], "value": biggest[2]},
                "impact": _("The largest contribution to the team's new sales revenue this week."),
            }
        )
    figures = rep_metrics(
        team_ids=[team_id], rep_ids=rep_ids, periods=[period], metrics=["effective_activity_rate"]
    )
    best: tuple[float, int] | None = None
    for rid in rep_ids:
        mv = figures.get((period.key, rid), {}).get("effective_activity_rate")
        value = mv.value if mv is not None and (mv.denominator or 0) >= 3 else None
        if value is not None and (best is None or float(value) > best[0]):
            best = (float(value), rid)
    if best:
        out.append(
            {
                "rep_id": best[1],
                "source": "best_effective_rate",
                "behaviour": _("Best effective activity rate of the week: %(rate)s")
                % {"rate": f"{best[0]:.0%}"},
                "impact": _("Shows the team how well-prepared visits move customers forward."),
            }
        )
    out.extend(_streaks(rep_ids, day, team_id))
    given = set(
        Recognition.objects.filter(rep_id__in=rep_ids, created_at__gte=start_at).values_list(
            "rep_id", "source"
        )
    )
    return [s for s in out if (s["rep_id"], s["source"]) not in given]


def _streaks(rep_ids: list[int], day: dt.date, team_id: int) -> list[dict[str, Any]]:
    """On-time journal streaks (consecutive work days of the team before ``day``) of
    STREAK_MIN+."""
    since = day - dt.timedelta(days=90)
    on_time = set(
        Journal.objects.filter(rep_id__in=rep_ids, day__gte=since, day__lt=day, is_late=False)
        .exclude(status=Journal.Status.DRAFT)
        .values_list("rep_id", "day")
    )
    days = list(
        reversed(work_calendar(team_id).workdays_between(since, day - dt.timedelta(days=1)))
    )
    out = []
    for rid in rep_ids:
        n = 0
        for d in days:
            if (rid, d) not in on_time:
                break
            n += 1
        if n >= STREAK_MIN:
            out.append(
                {
                    "rep_id": rid,
                    "source": "journal_streak",
                    "behaviour": _("Submitted the journal on time %(n)s work days in a row")
                    % {"n": n},
                    "impact": _("Keeps the morning meeting and the team's figures reliable."),
                }
            )
    return out
