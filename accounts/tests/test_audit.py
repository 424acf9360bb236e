"""The audit log: changes to customers, journals, targets, memberships and rights are
recorded with the actor and the old and new values, and only admins read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from customers.services import customer_create
from journals.models import Journal
from kpi.models import Target

pytestmark = pytest.mark.django_db


def _changes(obj) -> list[dict]:
    return [e.changes_dict for e in LogEntry.objects.get_for_object(obj).order_by("pk")]


def test_reassigning_a_customer_through_the_page_logs_the_owner_and_the_actor(client, org):
    customer = customer_create(by=org.rep, name="审计客户有限公司", owner=org.rep, stage="lead")
    client.force_login(org.supervisor)
    response = client.post(
        reverse("customers:customer_reassign", args=[customer.pk]),
        {"reassign-owner": org.teammate.pk, "reassign-reason": "调整"},
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(customer).order_by("-pk").first()
    assert entry.actor == org.supervisor
    assert entry.changes_dict["owner"] == [str(org.rep.pk), str(org.teammate.pk)]


def test_journal_submission_target_membership_and_rights_are_logged(org):
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=dt.date(2026, 11, 2))
    journal.takeaways = "draft text"
    journal.save()  # a draft edit: not logged beyond the creation
    assert len(_changes(journal)) == 1
    journal.status = Journal.Status.SUBMITTED
    journal.submitted_at = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
    journal.save()
    assert _changes(journal)[-1]["status"] == ["draft", "submitted"]

    target = Target.objects.create(
        month=dt.date(2026, 11, 1), metric="deals", value=Decimal(3), rep=org.rep
    )
    target.value = Decimal(5)
    target.save()
    assert _changes(target)[-1]["value"][1] == "5"

    membership = Membership.objects.get(user=org.rep)
    membership.end = dt.date(2026, 12, 31)
    membership.save()
    assert _changes(membership)[-1]["end"] == ["None", "2026-12-31"]

    org.rep.is_staff = True
    org.rep.save()
    assert _changes(org.rep)[-1]["is_staff"] == ["False", "True"]
    org.rep.user_permissions.add(Permission.objects.first())
    assert LogEntry.objects.get_for_object(org.rep).count() >= 2


def test_only_admins_read_the_audit_log(client, org):
    customer_create(by=org.rep, name="审计客户二有限公司", owner=org.rep, stage="lead")
    url = reverse("accounts:audit_log")
    for user in (org.rep, org.supervisor, org.manager):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(org.admin)
    page = client.get(url, {"model": "customer"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "审计客户二有限公司" in page.content.decode()
    assert client.get(url, {"object": "9" * 30, "actor": "x y"}).status_code == 200


def _audit_page(client, lang="en", **params):
    return client.get(reverse("accounts:audit_log"), params, HTTP_ACCEPT_LANGUAGE=lang)


def test_audit_page_shows_field_names_labels_and_names_not_codes_or_ids(client, org):
    customer = customer_create(by=org.rep, name="审计显示有限公司", owner=org.rep, stage="lead")
    client.force_login(org.supervisor)
    client.post(
        reverse("customers:customer_reassign", args=[customer.pk]),
        {"reassign-owner": org.teammate.pk, "reassign-reason": "调整"},
    )
    client.force_login(org.admin)
    page = _audit_page(client, model="customers.customer").content.decode()
    assert "Owner" in page
    assert str(org.teammate) in page
    assert str(org.rep) in page
    assert f">{org.teammate.pk}<" not in page
    assert "None" not in page
    creation = _audit_page(client, model="customers.customer").context["rows"][-1]
    assert {(c.label, c.new) for c in creation.changes} >= {
        ("Stage", "Lead"),
        ("Owner", str(org.rep)),
    }
    assert "<code>owner</code>" not in page
    zh = _audit_page(client, "zh-hans", model="customers.customer").content.decode()
    assert "负责人" in zh
    assert "客户资料" in zh
    assert "Owner" not in zh


def test_a_creation_lists_only_fields_with_a_value(client, org):
    customer_create(by=org.rep, name="审计空值有限公司", owner=org.rep, stage="lead")
    client.force_login(org.admin)
    page = _audit_page(client, model="customers.customer").content.decode()
    assert "None" not in page
    # website, province and pool_since are empty on creation: not listed at all
    assert "Website" not in page
    assert "Pool since" not in page.replace("pool since", "")


def test_audit_filters_by_kind_actor_and_dates_and_links_visible_objects(client, org):
    customer = customer_create(by=org.rep, name="审计过滤有限公司", owner=org.rep, stage="lead")
    target = Target.objects.create(
        month=dt.date(2026, 11, 1), metric="deals", value=Decimal(3), rep=org.rep
    )
    client.force_login(org.admin)
    response = _audit_page(client, model="customers.customer")
    assert {row.model_label for row in response.context["rows"]} == {"Customer"}
    only_customers = response.content.decode()
    assert "审计过滤有限公司" in only_customers
    link = reverse("customers:customer_detail", args=[customer.pk])
    assert f'href="{link}"' in only_customers
    LogEntry.objects.filter(object_id=target.pk, content_type__model="target").update(
        timestamp=dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    )
    january = _audit_page(client, date_from="2026-01-01", date_to="2026-01-31")
    assert [row.entry.object_id for row in january.context["rows"]] == [target.pk]
    bad = _audit_page(client, date_from="2026-13-45")
    assert bad.status_code == 200
    assert "2026-13-45" in bad.content.decode()
    assert _audit_page(client, actor=str(org.manager.pk)).context["rows"] == []
    customer.name = "审计过滤改名有限公司"
    with set_actor(org.supervisor):
        customer.save()
    by_supervisor = _audit_page(client, actor=str(org.supervisor.pk)).context["rows"]
    assert [row.entry.object_id for row in by_supervisor] == [customer.pk]
    customer.delete()
    after = _audit_page(client, model="customers.customer").content.decode()
    assert f'href="{link}"' not in after
    assert "审计过滤有限公司" in after


def test_audit_page_query_count_does_not_grow_with_entries(
    client, org, django_assert_max_num_queries
):
    def make(n: int) -> None:
        for i in range(n):
            c = customer_create(
                by=org.rep, name=f"审计计数{i}号有限公司", owner=org.rep, stage="lead"
            )
            c.owner = org.teammate
            c.save()

    client.force_login(org.admin)
    make(2)
    with CaptureQueriesContext(connection) as few:
        assert _audit_page(client).status_code == 200
    make(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = _audit_page(client)
    assert page.content.decode().count("审计计数") >= 14


def test_the_audit_page_reads_in_the_viewers_language_whoever_wrote_the_entry(client, org):
    """Labels, actions, a membership's role and a leaver's deactivation in the viewer's
    language; only names (people, teams, customers) and the writer's reason stay as typed."""
    import datetime as dt

    from django.utils import translation

    from accounts.people import person_move
    from accounts.scoping import local_today
    from weekly.models import WeeklyReport, WeeklyReportRevision

    today = local_today()
    customer_create(by=org.rep, name="审计语言有限公司", owner=org.rep, stage="lead")
    report = WeeklyReport.objects.create(
        rep=org.rep, team=org.team_a, week=today - dt.timedelta(days=today.weekday())
    )
    report.status = "submitted"
    report.submitted_at = dt.datetime.now(dt.UTC)
    report.reviewed_by = org.supervisor
    report.revision = 2
    report.save()
    WeeklyReportRevision.objects.create(report=report, number=1, content={})
    with translation.override("zh-hans"):  # written by a Chinese-speaking admin
        person_move(user=org.teammate, team=org.team_b, last_day=today)
    client.force_login(org.admin)
    client.post(
        reverse("accounts:person_deactivate", args=[org.rep.pk]),
        {"last_day": today.isoformat(), "colleague": "", "reason": "Left"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    zh = _audit_page(client, "zh-hans").content.decode()
    for english in [
        ">create<",
        ">update<",
        "Revision:",
        "Status:",
        "Submitted at:",
        "Reviewed by:",
        "Offboarding:",
        "Report:",
        "Weekly report revision",
        "customers to",
    ]:
        assert english not in zh, english
    assert "进展" not in zh
    assert "修改" in zh
    assert "新建" in zh
    en = _audit_page(client, "en").content.decode()
    for chinese in ["个客户交给", "条任职", "· 销售 ·", "· 主管 ·", "离职交接", "修改", "新建"]:
        assert chinese not in en, chinese
    assert "customers to the public pool" in en
    assert "· Rep ·" in en
