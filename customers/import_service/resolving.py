"""Row checks and owner/team resolution that need the database (owners, teams, lengths)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import is_rep_of, local_today

from ..importing import ParsedRow, RowError
from ..models import ImportJob
from .fields import _MAX_LENGTHS

# --------------------------------------------------------------------------- resolving
_AMBIGUOUS = object()


def _batches(values: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    """Sorted values in lists of ``size`` (IN lists stay under SQLite's variable limit)."""
    ordered = sorted(values)
    for i in range(0, len(ordered), size):
        yield ordered[i : i + size]


class _Resolver:
    """Everything a row needs from the database besides duplicates, loaded once per job:
    owners (by username or display name), teams (by code or name) and the owners'
    memberships for attribution (the rule of services.team_of, docs/domain, section 9)."""

    def owner_is_rep_of(self, owner: User, team: OrgUnit) -> bool:
        """Whether ``owner`` is a rep of ``team`` today: the rule of
        ``customers.services.customer_validate``, asked once per distinct pair."""
        key = (owner.pk, team.pk)
        if key not in self._rep_of:
            self._rep_of[key] = is_rep_of(owner, team.pk, self.today)
        return self._rep_of[key]

    def __init__(self, job: ImportJob, rows: Iterable[ParsedRow]) -> None:
        self.job = job
        self._rep_of: dict[tuple[int, int], bool] = {}
        self.now = timezone.now()
        self.today = local_today()
        owner_texts: set[str] = set()
        team_texts: set[str] = set()
        for row in rows:
            owner = row.values.get("owner")
            team = row.values.get("team")
            if owner:
                owner_texts.add(str(owner))
            if team:
                team_texts.add(str(team))
        self.users: dict[str, object] = {}
        if owner_texts:
            by_pk: dict[int, User] = {}
            for part in _batches(owner_texts):
                for user in User.objects.filter(Q(username__in=part) | Q(display_name__in=part)):
                    by_pk[user.pk] = user
            found = [by_pk[pk] for pk in sorted(by_pk)]
            by_display: dict[str, list[User]] = defaultdict(list)
            for user in found:
                by_display[user.display_name].append(user)
            for text in owner_texts:
                exact = [u for u in found if u.username == text]
                if exact:
                    self.users[text] = exact[0]
                elif len(by_display.get(text, [])) == 1:
                    self.users[text] = by_display[text][0]
                elif by_display.get(text):
                    self.users[text] = _AMBIGUOUS
        self.teams: dict[str, object] = {}
        if team_texts:
            units = [
                unit
                for part in _batches(team_texts)
                for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).filter(
                    Q(code__in=part) | Q(name__in=part)
                )
            ]
            for text in team_texts:
                by_code = [u for u in units if u.code == text]
                by_name = [u for u in units if u.name == text]
                if by_code:
                    self.teams[text] = by_code[0]
                elif len(by_name) == 1:
                    self.teams[text] = by_name[0]
                elif by_name:
                    self.teams[text] = _AMBIGUOUS
        user_ids = {u.pk for u in self.users.values() if isinstance(u, User)}
        if job.owner_id:
            user_ids.add(job.owner_id)
        self._memberships: dict[int, list[Membership]] = defaultdict(list)
        for m in (
            Membership.objects.filter(
                user_id__in=user_ids, role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR]
            )
            .select_related("unit")
            .order_by("-start", "id")
        ):
            self._memberships[m.user_id].append(m)
        self._team_cache: dict[tuple[int, dt.date], OrgUnit | None] = {}
        self._midnights: dict[dt.date, dt.datetime] = {}

    def midnight(self, day: dt.date) -> dt.datetime:
        """Local midnight starting ``day`` (aware), once per distinct day of the job."""
        at = self._midnights.get(day)
        if at is None:
            at = self._midnights[day] = _local_midnight(day)
        return at

    def team_of(self, user: User | None, day: dt.date) -> OrgUnit | None:
        """Same answer as :func:`customers.services.team_of`, without a query per call."""
        if user is None:
            return None
        key = (user.pk, day)
        if key not in self._team_cache:
            self._team_cache[key] = next(
                (m.unit for m in self._memberships.get(user.pk, ()) if m.is_active_on(day)), None
            )
        return self._team_cache[key]


@dataclass(slots=True)
class _Plan:
    """What one row will do. ``action``: create | update | unchanged | duplicate | reject."""

    row: ParsedRow
    action: str = ""
    note: str = ""
    existing_id: int | None = None
    owner: User | None = None
    team: OrgUnit | None = None
    owner_given: bool = False
    team_given: bool = False
    stage_at: dt.datetime | None = None
    customer_id: int | None = None  # revenue: the matched customer
    changes: list[str] = field(default_factory=list)


def _add_error(row: ParsedRow, fld: str, message: str, /, **params: str | int) -> None:
    """Reject ``row`` for ``message`` (an English template marked with gettext_noop)
    filled with ``params``; it is said in the reader's language when shown."""
    row.errors.append(RowError(fld, message, tuple(params.items())))


NEEDS_TEAM = gettext_noop(
    "needs a team: choose a team for the import or give the row an owner or team"
)


def _refuse_without_team(plan: _Plan) -> bool:
    """Reject ``plan`` (a row about to create a customer) when it resolved to no team,
    saying so on the "team" field; return whether it was rejected.

    Every customer belongs to a team, its pool included: a customer without owner stays
    in its team (docs/domain, section 5). Without one no supervisor or manager could
    see it. The team comes from the row, else the owner's team today, else
    the import's team (:func:`_assign_owner`); the one check for imports, preview and API.
    """
    if plan.team is not None:
        return False
    plan.action = "reject"
    _add_error(plan.row, "team", NEEDS_TEAM)
    return True


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _validate_rows(job: ImportJob, rows: Sequence[ParsedRow], resolver: _Resolver) -> None:
    """Row checks that need the database or the model (but not duplicates): owner and
    team exist, lengths fit the columns, e-mail is an address, dates not in the future.
    Appends RowError to ``row.errors``; run before :func:`mark_duplicates_in_file`."""
    today = resolver.today
    this_month = today.replace(day=1)
    for row in rows:
        values = row.values
        for fld, value in values.items():
            max_length = _MAX_LENGTHS.get(fld)
            if max_length is None or value is None:
                continue
            if len(value if type(value) is str else str(value)) > max_length:
                _add_error(
                    row, fld, gettext_noop("too long (at most %(n)d characters)"), n=max_length
                )
        if job.kind == ImportJob.Kind.REVENUE:
            month = values.get("month")
            if isinstance(month, dt.date) and month > this_month:
                _add_error(
                    row, "month", gettext_noop("%(month)s is in the future"), month=f"{month:%Y-%m}"
                )
            continue
        # Into the public pool the file's owners are not used (docs/domain, section 5).
        owner = None if job.to_pool else values.get("owner")
        if owner:
            user = resolver.users.get(str(owner))
            if user is None:
                _add_error(row, "owner", gettext_noop("unknown user %(name)s"), name=str(owner))
            elif user is _AMBIGUOUS:
                _add_error(
                    row,
                    "owner",
                    gettext_noop("several users are called %(name)s; give the username"),
                    name=str(owner),
                )
            elif not user.is_active:  # type: ignore[attr-defined]
                _add_error(row, "owner", gettext_noop("user %(name)s is inactive"), name=str(owner))
        team = values.get("team")
        if team:
            unit = resolver.teams.get(str(team))
            if unit is None:
                _add_error(row, "team", gettext_noop("unknown team %(name)s"), name=str(team))
            elif unit is _AMBIGUOUS:
                _add_error(
                    row,
                    "team",
                    gettext_noop("several teams are called %(name)s; give the team code"),
                    name=str(team),
                )
            elif (
                owner
                and isinstance(user, User)
                and isinstance(unit, OrgUnit)
                and not resolver.owner_is_rep_of(user, unit)
            ):
                # The rule of customers.services.customer_validate (accounts.scoping.is_rep_of).
                _add_error(row, "team", gettext_noop("The owner is not a rep of this team."))
        elif (
            owner
            and job.team is not None
            and isinstance(user, User)
            and not resolver.owner_is_rep_of(user, job.team)
        ):
            # The team chosen for the import applies to rows that name an owner but no
            # team; an owner outside it is refused, never moved silently to another team.
            _add_error(
                row,
                "owner",
                gettext_noop(
                    "%(owner)s is not a rep of %(team)s, the team chosen for this import; "
                    "give the row its team or choose no team"
                ),
                owner=str(owner),
                team=job.team.name,
            )
        if job.to_pool and not team and job.team is None:
            # A pool belongs to a team: a customer without owner stays in its team.
            _add_error(
                row,
                "team",
                gettext_noop(
                    "a customer for the public pool needs a team: give the row's team or "
                    "choose the import's team"
                ),
            )
        email = values.get("contact_email")
        if email:
            try:
                validate_email(str(email))
            except ValidationError:
                _add_error(
                    row,
                    "contact_email",
                    gettext_noop("not an e-mail address: %(value)s"),
                    value=str(email),
                )
        stage_date = values.get("stage_date")
        if isinstance(stage_date, dt.date) and stage_date > today:
            _add_error(
                row,
                "stage_date",
                gettext_noop("%(date)s is in the future"),
                date=stage_date.isoformat(),
            )


def _assign_owner(plan: _Plan, job: ImportJob, resolver: _Resolver) -> None:
    values = plan.row.values
    # Into the public pool: no owner for new customers, existing ones keep theirs.
    owner_text = None if job.to_pool else values.get("owner")
    team_text = values.get("team")
    plan.owner_given = bool(owner_text)
    plan.team_given = bool(team_text)
    owner = resolver.users.get(str(owner_text)) if owner_text else job.owner
    plan.owner = owner if isinstance(owner, User) and not job.to_pool else None
    team = resolver.teams.get(str(team_text)) if team_text else None
    if not isinstance(team, OrgUnit) and owner_text and job.team is not None:
        # The import's team, for an owner named in the file (checked a rep of it).
        team = job.team
        plan.team_given = True
    if not isinstance(team, OrgUnit):
        team = resolver.team_of(plan.owner, resolver.today) or job.team
    plan.team = team
    stage_date = values.get("stage_date")
    if isinstance(stage_date, dt.date):
        plan.stage_at = resolver.midnight(stage_date)
