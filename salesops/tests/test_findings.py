"""One regression test per finding of the security review that is not pinned elsewhere
(docs/architecture.md, "Security" lists where each one lives)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "1-W1", "2026-W99", "2026-10"])
def test_team_report_of_an_impossible_week_is_404_not_500(client, org, week):
    client.force_login(org.supervisor)
    for name in ("weekly:team_report", "weekly:team_report_export"):
        response = client.get(reverse(name, args=[org.team_a.code, week]))
        assert response.status_code == 404


@pytest.mark.parametrize("key", ["team", "branch", "rep"])
def test_dashboard_filter_with_a_slash_is_404_not_500(client, org, key):
    client.force_login(org.manager)
    assert client.get(reverse("kpi:dashboard"), {key: "a/b"}).status_code == 404
    assert client.get(reverse("kpi:dashboard"), {key: "x y"}, follow=True).status_code == 404


def test_pool_release_with_an_id_beyond_64_bits_releases_nothing(client, org):
    client.force_login(org.supervisor)
    response = client.post(reverse("customers:pool_release"), {"ids": ["9" * 30, "-1"]})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:pool")


def test_a_next_that_is_not_a_path_is_ignored(client, org):
    client.force_login(org.rep)
    response = client.post(reverse("accounts:notification_read"), {"next": "2026-13"})
    assert response["Location"] == reverse("accounts:notification_list")


def _moved_rep(org):
    """rep_b was a rep of team_a (led by ``supervisor``) until September 2026 and is in
    team_b from October on."""
    import datetime as dt

    from accounts.models import Membership

    Membership.objects.filter(user=org.rep_b).update(start=dt.date(2026, 10, 1))
    Membership.objects.create(
        user=org.rep_b,
        unit=org.team_a,
        role="rep",
        start=dt.date(2020, 1, 1),
        end=dt.date(2026, 9, 30),
    )
    return org.rep_b


def _targets_xlsx(rows):
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_target_import_refuses_a_rep_who_has_left_the_importers_team(org):
    import datetime as dt
    from decimal import Decimal

    from accounts.scoping import scope_for
    from kpi.models import Target
    from kpi.targets import target_set, targets_import

    moved = _moved_rep(org)
    nov = dt.date(2026, 11, 1)
    target_set(month=nov, metric="deals", value=Decimal(3), by=org.supervisor_b, rep=moved)
    data = _targets_xlsx(
        [
            ["rep", "team", "month", "metric", "value"],
            ["rep_b", "", "2026-11", "deals", 99],  # now team_b's: refused
            ["rep_b", "", "2026-09", "deals", 7],  # was team_a's then: accepted
        ]
    )
    from django.utils.translation import override

    with override("en"):
        result = targets_import(data=data, by=org.supervisor, scope=scope_for(org.supervisor))
        assert [str(e) for e in result.errors] == [
            "row 2, rep: unknown or not in your teams that month: rep_b"
        ]
    assert result.written == 1
    assert Target.objects.get(rep=moved, month=nov).value == Decimal(3)
    assert Target.objects.get(rep=moved, month=dt.date(2026, 9, 1)).value == Decimal(7)


def test_target_export_leaves_out_a_rep_who_has_left_the_team(client, org):
    import datetime as dt
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    from kpi.targets import target_set

    moved = _moved_rep(org)
    target_set(
        month=dt.date(2026, 11, 1), metric="deals", value=Decimal(3), by=org.supervisor_b, rep=moved
    )
    client.force_login(org.supervisor)
    response = client.get(reverse("kpi:target_export"), {"month": "2026-11"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert all(row[0] != "rep_b" for row in rows[1:])


def test_nobody_comments_on_someone_elses_draft_analysis(client, org):
    import datetime as dt

    from kpi.models import MonthlyAnalysis, MonthlyAnalysisComment

    analysis = MonthlyAnalysis.objects.create(
        rep=org.rep, team=org.team_a, month=dt.date(2026, 10, 1), author=org.rep
    )
    url = reverse("kpi:analysis_comment", args=[analysis.pk])
    client.force_login(org.supervisor)
    assert client.post(url, {"text": "looks thin"}).status_code == 403
    assert not MonthlyAnalysisComment.objects.exists()
    analysis.status = MonthlyAnalysis.Status.SUBMITTED
    analysis.save()
    assert client.post(url, {"text": "looks thin"}).status_code == 302
    assert MonthlyAnalysisComment.objects.count() == 1


EVIL_TEXT = '=HYPERLINK("http://evil.example","click")'


def _no_formula_cells(content: bytes) -> list[str]:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    return [
        f"{ws.title}!{cell.coordinate}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def test_journal_export_writes_formula_text_as_text(client, org):
    import datetime as dt

    from journals.models import Journal

    org.rep.display_name = EVIL_TEXT
    org.rep.save()
    day = dt.date(2026, 3, 2)
    Journal.objects.create(rep=org.rep, team=org.team_a, day=day, takeaways=EVIL_TEXT)
    client.force_login(org.supervisor)
    response = client.get(reverse("journals:export_month"), {"rep": org.rep.pk, "month": "2026-03"})
    assert response.status_code == 200
    assert _no_formula_cells(response.content) == []


def test_weekly_and_team_weekly_exports_write_formula_text_as_text(client, org):
    import datetime as dt

    from kpi.calculations import period_of
    from weekly.models import TeamWeeklyReport, WeeklyReport

    week = period_of(dt.date(2026, 11, 2), "week")
    report = WeeklyReport.objects.create(
        rep=org.rep, team=org.team_a, week=week.start, summary=EVIL_TEXT, analysis=EVIL_TEXT
    )
    TeamWeeklyReport.objects.create(
        team=org.team_a,
        week=week.start,
        author=org.supervisor,
        summary=EVIL_TEXT,
        training_topics=EVIL_TEXT,
    )
    client.force_login(org.supervisor)
    personal = client.get(reverse("weekly:report_export", args=[report.pk]))
    team = client.get(reverse("weekly:team_report_export", args=[org.team_a.code, week.key]))
    assert personal.status_code == team.status_code == 200
    assert _no_formula_cells(personal.content) == []
    assert _no_formula_cells(team.content) == []


def _visit_with_photo(org, tmp_path, settings):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from customers.services import customer_create
    from journals.models import Journal, Visit

    from .world import tiny_png

    settings.MEDIA_ROOT = tmp_path
    customer = customer_create(by=org.rep, name="照片客户有限公司", owner=org.rep, stage="lead")
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=dt.date(2026, 11, 2))
    return Visit.objects.create(
        journal=journal,
        rep=org.rep,
        team=org.team_a,
        customer=customer,
        purpose="first",
        occurred_at=timezone.now(),
        stage_before="lead",
        checkin_photo=ContentFile(tiny_png(), name="我的照片.PNG"),
    )


def test_uploaded_files_get_unguessable_names_and_no_media_url(org, tmp_path, settings):
    import re

    from django.urls import Resolver404, resolve

    visit = _visit_with_photo(org, tmp_path, settings)
    assert re.fullmatch(r"checkins/[0-9a-f]{32}\.png", visit.checkin_photo.name)
    with pytest.raises(Resolver404):
        resolve("/media/" + visit.checkin_photo.name)


def test_media_is_not_served_even_with_debug(settings):
    import importlib

    import salesops.urls

    settings.DEBUG = True
    try:
        module = importlib.reload(salesops.urls)
        assert not any("media" in str(p.pattern) for p in module.urlpatterns)
    finally:
        settings.DEBUG = False
        importlib.reload(salesops.urls)


def test_checkin_photo_is_served_only_to_those_who_see_the_visit(client, org, tmp_path, settings):
    visit = _visit_with_photo(org, tmp_path, settings)
    url = reverse("journals:visit_photo", args=[visit.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(org.teammate)
    assert client.get(url).status_code == 404
    client.force_login(org.supervisor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_checkin_photo_must_be_an_image_within_the_pixel_limit(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
    from django.utils.datastructures import MultiValueDict
    from django.utils.translation import override

    from journals.forms import CheckInForm

    from .world import tiny_png

    def photo(upload: SimpleUploadedFile) -> MultiValueDict[str, UploadedFile]:
        return MultiValueDict({"photo": [upload]})

    position = {"latitude": "22.5", "longitude": "114.0"}
    with override("en"):
        text = CheckInForm(
            position, MultiValueDict({"photo": [SimpleUploadedFile("a.jpg", b"not an image")]})
        )
        assert not text.is_valid()
        assert "must be an image" in str(text.errors["photo"])
        settings.CHECKIN_PHOTO_MAX_PIXELS = 100
        big = CheckInForm(position, photo(SimpleUploadedFile("b.png", tiny_png((20, 20)))))
        assert not big.is_valid()
        assert "too many pixels" in str(big.errors["photo"])
        settings.CHECKIN_PHOTO_MAX_PIXELS = 1000
        ok = CheckInForm(position, photo(SimpleUploadedFile("c.png", tiny_png((20, 20)))))
        assert ok.is_valid(), ok.errors


from kpi.tests.test_views import computed  # noqa: E402, F401 - a fixture of the KPI tests


def test_drilldown_does_not_name_a_customer_who_moved_to_another_team(client, org, computed):  # noqa: F811
    from customers.models import Customer

    made, _other = computed
    moved = made[0]
    Customer.objects.filter(pk=moved.pk).update(team=org.team_s, owner=org.outsider)
    client.force_login(org.supervisor)
    response = client.get(
        reverse("kpi:drilldown"),
        {"scope": "team:north-1", "period": "2026-10", "metric": "intents"},
    )
    html = response.content.decode()
    assert response.context["count"] == 2  # the figure is unchanged
    assert moved.name not in html
    assert reverse("customers:customer_detail", args=[moved.pk]) not in html
    assert 'data-testid="drill-hidden"' in html
    assert made[1].name in html


def test_a_nul_byte_in_any_parameter_is_a_400_not_a_database_error(client, org):
    client.force_login(org.supervisor)
    for url in (reverse("customers:customer_list"), reverse("journals:customer_search")):
        assert client.get(url, {"q": "abc\x00def"}).status_code == 400
    assert client.post(reverse("customers:pool_release"), {"ids": "1\x00"}).status_code == 400
    assert client.get(reverse("customers:customer_list"), {"q": "abc"}).status_code == 200


@pytest.mark.parametrize(
    ("language", "text"), [("zh-hans", "暂时无法使用"), ("en", "Briefly unavailable")]
)
def test_database_outage_page_is_a_friendly_503_in_the_users_language(rf, language, text):
    from django.db import OperationalError
    from django.utils.translation import override

    from salesops.views import server_error

    request = rf.get("/journals/inbox/")
    with override(language):
        try:
            raise OperationalError("connection refused")
        except OperationalError:
            response = server_error(request)
    assert response.status_code == 503
    assert text in response.content.decode()


def test_healthz_names_the_service_that_is_down(client, monkeypatch):
    from django.db import OperationalError

    from salesops import views

    class Down:
        def __enter__(self):
            raise OperationalError("down")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: Down())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
    assert response.json()["broker"] == "eager"


def test_a_nul_byte_in_an_api_parameter_is_the_apis_json_400(client, org):
    client.force_login(org.supervisor)
    response = client.get("/api/v1/visits/", {"q": "abc\x00def"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert list(response.json()) == ["non_field_errors"]


def test_a_supervisor_who_has_left_the_team_sets_no_targets_by_import_page_or_api(client, org):
    """F-01: rights come from memberships active today; the supervisor of team_a left it
    yesterday, so the import refuses the team's row and its rep's row, the page is 404 and
    the API refuses and hides the team's targets (docs/domain, section 1)."""
    import datetime as dt
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.translation import override
    from rest_framework.test import APIClient

    from accounts.models import Membership
    from accounts.scoping import local_today, scope_for
    from kpi.models import Target
    from kpi.targets import target_set, targets_import

    month = local_today().replace(day=1)
    kept = target_set(month=month, metric="deals", value=Decimal(2), by=org.admin, team=org.team_a)
    assert kept is not None
    Membership.objects.filter(user=org.supervisor, unit=org.team_a).update(
        end=local_today() - dt.timedelta(days=1)
    )
    data = _targets_xlsx(
        [
            ["rep", "team", "month", "metric", "value"],
            ["", org.team_a.code, f"{month:%Y-%m}", "deals", 99],
            [org.rep.username, "", f"{month:%Y-%m}", "deals", 99],
        ]
    )
    with override("en"):
        result = targets_import(data=data, by=org.supervisor, scope=scope_for(org.supervisor))
        assert [(e.row, e.field) for e in result.errors] == [(2, "team"), (3, "rep")]
    assert result.written == 0
    client.force_login(org.supervisor)
    page = client.post(reverse("kpi:target_import"), {"file": SimpleUploadedFile("t.xlsx", data)})
    assert page.status_code == 404
    api = APIClient()
    api.force_login(org.supervisor)
    body = {"team": org.team_a.pk, "month": f"{month:%Y-%m}", "metric": "deals", "value": "1"}
    assert api.post("/api/v1/targets/", body, format="json").status_code == 400
    assert api.get(f"/api/v1/targets/{kept.pk}/").status_code == 404
    assert list(Target.objects.values_list("value", flat=True)) == [Decimal(2)]


def test_the_targets_api_hides_a_rep_who_has_moved_to_another_team(org):
    """F-02 for the API: rep_b left team_a in September; team_a's supervisor no longer reads
    rep_b's targets, team_b's supervisor does."""
    import datetime as dt
    from decimal import Decimal

    from rest_framework.test import APIClient

    from kpi.targets import target_set

    moved = _moved_rep(org)
    row = target_set(
        month=dt.date(2026, 11, 1), metric="deals", value=Decimal(3), by=org.supervisor_b, rep=moved
    )
    assert row is not None
    api = APIClient()
    api.force_login(org.supervisor)
    assert api.get(f"/api/v1/targets/{row.pk}/").status_code == 404
    assert row.pk not in [t["id"] for t in api.get("/api/v1/targets/").json()["results"]]
    api.force_login(org.supervisor_b)
    assert api.get(f"/api/v1/targets/{row.pk}/").status_code == 200


def test_a_page_whose_database_is_unreachable_answers_a_friendly_503(client, org, monkeypatch):
    """F-18 end to end: the database fails inside a real request (the scope lookup every
    page makes); handler500 answers 503 with Retry-After and the friendly page, not a 500."""
    from django.db import OperationalError

    import accounts.middleware

    def down(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    client.force_login(org.rep)
    client.raise_request_exception = False
    monkeypatch.setattr(accounts.middleware, "scope_for", down)
    response = client.get(reverse("journals:today"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Briefly unavailable" in response.content.decode()
    assert "Connection refused" not in response.content.decode()
