"""The import pages: upload -> preview (mapping editable) -> confirm -> progress ->
result and error workbook, for admins only; every real file through the browser flow."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import OrgUnit
from customers.import_service import import_job_create
from customers.models import BillingMonth, Customer, ImportJob
from customers.tests.test_import_support import (
    FIXTURES,
    NO_NAME_FILES,
    REAL_FILES,
    english,  # noqa: F401 - fixture
    last_month,
    media,  # noqa: F401 - fixture
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "english")]


@pytest.fixture
def admin(org, client_for):
    return client_for(org.admin)


def _upload(client, name: str, data: bytes, **extra: str):
    """Upload through the page, into the team north-1 unless ``team`` is given: a new
    customer needs a team (docs/domain, section 5, Public pool)."""
    team = OrgUnit.objects.get(code="north-1").pk
    payload = {
        "file": SimpleUploadedFile(name, data),
        "kind": "customers",
        "on_duplicate": "skip",
        "team": str(team),
    }
    payload.update(extra)
    return client.post(reverse("customers:import_new"), payload)


def _job_from(response) -> ImportJob:
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    return ImportJob.objects.get(pk=int(response.url.rstrip("/").split("/")[-2]))


def _confirm(client, job, capture):
    with capture(execute=True):
        response = client.post(reverse("customers:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    assert response.url == reverse("customers:import_detail", args=[job.pk])
    job.refresh_from_db()
    return job


# --------------------------------------------------------------------------- the flow
@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_each_real_file_imports_through_the_browser(
    admin, name, django_capture_on_commit_callbacks
):
    rows, created, rejected = REAL_FILES[name]
    job = _job_from(_upload(admin, name, (FIXTURES / name).read_bytes()))
    assert job.status == ImportJob.Status.PREVIEW

    page = admin.get(reverse("customers:import_preview", args=[job.pk]))
    assert page.status_code == 200
    assert 'data-testid="preview-table"' in page.content.decode()

    job = _confirm(admin, job, django_capture_on_commit_callbacks)
    assert (job.status, job.total_rows, job.created_count, job.rejected_count) == (
        "done",
        rows,
        created,
        rejected,
    )
    detail = admin.get(reverse("customers:import_detail", args=[job.pk])).content.decode()
    assert f'data-testid="count-created">{created}<' in detail
    assert f'data-testid="count-rejected">{rejected}<' in detail
    assert ("error-download" in detail) == bool(rejected)
    assert Customer.objects.count() == created


@pytest.mark.parametrize("name", sorted(NO_NAME_FILES))
def test_confirm_is_refused_by_the_server_when_no_column_gives_the_name(
    admin, name, django_capture_on_commit_callbacks
):
    job = _job_from(_upload(admin, name, (FIXTURES / name).read_bytes()))
    page = admin.get(reverse("customers:import_preview", args=[job.pk])).content.decode()
    assert 'data-testid="missing-required"' in page
    assert "disabled>Confirm and import" in page.replace("\n", "")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin.post(reverse("customers:import_confirm", args=[job.pk]), follow=True)
    assert callbacks == []
    assert response.redirect_chain[-1][0] == reverse("customers:import_preview", args=[job.pk])
    assert "No column is mapped to these required fields" in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.total_rows) == (ImportJob.Status.PREVIEW, 0)
    assert Customer.objects.count() == 0


def test_revenue_file_through_the_browser_closes_its_month(
    admin, django_capture_on_commit_callbacks
):
    Customer.objects.create(name="平安银行", name_key="平安银行", external_code="000001")
    month = last_month()
    data = f'客户编号,账期,产品,出账收入(元)\n000001,{month:%Y-%m},专线,"1,200.00"\n'.encode()
    job = _job_from(_upload(admin, "bill.csv", data, kind="revenue"))
    html = admin.get(reverse("customers:import_preview", args=[job.pk])).content.decode()
    assert "1,200.00" in html
    assert f"{month:%Y-%m}" in html
    job = _confirm(admin, job, django_capture_on_commit_callbacks)
    assert (job.kind, job.created_count) == ("revenue", 1)
    assert BillingMonth.objects.get().month == month


def test_preview_shows_mapping_unknown_columns_and_stored_values(admin):
    data = (FIXTURES / "szse_a_share_companies_2025.xlsx").read_bytes()
    job = _job_from(_upload(admin, "szse.xlsx", data))
    html = admin.get(reverse("customers:import_preview", args=[job.pk])).content.decode()
    assert 'data-testid="unknown-columns"' in html
    assert "英文名称" in html  # listed back, not silently dropped
    assert '<option value="external_code" selected>' in html
    assert "000001" in html
    assert "1991-04-03" in html
    assert html.count('data-testid="preview-row"') == 20


def test_mapping_edit_turns_a_people_list_into_customers(admin, django_capture_on_commit_callbacks):
    job = _job_from(_upload(admin, "aaa.xls", (FIXTURES / "hutool_aaa.xls").read_bytes()))
    html = admin.get(reverse("customers:import_preview", args=[job.pk])).content.decode()
    assert 'data-testid="missing-required"' in html
    response = admin.post(
        reverse("customers:import_preview", args=[job.pk]),
        {"col_0": "name", "col_1": "", "col_2": "", "col_3": "", "date_order": ""},
    )
    assert response.status_code == 302
    html = admin.get(reverse("customers:import_preview", args=[job.pk])).content.decode()
    assert 'data-testid="missing-required"' not in html
    assert html.count("text-bg-success") == 3  # rows 2, 3 and 6 will be created
    job = _confirm(admin, job, django_capture_on_commit_callbacks)
    assert (job.created_count, job.rejected_count) == (3, 1)
    assert set(Customer.objects.values_list("name", flat=True)) == {"张三", "李四", "王五"}


def test_mapping_a_field_twice_is_a_form_error(admin):
    job = _job_from(_upload(admin, "aaa.xls", (FIXTURES / "hutool_aaa.xls").read_bytes()))
    response = admin.post(
        reverse("customers:import_preview", args=[job.pk]),
        {"col_0": "name", "col_1": "name", "col_2": "", "col_3": ""},
    )
    assert response.status_code == 200
    assert "already chosen for column" in response.content.decode()


def test_switching_sheet_in_the_preview(admin):
    job = _job_from(_upload(admin, "aaa.xls", (FIXTURES / "hutool_aaa.xls").read_bytes()))
    response = admin.post(
        reverse("customers:import_preview", args=[job.pk]),
        {"sheet": "校园入学", "col_0": "", "col_1": "", "col_2": "", "col_3": ""},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.sheet == "校园入学"
    html = admin.get(reverse("customers:import_preview", args=[job.pk])).content.decode()
    assert "入学时间" in html


def test_confirming_twice_imports_once(admin, django_capture_on_commit_callbacks):
    data = xlsx_bytes([["客户名称"], ["甲公司"], ["乙公司"]])
    job = _job_from(_upload(admin, "a.xlsx", data))
    job = _confirm(admin, job, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        admin.post(reverse("customers:import_confirm", args=[job.pk]))
    assert callbacks == []
    assert Customer.objects.count() == 2


def test_preview_of_a_confirmed_job_redirects_to_its_detail(admin, org):
    data = xlsx_bytes([["客户名称"], ["甲公司"]])
    job = import_job_create(
        by=org.admin, upload=SimpleUploadedFile("a.xlsx", data), kind="customers"
    )
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    response = admin.get(reverse("customers:import_preview", args=[job.pk]))
    assert response.url == reverse("customers:import_detail", args=[job.pk])


# --------------------------------------------------------------------------- refused files
def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("export.xls", b"<html><body><table><tr><td>x</td></tr></table></body></html>", "web page"),
        ("bomb.xlsx", _zip_bomb(), "zip bomb"),
        ("empty.csv", b"", "empty"),
        ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "not a spreadsheet"),
    ],
    ids=["html-as-xls", "zip-bomb", "empty", "image"],
)
def test_refused_files_show_the_reason_on_the_form(admin, name, data, message):
    response = _upload(admin, name, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "invalid-feedback" in html
    assert ImportJob.objects.count() == 0


def test_too_big_file_is_a_form_error(admin, settings):
    settings.IMPORT_MAX_BYTES = 2048
    response = _upload(admin, "big.csv", "客户名称\n".encode() + "某公司\n".encode() * 1000)
    assert response.status_code == 200
    assert "the limit is 0 MB" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_unknown_sheet_is_an_error_on_the_sheet_field(admin):
    response = _upload(admin, "aaa.xls", (FIXTURES / "hutool_aaa.xls").read_bytes(), sheet="无")
    assert response.status_code == 200
    assert response.context["form"].errors["sheet"][0].startswith("The workbook has no sheet 无")


# --------------------------------------------------------------------------- detail, errors
def test_detail_polls_while_running_and_stops_when_done(admin, org):
    data = xlsx_bytes([["客户名称"], ["甲公司"]])
    job = import_job_create(
        by=org.admin, upload=SimpleUploadedFile("a.xlsx", data), kind="customers"
    )
    ImportJob.objects.filter(pk=job.pk).update(status="running", total_rows=10, processed_rows=4)
    url = reverse("customers:import_detail", args=[job.pk])
    panel = admin.get(url, headers={"HX-Request": "true"}).content.decode()
    assert not panel.lstrip().startswith("<!DOCTYPE")
    assert 'hx-trigger="every 1s"' in panel
    assert "40%" in panel
    ImportJob.objects.filter(pk=job.pk).update(status="done", created_count=10)
    panel = admin.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in panel
    assert 'data-testid="count-created">10<' in panel
    full = admin.get(url).content.decode()
    assert full.lstrip().startswith("<!DOCTYPE")


def test_error_table_pages_and_workbook_downloads(admin, django_capture_on_commit_callbacks):
    rows = [["客户名称", "客户编号", "客户经理"]]
    rows += [[f"公司{i}", f"{i:06d}", "ghost" if i % 2 else ""] for i in range(130)]
    job = _job_from(_upload(admin, "many.xlsx", xlsx_bytes(rows)))
    job = _confirm(admin, job, django_capture_on_commit_callbacks)
    assert (job.created_count, job.rejected_count) == (65, 65)
    url = reverse("customers:import_detail", args=[job.pk])
    first = admin.get(url).content.decode()
    assert first.count("unknown user ghost") == 50
    second = admin.get(url, {"page": 2}).content.decode()
    assert second.count("unknown user ghost") == 15

    response = admin.get(reverse("customers:import_errors", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = list(book.active.iter_rows(values_only=True))
    assert values[0] == ("客户名称", "客户编号", "客户经理", "Reason")
    assert values[1] == ("公司1", "000001", "ghost", "row 3: 客户经理: unknown user ghost")
    assert len(values) == 66


def test_errors_download_is_404_without_rejected_rows(admin, django_capture_on_commit_callbacks):
    job = _job_from(_upload(admin, "a.xlsx", xlsx_bytes([["客户名称"], ["甲公司"]])))
    job = _confirm(admin, job, django_capture_on_commit_callbacks)
    assert admin.get(reverse("customers:import_errors", args=[job.pk])).status_code == 404


def test_failed_job_can_be_retried(admin, org, django_capture_on_commit_callbacks):
    data = xlsx_bytes([["客户名称"], ["甲公司"]])
    job = import_job_create(
        by=org.admin,
        upload=SimpleUploadedFile("a.xlsx", data),
        kind="customers",
        options={"team": org.team_a},
    )
    ImportJob.objects.filter(pk=job.pk).update(status="failed", message="boom")
    html = admin.get(reverse("customers:import_detail", args=[job.pk])).content.decode()
    assert "boom" in html
    assert reverse("customers:import_retry", args=[job.pk]) in html
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("customers:import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 1)
    response = admin.post(reverse("customers:import_retry", args=[job.pk]), follow=True)
    assert "cannot be retried" in response.content.decode()


# --------------------------------------------------------------------------- list, billing
# session, user, jobs count, billing months, unread notifications, team and owner
# selects of the upload form, jobs page (with team, owner, creator joined), and the work
# calendar entries an admin's page reads for the uncovered-year notice
LIST_QUERIES = 9
# session, user, job (with team, owner, creator), its errors (deferred while it runs),
# unread notifications, the work calendar entries (admin notice)
DETAIL_QUERIES = 6


def test_import_list_shows_jobs_and_forms_with_a_fixed_query_count(
    admin, org, django_assert_num_queries
):
    def make(n: int) -> None:
        for i in range(n):
            import_job_create(
                by=org.admin,
                upload=SimpleUploadedFile(f"f{i}.xlsx", xlsx_bytes([["客户名称"], ["甲"]])),
                kind="customers",
                options={"team": org.team_a, "owner": org.rep},
            )

    url = reverse("customers:import_list")
    make(2)
    admin.get(url)  # the first request after logging in also saves the session
    with django_assert_num_queries(LIST_QUERIES):
        assert admin.get(url).status_code == 200
    make(15)
    BillingMonth.objects.create(month=last_month())
    with django_assert_num_queries(LIST_QUERIES):
        html = admin.get(url).content.decode()
    assert html.count("f14.xlsx") == 1
    assert 'data-testid="upload-form"' in html
    assert 'data-testid="billing-form"' in html


def test_import_detail_query_count_does_not_grow_with_errors(
    admin, django_capture_on_commit_callbacks, django_assert_num_queries
):
    def run(n: int) -> ImportJob:
        rows = [["客户名称", "客户经理"], *[[f"公司{i}", "ghost"] for i in range(n)]]
        job = _job_from(_upload(admin, f"{n}.xlsx", xlsx_bytes(rows)))
        return _confirm(admin, job, django_capture_on_commit_callbacks)

    few, many = run(2), run(120)
    admin.get(reverse("customers:import_detail", args=[few.pk]))
    for job in (few, many):
        with django_assert_num_queries(DETAIL_QUERIES):
            html = admin.get(reverse("customers:import_detail", args=[job.pk])).content.decode()
        assert html.count("unknown user ghost") == min(job.rejected_count, 50)


def test_admin_home_is_the_import_list(admin):
    response = admin.get("/")
    assert response.url == reverse("customers:import_list")


def test_admin_closes_a_past_billing_month(admin, org):
    month = last_month()
    response = admin.post(
        reverse("customers:billing_month_close"), {"month": month.strftime("%Y-%m")}
    )
    assert response.status_code == 302
    closed = BillingMonth.objects.get()
    assert (closed.month, closed.closed_by) == (month, org.admin)
    html = admin.get(reverse("customers:import_list")).content.decode()
    assert month.strftime("%Y-%m") in html


@pytest.mark.parametrize("value", ["2999-01", "not a month"])
def test_closing_a_current_future_or_bad_month_is_a_form_error(admin, value):
    response = admin.post(reverse("customers:billing_month_close"), {"month": value})
    assert response.status_code == 200
    assert response.context["month_form"].errors
    assert BillingMonth.objects.count() == 0


# --------------------------------------------------------------------------- access
def _urls(job: ImportJob) -> list[tuple[str, str]]:
    return [
        ("get", reverse("customers:import_list")),
        ("get", reverse("customers:import_new")),
        ("post", reverse("customers:import_new")),
        ("get", reverse("customers:import_preview", args=[job.pk])),
        ("post", reverse("customers:import_preview", args=[job.pk])),
        ("post", reverse("customers:import_confirm", args=[job.pk])),
        ("post", reverse("customers:import_retry", args=[job.pk])),
        ("get", reverse("customers:import_detail", args=[job.pk])),
        ("get", reverse("customers:import_errors", args=[job.pk])),
        ("post", reverse("customers:billing_month_close")),
    ]


@pytest.mark.parametrize(
    "persona", ["rep", "supervisor", "manager", "outsider", "outsider_supervisor"]
)
def test_everyone_but_admins_gets_404_on_every_import_url(org, client_for, persona):
    job = import_job_create(
        by=org.admin,
        upload=SimpleUploadedFile("a.xlsx", xlsx_bytes([["客户名称"], ["甲"]])),
        kind="customers",
    )
    client = client_for(getattr(org, persona))
    for method, url in _urls(job):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW


def test_anonymous_users_are_sent_to_log_in(org, client):
    job = import_job_create(
        by=org.admin,
        upload=SimpleUploadedFile("a.xlsx", xlsx_bytes([["客户名称"], ["甲"]])),
        kind="customers",
    )
    for method, url in _urls(job):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response.url


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            "This file is named .xlsx but is not an Excel workbook: it is plain text. "
            "If it is CSV, name it .csv and import it again.",
        ),
        (
            "zh-hans",
            "该文件名为 .xlsx，但不是 Excel 工作簿，而是纯文本。"
            "如果是 CSV 文件，请将其改名为 .csv 后重新导入。",
        ),
    ],
)
def test_a_text_file_named_xlsx_is_refused_not_read_as_csv(admin, lang, said):
    data = "客户名称,联系电话\n甲公司,13800138000\n".encode()
    payload = {
        "file": SimpleUploadedFile("customers.xlsx", data),
        "kind": "customers",
        "on_duplicate": "skip",
    }
    response = admin.post(reverse("customers:import_new"), payload, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    assert said in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()
    # The same bytes named .csv are read as CSV.
    assert _upload(admin, "customers.csv", data).status_code == 302


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            "so every row would be rejected: <strong>Customer name</strong>. Choose the column",
        ),
        ("zh-hans", "所有行都会被拒绝：<strong>客户名称</strong>。请在下方选择对应的列。"),
    ],
)
def test_the_missing_field_sentence_has_the_languages_punctuation(admin, lang, said):
    job = _job_from(_upload(admin, "people.xlsx", xlsx_bytes([["姓名"], ["张三"]])))
    html = admin.get(
        reverse("customers:import_preview", args=[job.pk]), HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    assert said in html
