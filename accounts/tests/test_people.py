"""The people area: who may see and change people, the list (search, filters, paging, query
count), creating and editing people and teams, moving a rep between teams on a date and
deactivating a leaver in one step (docs/domain, section 1)."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accounts.models import Membership, OrgUnit, User
from accounts.people import person_move
from accounts.scoping import local_today, team_of
from customers.models import Customer, Ownership
from customers.services import customer_create

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _html(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------ access


@pytest.mark.parametrize("who", ["rep", "supervisor"])
def test_reps_and_supervisors_get_403_on_every_people_page(client, org, who):
    client.force_login(getattr(org, who))
    pk = org.rep.pk
    for name, kwargs in [
        ("accounts:people_list", {}),
        ("accounts:person_create", {}),
        ("accounts:person_detail", {"pk": pk}),
        ("accounts:person_edit", {"pk": pk}),
        ("accounts:people_import", {}),
        ("accounts:people_import_template", {}),
        ("accounts:team_create", {}),
        ("accounts:team_edit", {"code": org.team_a.code}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403, name
    for name in [
        "accounts:person_move",
        "accounts:person_deactivate",
        "accounts:person_reset_link",
    ]:
        assert client.post(reverse(name, kwargs={"pk": pk})).status_code == 403, name
    assert User.objects.get(pk=pk).is_active


def test_a_manager_reads_the_people_of_their_branch_only(client, org):
    client.force_login(org.manager)  # manages branch north: team_a and team_b
    page = _html(client.get(reverse("accounts:people_list"), **EN))
    assert org.rep.username in page
    assert org.rep_b.username in page
    assert org.outsider.username not in page
    assert client.get(reverse("accounts:person_detail", args=[org.rep.pk])).status_code == 200
    other = client.get(reverse("accounts:person_detail", args=[org.outsider.pk]))
    assert other.status_code == 404
    # read only: no action on their own branch's people either
    assert client.get(reverse("accounts:person_edit", args=[org.rep.pk])).status_code == 403
    refused = client.post(
        reverse("accounts:person_deactivate", args=[org.rep.pk]),
        {"last_day": local_today().isoformat(), "reason": "x"},
    )
    assert refused.status_code == 403
    assert User.objects.get(pk=org.rep.pk).is_active


def test_the_menu_links_the_people_area_for_admins_and_managers_only(client, org):
    client.force_login(org.admin)
    url = reverse("accounts:people_list")
    assert f'href="{url}"' in _html(client.get(reverse("accounts:profile")))
    client.force_login(org.supervisor)
    assert f'href="{url}"' not in _html(client.get(reverse("accounts:profile")))


# ------------------------------------------------------------------ list


def test_list_searches_and_filters_by_team_role_and_status(client, org):
    client.force_login(org.admin)
    url = reverse("accounts:people_list")
    by_name = _html(client.get(url, {"q": "张伟"}))
    assert 'data-username="rep"' in by_name
    assert 'data-username="teammate"' not in by_name
    team_b = _html(client.get(url, {"team": org.team_b.code}))
    assert 'data-username="rep_b"' in team_b
    assert 'data-username="rep"' not in team_b
    supervisors = _html(client.get(url, {"role": "supervisor"}))
    assert 'data-username="supervisor_b"' in supervisors
    assert 'data-username="rep"' not in supervisors
    org.teammate.is_active = False
    org.teammate.save()
    gone = _html(client.get(url, {"active": "0"}))
    assert 'data-username="teammate"' in gone
    assert 'data-username="rep"' not in gone


def test_an_empty_result_says_so_and_a_bad_filter_is_named(client, org):
    client.force_login(org.admin)
    url = reverse("accounts:people_list")
    empty = client.get(url, {"q": "nobody-has-this-name"}, **EN)
    assert empty.status_code == 200
    assert "Nobody matches these filters." in _html(empty)
    bad = client.get(url, {"team": "no-such-team", "role": "king"}, **EN)
    assert bad.status_code == 200
    text = _html(bad)
    assert "The filter “Team” was ignored" in text
    assert "The filter “Role” was ignored" in text
    assert 'data-username="rep"' in text


def test_list_pages_25_and_its_query_count_does_not_grow(client, org, django_assert_num_queries):
    client.force_login(org.admin)
    url = reverse("accounts:people_list")
    client.get(url)  # warm the session and caches
    with django_assert_num_queries(8) as small:
        client.get(url)
    for i in range(40):
        user = User.objects.create(username=f"extra{i:02d}", display_name=f"员工{i:02d}")
        Membership.objects.create(user=user, unit=org.team_b, role="rep", start=dt.date(2021, 1, 1))
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert _html(page).count('data-testid="person-row"') == 25
    second = _html(client.get(url, {"page": 2}))
    assert second.count('data-testid="person-row"') == 49 - 25


# ------------------------------------------------------------------ create and edit


def _create(client, **overrides):
    data = {
        "display_name": "孙丽",
        "username": "sunli",
        "email": "sunli@example.com",
        "language": "zh-hans",
        "role": "rep",
        "unit": "",
        "start": local_today().isoformat(),
    }
    data.update(overrides)
    return client.post(reverse("accounts:person_create"), data, **EN)


def test_admin_creates_a_rep_and_sees_the_first_password_once(client, org):
    client.force_login(org.admin)
    response = _create(client, unit=str(org.team_a.pk))
    assert response.status_code == 200
    user = User.objects.get(username="sunli")
    password = response.context["created"][0][1]
    assert user.check_password(password)
    assert password in _html(response)
    assert user.language == "zh-hans"
    assert team_of(user, local_today()) == org.team_a
    detail = _html(client.get(reverse("accounts:person_detail", args=[user.pk])))
    assert password not in detail


def test_create_names_the_field_and_why(client, org):
    client.force_login(org.admin)
    taken = _create(client, username="REP", unit=str(org.team_a.pk))
    assert taken.status_code == 400
    assert "This user name is taken." in _html(taken)
    branch = _create(client, unit=str(org.north.pk))
    assert branch.status_code == 400
    assert "Reps and supervisors belong to a team." in _html(branch)
    no_team = _create(client)
    assert "Choose the team" in _html(no_team)
    assert not User.objects.filter(username="sunli").exists()


def test_admin_edits_a_person(client, org):
    client.force_login(org.admin)
    url = reverse("accounts:person_edit", args=[org.rep.pk])
    response = client.post(
        url,
        {
            "display_name": "张伟伟",
            "email": "zw@example.com",
            "phone": "",
            "employee_no": "E01",
            "language": "en",
        },
    )
    assert response.status_code == 302
    org.rep.refresh_from_db()
    assert (org.rep.display_name, org.rep.language, org.rep.employee_no) == ("张伟伟", "en", "E01")
    bad = client.post(url, {"display_name": "x", "email": "not-mail", "language": "fr"}, **EN)
    assert bad.status_code == 400


def test_admin_makes_a_password_reset_link(client, org):
    client.force_login(org.admin)
    response = client.post(reverse("accounts:person_reset_link", args=[org.rep.pk]))
    link = response.context["reset_link"]
    assert "/accounts/password/reset/" in link
    client.logout()
    assert client.get(link, follow=True).status_code == 200


# ------------------------------------------------------------------ teams


def test_admin_creates_a_team_with_a_supervisor_and_changes_it(client, org):
    client.force_login(org.admin)
    today = local_today()
    response = client.post(
        reverse("accounts:team_create"),
        {"name": "北三组", "code": "north-3", "branch": org.north.pk, "supervisor": org.rep.pk},
    )
    assert response.status_code == 302
    team = OrgUnit.objects.get(code="north-3")
    assert team.parent == org.north
    assert team.kind == "team"
    row = Membership.objects.get(unit=team, role="supervisor")
    assert (row.user, row.start) == (org.rep, today)
    # the rep's own team row ended the day before
    old = Membership.objects.get(user=org.rep, unit=org.team_a)
    assert old.end == today - dt.timedelta(days=1)
    taken = client.post(
        reverse("accounts:team_edit", args=["north-3"]),
        {"name": "北三组", "code": "north-1", "branch": org.north.pk},
        **EN,
    )
    assert taken.status_code == 400
    assert "Another unit has this code." in _html(taken)


def test_a_new_supervisor_takes_over_from_today(client, org):
    client.force_login(org.admin)
    today = local_today()
    response = client.post(
        reverse("accounts:team_edit", args=[org.team_b.code]),
        {
            "name": "北二组新",
            "code": org.team_b.code,
            "branch": org.north.pk,
            "supervisor": org.rep_b.pk,
        },
    )
    assert response.status_code == 302
    old = Membership.objects.get(user=org.supervisor_b, unit=org.team_b)
    assert old.end == today - dt.timedelta(days=1)
    assert Membership.objects.get(user=org.rep_b, role="supervisor").start == today


# ------------------------------------------------------------------ moves


def test_a_move_ends_the_old_membership_on_the_day_and_starts_the_next(client, org):
    client.force_login(org.admin)
    today = local_today()
    response = client.post(
        reverse("accounts:person_move", args=[org.rep.pk]),
        {"team": org.team_b.pk, "last_day": today.isoformat()},
    )
    assert response.status_code == 302
    old = Membership.objects.get(user=org.rep, unit=org.team_a)
    new = Membership.objects.get(user=org.rep, unit=org.team_b)
    assert old.end == today
    assert (new.start, new.role, new.end) == (today + dt.timedelta(days=1), "rep", None)
    # KPIs by date: the old team for the old period, the new one from the next day
    assert team_of(org.rep, today) == org.team_a
    assert team_of(org.rep, today + dt.timedelta(days=1)) == org.team_b


def test_backdated_overlapping_and_same_team_moves_are_refused_by_name(client, org):
    client.force_login(org.admin)
    today = local_today()
    url = reverse("accounts:person_move", args=[org.rep.pk])
    back = client.post(
        url, {"team": org.team_b.pk, "last_day": (today - dt.timedelta(days=5)).isoformat()}, **EN
    )
    assert back.status_code == 400
    assert "A move cannot be backdated" in _html(back)
    same = client.post(url, {"team": org.team_a.pk, "last_day": today.isoformat()}, **EN)
    assert "is in 北一组 already" in _html(same)
    person_move(user=org.rep, team=org.team_b, last_day=today + dt.timedelta(days=10))
    overlap = client.post(url, {"team": org.team_s.pk, "last_day": today.isoformat()}, **EN)
    assert overlap.status_code == 400
    assert "This overlaps a membership in 北二组" in _html(overlap)
    assert Membership.objects.filter(user=org.rep).count() == 2


# ------------------------------------------------------------------ leavers


def _customers(org, n=3):
    return [
        customer_create(by=org.rep, name=f"离职交接客户{i}有限公司", owner=org.rep, stage="lead")
        for i in range(n)
    ]


def test_a_leaver_is_deactivated_and_their_customers_go_to_a_colleague_in_one_step(client, org):
    customers = _customers(org)
    client.force_login(org.admin)
    today = local_today()
    response = client.post(
        reverse("accounts:person_deactivate", args=[org.rep.pk]),
        {"last_day": today.isoformat(), "colleague": org.teammate.pk, "reason": "离职"},
    )
    assert response.status_code == 302
    org.rep.refresh_from_db()
    assert not org.rep.is_active
    assert not Membership.objects.filter(user=org.rep, end__isnull=True).exists()
    assert Membership.objects.get(user=org.rep).end == today
    for customer in customers:
        customer.refresh_from_db()
        assert customer.owner == org.teammate
        history = list(Ownership.objects.filter(customer=customer).order_by("start", "id"))
        assert [h.owner for h in history] == [org.rep, org.teammate]
        assert history[0].end is not None
        assert history[1].reason == "离职"
    entry = LogEntry.objects.filter(object_id=org.rep.pk, changes__has_key="offboarding").get()
    assert entry.actor == org.admin
    assert "3" in entry.changes_dict["offboarding"][1]


def test_a_leavers_customers_can_go_to_the_public_pool(client, org):
    customers = _customers(org, 2)
    client.force_login(org.admin)
    client.post(
        reverse("accounts:person_deactivate", args=[org.rep.pk]),
        {"last_day": local_today().isoformat(), "colleague": "", "reason": "离职"},
    )
    assert not Customer.objects.filter(
        pk__in=[c.pk for c in customers], owner__isnull=False
    ).exists()
    assert Customer.objects.filter(team=org.team_a, owner__isnull=True).count() == 2


def test_a_colleague_of_another_team_is_refused_and_nothing_changes(client, org):
    customers = _customers(org, 1)
    client.force_login(org.admin)
    response = client.post(
        reverse("accounts:person_deactivate", args=[org.rep.pk]),
        {"last_day": local_today().isoformat(), "colleague": org.rep_b.pk, "reason": "离职"},
        **EN,
    )
    assert response.status_code == 400
    # the picker offers only reps of the customers' teams, so the form refuses rep_b
    assert "Select a valid choice" in _html(response)
    org.rep.refresh_from_db()
    assert org.rep.is_active
    assert Customer.objects.get(pk=customers[0].pk).owner == org.rep
    assert Membership.objects.get(user=org.rep).end is None


def test_deactivation_refuses_a_future_last_day_and_oneself(client, org):
    client.force_login(org.admin)
    future = (local_today() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("accounts:person_deactivate", args=[org.rep.pk]),
        {"last_day": future, "colleague": "", "reason": "离职"},
        **EN,
    )
    assert "The last day cannot be in the future." in _html(response)
    me = client.post(
        reverse("accounts:person_deactivate", args=[org.admin.pk]),
        {"last_day": local_today().isoformat(), "colleague": "", "reason": "x"},
        **EN,
    )
    assert "You cannot deactivate yourself." in _html(me)
    assert User.objects.get(pk=org.admin.pk).is_active


def test_team_pages_link_creating_and_editing_teams_for_admins_only(client, org):
    client.force_login(org.admin)
    assert 'data-testid="team-new"' in _html(client.get(reverse("accounts:team_list")))
    detail = _html(client.get(reverse("accounts:team_detail", args=[org.team_a.code])))
    assert reverse("accounts:team_edit", args=[org.team_a.code]) in detail
    client.force_login(org.supervisor)
    assert 'data-testid="team-new"' not in _html(client.get(reverse("accounts:team_list")))
    detail = _html(client.get(reverse("accounts:team_detail", args=[org.team_a.code])))
    assert 'data-testid="team-edit"' not in detail


def test_the_move_form_shows_only_for_people_in_a_team(client, org):
    client.force_login(org.admin)
    rep = _html(client.get(reverse("accounts:person_detail", args=[org.rep.pk])))
    assert 'data-testid="move-form"' in rep
    manager = _html(client.get(reverse("accounts:person_detail", args=[org.manager.pk])))
    assert 'data-testid="move-form"' not in manager
    assert 'data-testid="offboard-form"' in manager


def test_a_managers_view_of_a_person_is_read_only(client, org):
    client.force_login(org.manager)
    page = _html(client.get(reverse("accounts:person_detail", args=[org.rep.pk])))
    assert 'data-testid="membership-history"' in page
    assert 'data-testid="move-form"' not in page
    assert 'data-testid="offboard-form"' not in page
    assert reverse("accounts:person_edit", args=[org.rep.pk]) not in page
    listing = _html(client.get(reverse("accounts:people_list")))
    assert 'data-testid="person-new"' not in listing


# ------------------------------------------------- new-user findings (docs/domain, section 1)


def test_the_move_form_names_the_target_team_move_to_team(client, org):
    client.force_login(org.admin)
    en = _html(client.get(reverse("accounts:person_detail", args=[org.rep.pk]), **EN))
    assert "Move to team" in en
    zh = _html(
        client.get(
            reverse("accounts:person_detail", args=[org.rep.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    )
    assert "调入小组" in zh
    assert "新建小组" not in zh.split('data-testid="move-form"')[1].split("</form>")[0]


def test_the_leaver_picker_offers_only_reps_of_the_customers_teams(client, org):
    _customers(org, 1)
    client.force_login(org.admin)
    page = _html(client.get(reverse("accounts:person_detail", args=[org.rep.pk]), **EN))
    form = page.split('data-testid="offboard-form"')[1].split("</form>")[0]
    assert f'value="{org.teammate.pk}"' in form
    assert f'value="{org.rep_b.pk}"' not in form


def test_a_managers_team_filter_lists_only_their_teams(client, org):
    client.force_login(org.manager)  # manages branch north: team_a and team_b
    page = _html(client.get(reverse("accounts:people_list"), **EN))
    outsider_teams = OrgUnit.objects.filter(
        memberships__user=org.outsider, kind=OrgUnit.Kind.TEAM
    ).values_list("code", flat=True)
    assert list(outsider_teams)
    for code in outsider_teams:
        assert f'value="{code}"' not in page
    assert f'value="{org.team_a.code}"' in page


@pytest.mark.parametrize("url", ["accounts:people_list", "accounts:pool_rules"])
def test_a_rep_refused_the_people_or_pool_pages_is_told_why(client, org, url):
    client.force_login(org.rep)
    response = client.get(reverse(url), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    page = _html(response)
    assert "可以查看，但不能修改" not in page
    assert "只有管理员" in page
