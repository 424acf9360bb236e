"""The import page's header row choice in chromium, in Chinese and in English: a list
without a header row is detected as such, Confirm stays disabled until a column gives the
customer name, the header row can be changed and set back to none, and the import keeps
the first row. Also at phone width (375 px) without sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from customers.models import Customer, ImportJob
from customers.tests.test_import_support import media  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media"),
]

NO_HEADER = "甲公司,13800138000,北京\n乙公司,13900139000,上海\n".encode()


def _apply(page, label: str) -> None:
    with page.expect_navigation():
        page.locator("[data-testid=mapping-form]").get_by_role("button", name=label).first.click()


@pytest.mark.parametrize(
    ("locale", "width", "upload", "none_note", "apply", "row_one", "name_label"),
    [
        ("zh-CN", 1280, "上传并预览", "无表头行（自动识别）", "应用列对应", "第 1 行", "客户名称"),
        (
            "en",
            375,
            "Upload and preview",
            "no header row (detected)",
            "Apply the mapping",
            "Row 1",
            "Customer name",
        ),
    ],
)
def test_admin_chooses_the_header_row_in_the_preview(
    org,
    page_for,
    live_server,
    tmp_path,
    locale,
    width,
    upload,
    none_note,
    apply,
    row_one,
    name_label,
):
    path = tmp_path / "plain.csv"
    path.write_bytes(NO_HEADER)
    page = page_for(org.admin, locale=locale, width=width)
    page.goto(f"{live_server.url}/customers/imports/new/")
    page.set_input_files("input[name=file]", str(path))
    # A new customer needs a team (docs/domain, section 5, Public pool).
    page.select_option("select[name=team]", value=str(org.team_a.pk))
    with page.expect_navigation():
        page.get_by_role("button", name=upload).click()

    expect(page.locator("[data-testid=header-row-note]")).to_contain_text(none_note)
    expect(page.locator("[data-testid=preview-row]")).to_have_count(2)
    confirm = page.locator("[data-testid=confirm-form] button")
    expect(confirm).to_be_disabled()
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Row 1 as the header: one data row left, mapped from that row's texts.
    page.select_option("select[name=header_row]", label=row_one)
    _apply(page, apply)
    expect(page.locator("[data-testid=preview-row]")).to_have_count(1)
    expect(page.locator("[data-testid=header-row-note]")).not_to_contain_text(none_note)

    # Back to "no header row", then the first column is the customer name.
    page.select_option("select[name=header_row]", value="0")
    _apply(page, apply)
    expect(page.locator("[data-testid=preview-row]")).to_have_count(2)
    page.select_option("select[name=col_0]", label=name_label)
    page.select_option("select[name=col_1]", value="contact_phone")
    _apply(page, apply)
    expect(confirm).to_be_enabled()
    with page.expect_navigation():
        confirm.click()

    job = ImportJob.objects.get()
    assert (job.header_row, job.mapping["0"], job.mapping["1"]) == (0, "name", "contact_phone")
    expect(page.locator("[data-testid=count-created]")).to_have_text("2")
    assert set(Customer.objects.values_list("name", flat=True)) == {"甲公司", "乙公司"}
