"""Recognition (docs/domain, section 8): give it on the team's board, and data-driven
suggestions (first deal, biggest deal, best effective activity rate, journal streaks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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
from accounts.notifying import Notice, notice
from accounts.scoping import local_today, team_of
from accounts.services import notification_send
from customers.models import Contract, Stage, StageChange
from journals.models import Journal
from kpi.calculations import period_of

from ..models import Recognition
from ._common import _aware, _check_lead, _team_reps
from .figures import rep_metrics

# --------------------------------------------------------------------------- recognition


#: The texts of the data-driven suggestions (docs/domain, section 8), stored as codes with
#: values so each reader sees a recognition in their own language.
SUGGESTION_TEXTS: frozenset[str] = frozenset(
    {
        gettext_noop("Closed a first deal: %(customer)s"),
        gettext_noop("A new colleague who closes adds to the whole team's result."),
        gettext_noop("Signed the week's biggest contract: %(customer)s, %(value)s a month"),
        gettext_noop("The largest contribution to the team's new sales revenue this week."),
        gettext_noop("Best effective activity rate of the week: %(rate)s"),
        gettext_noop("Shows the team how well-prepared visits move customers forward."),
        gettext_noop("Submitted the journal on time %(n)s work days in a row"),
        gettext_noop("Keeps the morning meeting and the team's figures reliable."),
    }
)


def _suggested_message(
    message: Mapping[str, Any] | None, behaviour: str, impact: str
) -> dict[str, Any]:
    """``message`` (``{"behaviour": {"msgid", "params"}, "impact": ...}``) when it is one of
    the suggestions' texts with plain values and says, in the active language, what was
    posted as ``behaviour`` and ``impact``; else ``{}`` (the texts stay as typed)."""
    if not isinstance(message, Mapping):
        return {}
    out: dict[str, Any] = {}
    for name, posted in (("behaviour", behaviour), ("impact", impact)):
        part = message.get(name)
        if not isinstance(part, Mapping) or part.get("msgid") not in SUGGESTION_TEXTS:
            return {}
        params = part.get("params") or {}
        if not isinstance(params, Mapping) or not all(
            isinstance(v, str | int) for v in params.values()
        ):
            return {}
        shown = Notice(str(part["msgid"]), dict(params))
        if str(shown).strip() != posted.strip():
            return {}
        out[name] = shown.as_json()
    return out


@transaction.atomic
def recognition_give(
    *,
    by: User,
    rep: User,
    behaviour: str,
    impact: str,
    source: str = "",
    message: Mapping[str, Any] | None = None,
) -> Recognition:
    """Recognise a specific behaviour of ``rep`` on the team's board and notify them at once
    (docs/domain, section 8: immediately, specifically, say what it did for the team).

    ``message`` is a suggestion's ``"message"`` (see :func:`recognition_suggestions`): when
    it says what ``behaviour`` and ``impact`` say, it is stored so the board, the rep's page
    and the notification show the texts in each reader's language; anything else is
    ignored and the texts stay as given. Raises ValidationError (rep without a team, bad
    fields) and PermissionDenied (``by`` does not lead the rep's team)."""
    team = team_of(rep, local_today())
    if team is None:
        raise ValidationError({"rep": _("This person is not in a team.")})
    _check_lead(by, team.pk)
    coded = _suggested_message(message, behaviour, impact)
    rec = Recognition(
        rep=rep,
        team=team,
        by=by,
        behaviour=behaviour,
        impact=impact,
        source=source,
        message=coded,
    )
    rec.full_clean()
    rec.save()
    url = reverse("coaching:recognition_board") + f"?team={team.pk}"
    what: Any = Notice(**coded["behaviour"]) if coded else behaviour[:80]
    body: str | Notice = Notice(**coded["impact"]) if coded else impact
    transaction.on_commit(
        lambda: notification_send(
            user=rep,
            key=f"recognition-{rec.pk}",
            title=notice(gettext_noop("You were recognised: %(what)s"), what=what),
            body=body,
            url=url,
        )
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Recognition board: %(by)s recognises %(rep)s: %(what)s (%(impact)s)") % {
            "by": by.name,
            "rep": rep.name,
            "what": rec.shown_behaviour,
            "impact": rec.shown_impact,
        }
    team_post(team_id=team.pk, topic="recognition", key=f"recognition:{rec.pk}", text=text)
    return rec


def _suggestion(rep_id: int, source: str, behaviour: Notice, impact: Notice) -> dict[str, Any]:
    """One suggestion: its texts in the active language and as codes with values."""
    return {
        "rep_id": rep_id,
        "source": source,
        "behaviour": str(behaviour),
        "impact": str(impact),
        "message": {"behaviour": behaviour.as_json(), "impact": impact.as_json()},
    }


STREAK_MIN = 10


def recognition_suggestions(*, team_id: int, day: dt.date | None = None) -> list[dict[str, Any]]:
    """Data-driven recognition ideas for the team's week containing ``day`` - 2 days.

    Returns ``[{"rep_id", "source", "behaviour", "impact", "message"}]`` from: a rep's first deal
    ever (this week), the week's biggest deal by contract monthly value, the best effective
    activity rate of the week (KPI engine), and on-time journal streaks of at least
    STREAK_MIN work days. Ideas already given (same rep and source since the week began)
    are left out. ``behaviour`` and ``impact`` are in the active language; ``message`` holds
    them as codes with values (``{"behaviour": {"msgid", "params"}, "impact": ...}``) for
    :func:`recognition_give`.
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
                _suggestion(
                    rid,
                    "first_deal",
                    notice(gettext_noop("Closed a first deal: %(customer)s"), customer=cname),
                    notice(
                        gettext_noop("A new colleague who closes adds to the whole team's result.")
                    ),
                )
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
            _suggestion(
                biggest[0],
                "biggest_deal",
                notice(
                    gettext_noop(
                        "Signed the week's biggest contract: %(customer)s, %(value)s a month"
                    ),
                    customer=biggest[1],
                    value=str(biggest[2]),
                ),
                notice(
                    gettext_noop(
                        "The largest contribution to the team's new sales revenue this week."
                    )
                ),
            )
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
            _suggestion(
                best[1],
                "best_effective_rate",
                notice(
                    gettext_noop("Best effective activity rate of the week: %(rate)s"),
                    rate=f"{best[0]:.0%}",
                ),
                notice(
                    gettext_noop("Shows the team how well-prepared visits move customers forward.")
                ),
            )
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
                _suggestion(
                    rid,
                    "journal_streak",
                    notice(
                        gettext_noop("Submitted the journal on time %(n)s work days in a row"),
                        n=n,
                    ),
                    notice(
                        gettext_noop("Keeps the morning meeting and the team's figures reliable.")
                    ),
                )
            )
    return out
