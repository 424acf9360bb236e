"""The admins' public pool rules page: every rule saved per organisation, each refusal
named at its field with the reason (N <= M <= K, bounds, automatic release after the
manual one), nothing saved on a refusal, and nobody but an admin reads or changes it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import OrgSettings

pytestmark = pytest.mark.django_db

URL = reverse("accounts:pool_rules")
GOOD = {
    "follow_up_rep_days": "1",
    "follow_up_supervisor_days": "3",
    "follow_up_pool_days": "7",
    "pool_release_days": "30",
    "auto_release_days": "60",
    "claim_limit": "20",
    "reclaim_cooldown_days": "14",
}


def test_admin_saves_the_rules(org, client_for):
    client = client_for(org.admin)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b"Offer to the pool after (K days)" in page.content
    answer = client.post(URL, GOOD)
    assert answer.status_code == 302
    saved = OrgSettings.load()
    assert (
        saved.follow_up_rep_days,
        saved.follow_up_supervisor_days,
        saved.follow_up_pool_days,
        saved.pool_release_days,
        saved.auto_release_days,
        saved.claim_limit,
        saved.reclaim_cooldown_days,
    ) == (1, 3, 7, 30, 60, 20, 14)
    # the rules are used where they apply: the claim rules read the same row
    assert client.get(URL).context["form"].initial["claim_limit"] == 20


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"follow_up_supervisor_days": "0", "follow_up_pool_days": "0"}, None, None),
        (
            {"follow_up_supervisor_days": "5", "follow_up_pool_days": "4"},
            "follow_up_pool_days",
            "Offer to the pool after (K days) (4 days) cannot come before Alert the supervisor",
        ),
        (
            {"follow_up_rep_days": "5", "follow_up_supervisor_days": "2"},
            "follow_up_supervisor_days",
            "cannot come before Alert the rep after (N days) (5 days)",
        ),
        (
            {
                "follow_up_supervisor_days": "0",
                "follow_up_pool_days": "0",
                "follow_up_rep_days": "9",
            },
            None,
            None,
        ),
        ({"auto_release_days": "10"}, "auto_release_days", "make it at least 30"),
        ({"claim_limit": "5000"}, "claim_limit", "between 0 and 1000"),
        ({"reclaim_cooldown_days": "400"}, "reclaim_cooldown_days", "between 0 and 365"),
        ({"pool_release_days": "0"}, "pool_release_days", "1 day at the earliest"),
        ({"follow_up_rep_days": "abc"}, "follow_up_rep_days", "whole number"),
        ({"follow_up_rep_days": "-2"}, "follow_up_rep_days", "greater than or equal to 0"),
        ({"claim_limit": ""}, "claim_limit", "Enter a number of days"),
    ],
)
def test_each_bad_value_is_named_at_its_field(org, client_for, change, field, words):
    before = OrgSettings.load()
    answer = client_for(org.admin).post(URL, {**GOOD, **change}, HTTP_ACCEPT_LANGUAGE="en")
    if field is None:  # a step turned off does not constrain the others
        assert answer.status_code == 302
        return
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert list(errors) == [field]
    assert words in errors[field][0]
    assert f'data-testid="error-{field}"' in answer.content.decode()
    after = OrgSettings.load()
    assert after.claim_limit == before.claim_limit  # nothing saved


def test_messages_in_chinese(org, client_for):
    answer = client_for(org.admin).post(
        URL, {**GOOD, "follow_up_pool_days": "2"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "不能早于" in answer.context["form"].errors["follow_up_pool_days"][0]
    assert "未保存" in answer.content.decode()


def test_only_admins(org, client_for):
    for user in (org.rep, org.supervisor, org.manager, org.outsider_supervisor):
        client = client_for(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {**GOOD, "claim_limit": "1"}).status_code == 403
    assert OrgSettings.load().claim_limit == 0
    menu = client_for(org.admin).get("/accounts/profile/").content.decode()
    assert URL in menu
    assert URL not in client_for(org.manager).get("/accounts/profile/").content.decode()


def test_the_django_admin_keeps_the_same_rules(org, client_for):
    """The settings row is also editable in /admin/: the same checks refuse there."""
    from accounts.admin import OrgSettingsForm

    current = OrgSettings.load()
    data = {
        f.name: getattr(current, f.name)
        for f in OrgSettings._meta.fields
        if f.name != "id" and f.editable
    }
    data.update({"follow_up_supervisor_days": 9, "follow_up_pool_days": 4})
    form = OrgSettingsForm(data, instance=current)
    assert not form.is_valid()
    assert "不能早于" in form.errors["follow_up_pool_days"][0]
    data.update({"follow_up_pool_days": 12})
    assert OrgSettingsForm(data, instance=current).is_valid()
