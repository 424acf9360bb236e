"""Target services (目标管理, docs/domain section 4b): set, acknowledge, export and import
monthly targets per rep and team. Targets are set by a team's supervisor or manager
(``Scope.can_lead_team``) and acknowledged by the rep."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import Scope, memberships_during
from customers.exporting import IDENT, NUMBER, TEXT, xlsx_bytes
from customers.import_messages import say
from domain import metrics as metric_registry
from salesops.events import TargetsChanged, publish
from spreadsheets.messages import Params, gettext_noop
from spreadsheets.reading import FileRefused, normalise_header, read_rows

from .calculations import parse_period
from .models import Target, TargetMetric

#: The largest target a month may have (docs/domain, section 4b): counts (customers, visits,
#: items) at most 100,000 a month, money at most 10^10 CNY. A larger value is a typo
#: (1e9 visits), refused with a field error by the grid, the import and the API alike.
TARGET_MAX_COUNT = Decimal(100_000)
TARGET_MAX_MONEY = Decimal(10**10)


def target_value_max(metric: str) -> Decimal:
    """The largest monthly target of ``metric``: :data:`TARGET_MAX_MONEY` for a money
    metric of the registry (``domain.metrics``), else :data:`TARGET_MAX_COUNT`."""
    entry = metric_registry.METRICS.get(metric)
    return TARGET_MAX_MONEY if entry is not None and entry.kind == "money" else TARGET_MAX_COUNT


def target_value_problem(metric: str, value: Decimal) -> str | None:
    """Why ``value`` cannot be the monthly target of ``metric`` (translated text), or None
    when it can: negative, not finite, or above :func:`target_value_max` (docs/domain,
    section 4b). The one check of the grid, the import and the API (via :func:`target_set`)."""
    if not value.is_finite() or value < 0:
        return _("A target cannot be negative.")
    limit = target_value_max(metric)
    if value > limit:
        return _("A target of this metric is at most %(max)s a month.") % {"max": f"{limit:,}"}
    return None


def parse_month(text: str | None, default: dt.date | None = None) -> dt.date | None:
    """'2026-10' -> date(2026, 10, 1); None or a bad text gives ``default``."""
    try:
        period = parse_period((text or "").strip())
    except ValueError:
        return default
    if period.kind != "month" or not 2000 <= period.start.year <= 2100:
        return default
    return period.start


def month_end(month: dt.date) -> dt.date:
    """Last day of the month of ``month``."""
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def team_reps(*, team: OrgUnit, month: dt.date) -> list[User]:
    """Reps with a rep membership in ``team`` on any day of ``month``, by username. One query."""
    ids = Membership.objects.filter(
        memberships_during(month, month_end(month)), unit=team, role=Membership.Role.REP
    )
    return list(User.objects.filter(pk__in=ids.values("user_id")).order_by("username"))


def target_check_can_set(*, scope: Scope, team: OrgUnit) -> None:
    """Raise PermissionDenied unless the viewer leads ``team`` (supervisor, manager, admin)."""
    if not scope.can_lead_team(team.pk):
        raise PermissionDenied(_("Only the team's supervisor or manager sets its targets."))


@transaction.atomic
def target_set(
    *,
    month: dt.date,
    metric: str,
    value: Decimal | None,
    by: User | None,
    rep: User | None = None,
    team: OrgUnit | None = None,
    weeks: dict[str, str] | None = None,
) -> Target | None:
    """Set (or with ``value`` None delete) the target of a rep or a team for a month.

    ``weeks`` is the optional weekly split {'2026-W44': '12.00'} (None: keep it, unless the
    value changes, which drops an explicit split so weeks fall back to pro rata).
    A changed value clears the rep's acknowledgement. Returns the target or None when
    deleted. Raises ValidationError for a bad metric, a negative value or one above the
    metric's maximum (:func:`target_value_problem`), or rep and team both/neither given.
    """
    if (rep is None) == (team is None):
        raise ValidationError(_("A target is for a rep or a team."))
    if metric not in TargetMetric.values:
        raise ValidationError({"metric": _("Unknown metric.")})
    month = month.replace(day=1)
    lookup: dict[str, object] = {"rep": rep, "team": None} if rep else {"team": team, "rep": None}
    existing = Target.objects.filter(month=month, metric=metric, **lookup).first()
    if value is None:
        if existing:
            _announce(existing)
            existing.delete()
        return None
    problem = target_value_problem(metric, value)
    if problem:
        raise ValidationError({"value": problem})
    target = existing or Target(month=month, metric=metric, **lookup)
    if existing is None or existing.value != value or (weeks is not None and weeks != target.weeks):
        target.acknowledged_at = None
    if weeks is None and existing is not None and existing.value != value and target.weeks:
        target.weeks = {}  # an explicit split of the old value no longer adds up
    target.value = value
    if weeks is not None:
        target.weeks = weeks
    target.set_by = by
    target.full_clean()
    target.save()
    _announce(target)
    return target


def _announce(target: Target) -> None:
    from .services import touches_enabled

    if not touches_enabled():  # no recompute would follow: spare the membership query
        return
    for event in target_events(target):
        publish(event)


def target_events(target: Target) -> list[TargetsChanged]:
    """The event a written or deleted target means for the figures: the teams whose
    figures read it (the team's own, or the teams the rep belonged to in its month; one
    query) for its month. The KPIs recompute that month and its ISO weeks (kpi.services,
    ``on_targets_changed``). Also used by the admin (``kpi/admin.py``)."""
    if target.team_id is not None:
        teams = {target.team_id}
    elif target.rep_id is None:
        return []
    else:
        month = target.month.replace(day=1)
        teams = set(
            Membership.objects.filter(
                memberships_during(month, month_end(month)),
                user_id=target.rep_id,
                unit__kind=OrgUnit.Kind.TEAM,
            ).values_list("unit_id", flat=True)
        )
    if not teams:
        return []
    return [TargetsChanged(team_ids=tuple(sorted(teams)), months=(target.month.replace(day=1),))]


@transaction.atomic
def targets_save_grid(
    *,
    team: OrgUnit,
    month: dt.date,
    values: dict[tuple[int | None, str], Decimal | None],
    by: User,
    scope: Scope,
) -> int:
    """Save a grid of targets: ``values[(rep_id or None for the team, metric)] = value``
    (Decimal; None deletes that target).

    Only the cells in ``values`` change: a target not given is left as it is (a partial
    form never deletes what it did not send). Returns the number of cells that changed.
    Raises PermissionDenied when the viewer does not lead the team, and ValidationError,
    saving nothing, when a rep id is not a rep of the team in that month (docs/domain
    section 4b: a team's leaders set its own reps' targets).
    """
    target_check_can_set(scope=scope, team=team)
    reps = {u.pk: u for u in team_reps(team=team, month=month)}
    outside = sorted({r for r, _metric in values if r is not None and r not in reps})
    if outside:
        raise ValidationError(
            _("Not reps of %(team)s in %(month)s: %(ids)s. Nothing was saved.")
            % {"team": team.name, "month": f"{month:%Y-%m}", "ids": ", ".join(map(str, outside))}
        )
    current = {
        (t.rep_id, t.metric): t.value
        for t in Target.objects.filter(month=month).filter(team=team)
        | Target.objects.filter(month=month, rep_id__in=list(reps))
    }
    changed = 0
    for (rep_id, metric), value in values.items():
        if current.get((rep_id, metric)) == value:
            continue
        target_set(
            month=month,
            metric=metric,
            value=value,
            by=by,
            rep=reps.get(rep_id) if rep_id else None,
            team=None if rep_id else team,
        )
        changed += 1
    return changed


@transaction.atomic
def targets_acknowledge(*, rep: User, month: dt.date) -> int:
    """The rep acknowledges every target of theirs for ``month``; returns how many."""
    return Target.objects.filter(rep=rep, month=month, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )


EXPORT_HEADERS = ("rep", "team", "month", "metric", "value")


def month_weeks(month: dt.date) -> list[str]:
    """ISO week keys ('2026-W40') of the weeks overlapping ``month``, in order."""
    keys: list[str] = []
    day = month.replace(day=1)
    end = month_end(month)
    while day <= end:
        iso = day.isocalendar()
        key = f"{iso.year}-W{iso.week:02d}"
        if key not in keys:
            keys.append(key)
        day += dt.timedelta(days=1)
    return keys


def targets_export_rows(targets: Iterable[Target], weeks: list[str]) -> list[list[object]]:
    """Rows [rep username, team code, month 'YYYY-MM', metric, value, *weekly split]
    for an export; a week cell is empty when the target has no explicit split.

    ``targets`` should be fetched with select_related('rep', 'team')."""
    rows: list[list[object]] = []
    for t in targets:
        split = t.weeks or {}
        rows.append(
            [
                t.rep.username if t.rep is not None else "",
                t.team.code if t.team is not None else "",
                f"{t.month:%Y-%m}",
                t.metric,
                t.value,
                *[Decimal(str(split[w])) if w in split else "" for w in weeks],
            ]
        )
    return rows


def targets_xlsx(targets: Iterable[Target], month: dt.date) -> bytes:
    """An .xlsx of a month's targets in the import format (it can be edited and imported
    back), with one optional column per ISO week of the month for the weekly split."""
    weeks = month_weeks(month)
    return xlsx_bytes(
        [*EXPORT_HEADERS, *weeks],
        [IDENT, IDENT, IDENT, TEXT, NUMBER, *[NUMBER] * len(weeks)],
        targets_export_rows(targets, weeks),
        sheet="Targets",
    )


_WEEK_HEADER = re.compile(r"^(\d{4})-w(\d{2})$")


#: Header synonyms of the import (normalised with spreadsheets.reading.normalise_header).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "rep": ("rep", "username", "user", "销售人员", "客户经理", "用户名", "账号"),
    "team": ("team", "teamcode", "团队", "小组", "团队代码", "小组代码"),
    "month": ("month", "月份", "月"),
    "metric": ("metric", "指标", "考核指标"),
    "value": ("value", "target", "目标", "目标值", "指标值"),
}


#: The import's fields as the messages name them (translated when shown).
FIELD_LABELS: dict[str, str] = {
    "rep": gettext_noop("rep"),
    "team": gettext_noop("team"),
    "month": gettext_noop("month"),
    "metric": gettext_noop("metric"),
    "value": gettext_noop("target value"),
    "weeks": gettext_noop("weekly split"),
}


@dataclass(frozen=True)
class TargetRowError:
    """One refused cell of a targets import: the spreadsheet ``row`` number (as Excel shows
    it), the ``field`` (a key of :data:`FIELD_LABELS`, or an ISO week key like '2026-W44'
    for a week column), and the reason as an English message template (``message``, a
    gettext msgid) with its values (``params``), so it is said in the reader's language.
    ``str()`` gives 'row 7, month: expected YYYY-MM (2026-13)' in the active language."""

    row: int
    field: str
    message: str
    params: Params = ()

    @property
    def field_label(self) -> str:
        """The field's name in the active language (a week key as it is)."""
        label = FIELD_LABELS.get(self.field)
        return gettext(label) if label else self.field

    @property
    def reason(self) -> str:
        """Why the row was refused, in the active language, with its values."""
        return say(self.message, self.params)

    def __str__(self) -> str:
        return gettext("row %(row)s, %(field)s: %(reason)s") % {
            "row": self.row,
            "field": self.field_label,
            "reason": self.reason,
        }


@dataclass
class TargetImportResult:
    """Outcome of an import: rows written, the refused cells (:class:`TargetRowError`, in
    file order) and the headers of columns that were not read."""

    written: int = 0
    errors: list[TargetRowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


def _metric_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for value, label in TargetMetric.choices:
        table[normalise_header(value)] = value
        table[normalise_header(str(label))] = value
    return table


def _cell(row: list[object], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    v = row[index]
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return f"{v:%Y-%m}"
    if isinstance(v, dt.date):
        return f"{v:%Y-%m}"
    return str(v if v is not None else "").strip()


@transaction.atomic
def targets_import(*, data: bytes, by: User, scope: Scope) -> TargetImportResult:
    """Import targets from an .xlsx/.xls/.csv file (columns rep or team, month, metric,
    value, optional ISO week columns; Chinese headers accepted). File safety and format
    detection come from spreadsheets.reading.read_rows; a refused file raises FileRefused
    (a message template with values: say it with ``customers.import_messages.
    translate_refusal``). Each row is checked: the rep or team must exist and be led by the
    importer today, a rep through a membership in one of those teams during the target's
    month (else reported as unknown, not to leak others' names; a former lead or a rep
    who has left keeps nothing, docs/domain, section 1), month YYYY-MM, a known
    metric, a value >= 0 (CNY for money metrics), a weekly split within the month adding
    up to the value (docs/domain, section 4b). Valid rows are written; each refused
    cell is a :class:`TargetRowError` naming row, field and reason.
    """
    sheet = read_rows(data)
    if not sheet.rows:
        raise FileRefused(gettext_noop("The file has no rows."))
    headers = [normalise_header(h) for h in sheet.rows[0]]
    lookup = {normalise_header(s): f for f, syns in HEADER_SYNONYMS.items() for s in syns}
    columns: dict[str, int] = {}
    result = TargetImportResult()
    week_columns: dict[str, int] = {}
    for i, h in enumerate(headers):
        fld = lookup.get(h)
        if fld and fld not in columns:
            columns[fld] = i
        elif m := _WEEK_HEADER.match(h):
            week_columns[f"{m.group(1)}-W{m.group(2)}"] = i
        elif h:
            result.unknown_columns.append(str(sheet.rows[0][i]))
    missing = [f for f in ("month", "metric", "value") if f not in columns]
    if missing or ("rep" not in columns and "team" not in columns):
        raise FileRefused(
            gettext_noop(
                "The header row needs the columns rep or team, month, metric and value "
                "(found: %(found)s)."
            ),
            found=", ".join(str(h) for h in sheet.rows[0] if str(h or "").strip()) or "-",
        )
    body = list(zip(sheet.row_numbers[1:], sheet.rows[1:], strict=True))
    usernames = {_cell(r, columns.get("rep")) for _n, r in body} - {""}
    codes = {_cell(r, columns.get("team")) for _n, r in body} - {""}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    teams = {t.code: t for t in OrgUnit.objects.filter(code__in=codes, kind=OrgUnit.Kind.TEAM)}
    # Every rep membership of the named users, with its dates: a row is accepted only when
    # the rep was in a team the importer leads during the target's month.
    rep_teams: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {}
    for user_id, unit_id, start, end in Membership.objects.filter(
        user__in=users.values(), role=Membership.Role.REP
    ).values_list("user_id", "unit_id", "start", "end"):
        rep_teams.setdefault(user_id, []).append((unit_id, start, end))
    metrics = _metric_lookup()
    for number, row in body:
        refuse = _Refusals(number)
        errors = refuse.errors
        username, code = _cell(row, columns.get("rep")), _cell(row, columns.get("team"))
        rep = users.get(username) if username else None
        team = teams.get(code) if code else None
        if username and code:
            refuse("team", gettext_noop("give a rep or a team, not both"))
        elif code:
            if team is None or not scope.can_lead_team(team.pk):
                refuse("team", gettext_noop("unknown or not a team you lead: %(v)s"), v=code)
        elif not username:
            refuse("rep", gettext_noop("a rep or a team is required"))
        month_text = _cell(row, columns["month"])
        month = parse_month(month_text)
        if month is None:
            refuse("month", gettext_noop("expected YYYY-MM, e.g. 2026-10: %(v)s"), v=month_text)
        if (
            username
            and not code
            and not (
                rep is not None
                and month is not None
                and _leads_rep_in_month(scope, rep_teams.get(rep.pk, []), month)
            )
        ):
            refuse(
                "rep", gettext_noop("unknown or not in your teams that month: %(v)s"), v=username
            )
        metric = metrics.get(normalise_header(_cell(row, columns["metric"])))
        if metric is None:
            refuse("metric", gettext_noop("unknown metric: %(v)s"), v=_cell(row, columns["metric"]))
        value_text = _cell(row, columns["value"])
        try:
            value = Decimal(value_text.replace(",", ""))
            if not value.is_finite() or value < 0:
                raise InvalidOperation
            value = value.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            refuse("value", gettext_noop("a number of 0 or more is required: %(v)s"), v=value_text)
            value = None
        weeks = _row_weeks(row, week_columns, month, value, refuse)
        if errors or month is None or metric is None:
            result.errors.extend(errors)
            continue
        target_set(
            month=month,
            metric=metric,
            value=value,
            by=by,
            rep=rep,
            team=None if rep else team,
            weeks=weeks,
        )
        result.written += 1
    return result


class _Refusals:
    """Collects the :class:`TargetRowError` of one row: ``refuse(field, template, **values)``."""

    def __init__(self, row: int) -> None:
        self.row = row
        self.errors: list[TargetRowError] = []

    def __call__(self, name: str, message: str, **params: str | int) -> None:
        values = tuple((k, v if v != "" else "-") for k, v in params.items())
        self.errors.append(TargetRowError(self.row, name, message, values))


def _leads_rep_in_month(
    scope: Scope, memberships: list[tuple[int, dt.date, dt.date | None]], month: dt.date
) -> bool:
    """True when one of the rep's (team, start, end) memberships overlaps ``month`` in a
    team the importer leads today. Past memberships give nothing (docs/domain, section 1)."""
    last = month_end(month)
    return any(
        scope.can_lead_team(team_id) and start <= last and (end is None or end >= month)
        for team_id, start, end in memberships
    )


def visible_rep_ids_for_month(*, scope: Scope, month: dt.date) -> set[int] | None:
    """Reps whose targets the viewer may see in ``month`` (None: all, admin)."""
    teams = scope.visible_team_ids
    if teams is None:
        return None
    ids = set(
        Membership.objects.filter(
            memberships_during(month, month_end(month)), unit_id__in=teams
        ).values_list("user_id", flat=True)
    )
    if scope.user_id is not None:
        ids.add(scope.user_id)
    return ids


def _row_weeks(
    row: list[object],
    columns: dict[str, int],
    month: dt.date | None,
    value: Decimal | None,
    refuse: _Refusals,
) -> dict[str, str] | None:
    """The optional weekly split of an import row: {'2026-W44': '12.00'} or None when no
    week cell is filled. Weeks must overlap the month and add up to its value (docs/domain,
    section 4b); ``refuse(field, template, **values)`` records each problem."""
    filled = {key: _cell(row, i) for key, i in columns.items() if _cell(row, i)}
    if not filled or month is None or value is None:
        return None
    allowed = set(month_weeks(month))
    split: dict[str, str] = {}
    for key, text in filled.items():
        if key not in allowed:
            refuse(key, gettext_noop("not a week of %(month)s"), month=f"{month:%Y-%m}")
            continue
        try:
            amount = Decimal(text.replace(",", ""))
            if not amount.is_finite() or amount < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            refuse(key, gettext_noop("a number of 0 or more is required: %(v)s"), v=text)
            continue
        split[key] = str(amount.quantize(Decimal("0.01")))
    if len(split) == len(filled) and sum(Decimal(v) for v in split.values()) != value:
        refuse(
            "weeks",
            gettext_noop("the weeks add up to %(total)s, not the month's value %(value)s"),
            total=str(sum(Decimal(v) for v in split.values())),
            value=str(value),
        )
    return split
