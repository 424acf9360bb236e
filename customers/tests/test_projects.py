"""Big-account projects (docs/domain, section 7): the rules the issue pins, and the pages."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from accounts.scoping import local_today, scope_for
from customers.models import Contact, DocumentVersion, Project
from customers.projects import selectors, services
from customers.projects.documents import stored_name_is_safe
from customers.tests.factories import make_customer

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture
def project(org) -> Project:
    customer = make_customer(org.rep, segment="group", stage="relationship")
    return services.project_create(
        scope=scope_for(org.rep),
        by=org.rep,
        customer=customer,
        owner=org.rep,
        name="云网一体化项目",
        expected_value=Decimal("20000"),
        expected_signing=local_today() + dt.timedelta(days=60),
    )


def test_a_project_gets_the_organisations_nine_control_points(project):
    points = list(project.points.all())
    assert [p.code for p in points][:2] == ["relationship", "needs"]
    assert len(points) == 9
    assert {p.status for p in points} == {"not_started"}


def test_projects_are_for_group_customers_and_owners_of_the_team(org):
    mass = make_customer(org.rep)
    scope = scope_for(org.rep)
    kwargs = {
        "scope": scope,
        "by": org.rep,
        "name": "",
        "expected_value": Decimal("1"),
        "expected_signing": local_today(),
    }
    with pytest.raises(ValidationError) as error:
        services.project_create(customer=mass, owner=org.rep, **kwargs)
    assert "customer" in error.value.message_dict
    group = make_customer(org.rep, segment="group")
    with pytest.raises(ValidationError) as error:
        services.project_create(customer=group, owner=org.rep_b, **kwargs)
    assert "owner" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.project_create(
            customer=group, owner=org.rep, **{**kwargs, "scope": scope_for(org.manager)}
        )


def test_a_point_cannot_be_done_before_its_predecessors_unless_the_supervisor_overrides(
    org, project
):
    third = project.points.get(position=3)
    with pytest.raises(ValidationError) as error:
        services.point_update(point=third, scope=scope_for(org.rep), by=org.rep, status="done")
    assert "status" in error.value.message_dict
    third.refresh_from_db()
    assert third.status == "not_started"
    with pytest.raises(ValidationError) as error:
        services.point_update(
            point=third, scope=scope_for(org.supervisor), by=org.supervisor, status="done"
        )
    assert "override_note" in error.value.message_dict
    services.point_update(
        point=third,
        scope=scope_for(org.supervisor),
        by=org.supervisor,
        status="done",
        override_note="客户高层已口头确认决策流程",
    )
    third.refresh_from_db()
    assert third.status == "done"
    assert third.overridden_by == org.supervisor
    # In order, the rep needs no override; each update is a dated row.
    for position in (1, 2):
        point = project.points.get(position=position)
        services.point_update(
            point=point, scope=scope_for(org.rep), by=org.rep, status="done", text="ok"
        )
    assert project.points.get(position=1).updates.count() == 1


@translation.override("en")
def test_uploads_refuse_other_types_and_sizes_with_a_clear_message(
    org, project, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    scope = scope_for(org.rep)
    upload = {"project": project, "scope": scope, "by": org.rep, "kind": "proposal", "title": ""}
    with pytest.raises(ValidationError) as error:
        services.document_upload(name="run.exe", data=b"MZ\x90\x00", **upload)
    assert "run.exe is not accepted" in error.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as error:
        services.document_upload(name="fake.pdf", data=b"<html>", **upload)
    assert "not a real PDF" in error.value.message_dict["file"][0]
    settings.PROJECT_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as error:
        services.document_upload(name="big.pdf", data=PDF, **upload)
    assert "the limit is" in error.value.message_dict["file"][0]
    settings.PROJECT_DOCUMENT_MAX_BYTES = 1024 * 1024
    first = services.document_upload(name="方案.pdf", data=PDF, **{**upload, "title": "方案"})
    second = services.document_upload(
        name="方案v2.docx", data=docx_bytes(), **{**upload, "title": "方案"}
    )
    assert (first.document_id, first.number, second.number) == (second.document_id, 1, 2)
    assert DocumentVersion.objects.count() == 2


def test_stored_names_cannot_escape_the_storage_folder(org, project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = services.document_upload(
        project=project,
        scope=scope_for(org.rep),
        by=org.rep,
        kind="proposal",
        title="",
        name="../../../etc/passwd.pdf",
        data=PDF,
    )
    assert version.original_name == "passwd.pdf"
    assert stored_name_is_safe(version.file.name, "projects")
    stored = Path(version.file.path).resolve()
    assert stored.is_relative_to((tmp_path / "projects").resolve())
    for bad in ("../x.pdf", "projects/../../x.pdf", "/etc/passwd", "projects/a/b.pdf", "x.pdf"):
        assert not stored_name_is_safe(bad, "projects")
    # A row pointing outside (say, written by hand) is never served.
    DocumentVersion.objects.filter(pk=version.pk).update(file="projects/../../secret.pdf")
    client = _client(org.rep)
    assert client.get(reverse("projects:document_download", args=[version.pk])).status_code == 404


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_other_teams_get_404_downloads_included(org, project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = services.document_upload(
        project=project,
        scope=scope_for(org.rep),
        by=org.rep,
        kind="proposal",
        title="",
        name="a.pdf",
        data=PDF,
    )
    urls = [
        ("get", reverse("projects:project_detail", args=[project.pk])),
        ("get", reverse("projects:document_download", args=[version.pk])),
        ("post", reverse("projects:project_status", args=[project.pk])),
        ("post", reverse("projects:point_update", args=[project.pk, 1])),
        ("post", reverse("projects:chain_add", args=[project.pk])),
        ("post", reverse("projects:document_upload", args=[project.pk])),
    ]
    for user in (org.outsider, org.supervisor_b, org.teammate, org.outsider_supervisor):
        client = _client(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (user, url)
    owner = _client(org.rep)
    response = owner.get(reverse("projects:document_download", args=[version.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    # The manager above reads but cannot change (403).
    manager = _client(org.manager)
    assert manager.get(reverse("projects:project_detail", args=[project.pk])).status_code == 200
    assert manager.post(reverse("projects:point_update", args=[project.pk, 1])).status_code == 403


def test_pages_flow_chain_points_upload_and_winning_moves_the_customer_to_deal(
    org, project, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = _client(org.rep)
    url = reverse("projects:project_detail", args=[project.pk])
    response = client.post(
        reverse("projects:chain_add", args=[project.pk]),
        {
            "new_name": "周总",
            "new_title": "CIO",
            "role": "decision_maker",
            "attitude": "supporter",
            "order": 2,
        },
    )
    assert response.status_code == 302
    assert Contact.objects.filter(customer=project.customer, name="周总").exists()
    response = client.post(
        reverse("projects:point_update", args=[project.pk, 2]),
        {"p2-status": "done", "p2-text": "x"},
    )
    assert response.status_code == 200
    assert (
        "Finish the earlier control points first" in response.content.decode()
        or "先" in response.content.decode()
    )
    response = client.post(
        reverse("projects:document_upload", args=[project.pk]),
        {"kind": "proposal", "title": "", "file": SimpleUploadedFile("x.txt", b"hello")},
    )
    assert response.status_code == 200
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "周总" in page.content.decode()
    assert (
        client.post(
            reverse("projects:project_status", args=[project.pk]), {"status": "won"}
        ).status_code
        == 302
    )
    project.customer.refresh_from_db()
    assert project.customer.stage == "deal"
    assert project.customer.stage_changes.last().source == "system"


def test_list_filters_and_overdue_flag(org, project, django_assert_num_queries):
    point = project.points.get(position=1)
    point.due = local_today() - dt.timedelta(days=3)
    point.save()
    scope = scope_for(org.supervisor)
    every = selectors.project_list(
        scope=scope, filters=selectors.ProjectFilters(), today=local_today()
    )
    assert [p.has_overdue for p in every] == [True]  # type: ignore[attr-defined]
    assert every[0].current_position == 1  # type: ignore[attr-defined]
    assert (
        selectors.project_list(
            scope=scope,
            filters=selectors.ProjectFilters(min_value=Decimal("30000")),
            today=local_today(),
        )
        == []
    )
    assert [
        p.pk for p in selectors.overdue_points(team_ids=[org.team_a.pk], today=local_today())
    ] == [point.pk]
    client = _client(org.supervisor)
    with django_assert_num_queries(8):
        response = client.get(reverse("projects:project_list") + "?overdue=1")
    assert response.status_code == 200
    assert "overdue-flag" in response.content.decode()
    other = make_customer(org.teammate, segment="group")
    services.project_create(
        scope=scope_for(org.teammate),
        by=org.teammate,
        customer=other,
        owner=org.teammate,
        name="second",
        expected_value=Decimal("1"),
        expected_signing=local_today(),
    )
    with django_assert_num_queries(8):  # does not grow with the rows
        assert "second" in client.get(reverse("projects:project_list")).content.decode()
    assert client.get(reverse("projects:project_board")).status_code == 200


def test_overdue_points_show_on_the_team_page_and_the_meetings(org, project, client_for):
    point = project.points.get(position=1)
    point.due = local_today() - dt.timedelta(days=2)
    point.save()
    client = client_for(org.supervisor)
    pages = [
        reverse("accounts:team_detail", args=[org.team_a.code]),
        reverse("journals:morning_meeting") + f"?team={org.team_a.pk}",
        reverse("weekly:meeting") + f"?team={org.team_a.pk}",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "云网一体化项目" in html, url
        assert 'data-testid="overdue-flag"' in html, url
    # The rep's teammate is no lead of the team: no panel on the team page.
    assert "云网一体化项目" not in client_for(org.teammate).get(pages[0]).content.decode()


def test_overdue_only_team_projects_match_the_annotated_ones_in_at_most_two_queries(
    org, project, django_assert_num_queries
):
    today = local_today()
    services.project_create(
        scope=scope_for(org.rep),
        by=org.rep,
        customer=make_customer(org.rep, segment="group", stage="relationship"),
        owner=org.rep,
        name="on time",
        expected_value=Decimal("1"),
        expected_signing=today + dt.timedelta(days=30),
    )

    def overdue_only():
        return selectors.team_projects(
            team_ids=[org.team_a.pk], today=today, since=today, overdue_only=True
        )

    def annotations(p):
        return (p.pk, p.has_overdue, p.current_position, p.current_zh, p.current_en)

    with django_assert_num_queries(1):
        assert overdue_only() == []
    first, second = project.points.order_by("position")[:2]
    first.due = today - dt.timedelta(days=1)
    first.save()
    every = {
        p.pk: p for p in selectors.team_projects(team_ids=[org.team_a.pk], today=today, since=today)
    }
    assert sorted(p.name for p in every.values()) == ["on time", "云网一体化项目"]
    with django_assert_num_queries(2):
        overdue = overdue_only()
    assert [annotations(p) for p in overdue] == [annotations(every[project.pk])]
    assert overdue[0].current_position == 1
    assert overdue[0].recent_versions == []
    # The first point done, the second overdue: the current point is the second.
    first.status = "done"
    first.save()
    second.due = today - dt.timedelta(days=3)
    second.save()
    every = {
        p.pk: p for p in selectors.team_projects(team_ids=[org.team_a.pk], today=today, since=today)
    }
    overdue = overdue_only()
    assert [annotations(p) for p in overdue] == [annotations(every[project.pk])]
    assert overdue[0].current_position == second.position


def test_gantt_axis_of_a_one_day_project_spans_a_week_with_distinct_dates(project):
    """Every point without dates lasts the creation day: the axis still covers
    ``GANTT_MIN_DAYS`` days, each with its own label, in the active language."""
    today = local_today()
    detail = selectors.project_detail(project)
    with translation.override("en"):
        data = selectors.gantt(detail, today)
    assert {(r["from"], r["to"]) for r in data["rows"]} == {(0, 1)}
    assert data["span"] == selectors.GANTT_MIN_DAYS == 7
    days = [today + dt.timedelta(days=d) for d in range(8)]
    months = ["January", "February", "March", "April", "May", "June", "July"]
    months += ["August", "September", "October", "November", "December"]
    assert data["labels"] == [f"{months[d.month - 1]} {d.day}" for d in days]
    with translation.override("zh-hans"):
        data = selectors.gantt(detail, today)
    assert data["labels"] == [f"{d.month:02d}月{d.day}日" for d in days]
    assert len(set(data["labels"])) == 8
    # A longer project: the axis reaches the last bar's end.
    point = project.points.get(position=9)
    point.start, point.due = today, today + dt.timedelta(days=20)
    point.save()
    assert selectors.gantt(selectors.project_detail(project), today)["span"] == 21
