"""Persona tests pinning the visibility rules of docs/domain section 1."""

import datetime as dt

import pytest

from accounts.models import Membership, User
from accounts.scoping import (
    Scope,
    memberships_during,
    rep_spans,
    reps_during,
    restrict,
    scope_for,
    team_of,
    visible_teams,
)
from accounts.services import membership_start

pytestmark = pytest.mark.django_db


def _users(scope: Scope) -> frozenset[int]:
    """The users a non-admin scope sees (None would mean everyone)."""
    ids = scope.visible_user_ids
    assert ids is not None
    return ids


def test_rep_sees_only_self(org):
    scope = scope_for(org.rep)
    assert scope.primary_role == "rep"
    assert scope.visible_user_ids == {org.rep.pk}
    assert scope.can_see(owner_id=org.rep.pk, team_id=org.team_a.pk)
    assert not scope.can_see(owner_id=org.teammate.pk, team_id=org.team_a.pk)
    assert not scope.can_manage_team(org.team_a.pk)


def test_supervisor_sees_own_team_only(org):
    scope = scope_for(org.supervisor)
    assert scope.primary_role == "supervisor"
    assert scope.visible_team_ids == {org.team_a.pk}
    assert scope.visible_user_ids == {org.rep.pk, org.teammate.pk, org.supervisor.pk}
    assert scope.can_manage_team(org.team_a.pk)
    assert not scope.can_see(owner_id=org.rep_b.pk, team_id=org.team_b.pk)


def test_manager_sees_every_team_under_the_branch(org):
    scope = scope_for(org.manager)
    assert scope.primary_role == "manager"
    assert scope.visible_team_ids == {org.team_a.pk, org.team_b.pk}
    assert org.rep_b.pk in _users(scope)
    assert org.outsider.pk not in _users(scope)
    assert scope.can_lead_team(org.team_b.pk)
    assert not scope.can_manage_team(org.team_b.pk)  # comments/evaluations are the supervisor's


def test_outsider_sees_nothing_of_the_other_branch(org):
    scope = scope_for(org.outsider_supervisor)
    assert scope.visible_team_ids == {org.team_s.pk}
    for user in (org.rep, org.teammate, org.supervisor, org.rep_b, org.manager):
        assert not scope.can_see_user(user.pk)


def test_admin_sees_everything(org):
    scope = scope_for(org.admin)
    assert scope.primary_role == "admin"
    assert scope.visible_team_ids is None
    assert scope.can_see(owner_id=org.outsider.pk, team_id=org.team_s.pk)
    assert scope.can_manage_team(org.team_s.pk)


def test_restrict_filters_by_owner_or_team(org):
    # Memberships have a user and a unit: a stand-in for any owned, team-scoped row.
    rows = Membership.objects.all()
    for_rep = restrict(rows, scope_for(org.rep), owner_field="user", team_field="unit")
    assert set(for_rep.values_list("user_id", flat=True)) == {org.rep.pk}
    for_supervisor = restrict(
        rows, scope_for(org.supervisor), owner_field="user", team_field="unit"
    )
    assert {m.unit_id for m in for_supervisor} == {org.team_a.pk}
    assert restrict(rows, scope_for(None), owner_field="user", team_field="unit").count() == 0


def test_scope_follows_the_date_of_a_team_move(org):
    move_day = dt.date(2026, 3, 16)
    membership_start(user=org.rep, unit=org.team_b, role="rep", start=move_day)
    before = scope_for(org.supervisor, dt.date(2026, 3, 15))
    after = scope_for(org.supervisor, move_day)
    assert org.rep.pk in _users(before)
    assert org.rep.pk not in _users(after)
    assert org.rep.pk in _users(scope_for(org.supervisor_b, move_day))
    old = Membership.objects.get(user=org.rep, unit=org.team_a)
    assert old.end == dt.date(2026, 3, 15)  # history kept, not overwritten


def test_visible_teams_for_each_persona(org):
    assert set(visible_teams(scope_for(org.rep))) == {org.team_a}
    assert set(visible_teams(scope_for(org.manager))) == {org.team_a, org.team_b}
    assert set(visible_teams(scope_for(org.outsider))) == {org.team_s}


def test_inactive_user_has_an_empty_scope(org):
    User.objects.filter(pk=org.supervisor.pk).update(is_active=False)
    org.supervisor.refresh_from_db()
    assert not scope_for(org.supervisor).is_authenticated


def test_active_during_counts_a_rep_who_moved_mid_span_in_both_teams(org):
    move_day = dt.date(2026, 3, 18)  # a Wednesday
    membership_start(user=org.rep, unit=org.team_b, role="rep", start=move_day)
    monday, sunday = dt.date(2026, 3, 16), dt.date(2026, 3, 22)
    assert org.rep in reps_during(org.team_a.pk, monday, sunday)
    assert org.rep in reps_during(org.team_b.pk, monday, sunday)
    # the old membership ended the day before the move: not active from the move on
    assert org.rep not in reps_during(org.team_a.pk, move_day, sunday)
    # the new one starts on the move day: not active the day before
    assert org.rep not in reps_during(org.team_b.pk, monday, move_day - dt.timedelta(days=1))
    spans = rep_spans(org.team_a.pk, monday, sunday)
    assert spans[org.rep.pk] == (monday, move_day - dt.timedelta(days=1))
    assert spans[org.teammate.pk] == (monday, sunday)
    assert rep_spans(org.team_b.pk, monday, sunday)[org.rep.pk] == (move_day, sunday)
    on_move_day = Membership.objects.filter(memberships_during(move_day, move_day), user=org.rep)
    assert [m.unit_id for m in on_move_day] == [org.team_b.pk]
    assert team_of(org.rep, move_day) == org.team_b
