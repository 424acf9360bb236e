"""Persona tests pinning the visibility rules of DOMAIN.md section 1."""

import datetime as dt

import pytest

from accounts.models import Membership, User
from accounts.scoping import restrict, scope_for, visible_teams
from accounts.services import membership_start

pytestmark = pytest.mark.django_db


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
    assert org.rep_b.pk in scope.visible_user_ids
    assert org.outsider.pk not in scope.visible_user_ids
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
    assert org.rep.pk in before.visible_user_ids
    assert org.rep.pk not in after.visible_user_ids
    assert org.rep.pk in scope_for(org.supervisor_b, move_day).visible_user_ids
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
