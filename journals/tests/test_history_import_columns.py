"""History import: the contact-type column (联系方式), a plain 回访 purpose and row problems
named by their column label in the viewer's language (docs/domain, section 3)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.tests.test_import_support import media, xlsx_bytes  # noqa: F401
from journals.history_import import ATTACH, REJECT, history_plan
from journals.tests.test_history_import import customers  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("customers", "media")]

PAGE = reverse("journals:history_import")


def _file(channel_header: str, rows: list[list[object]]) -> bytes:
    head: list[object] = ["客户编号", "日期", "跟进人", "目的", channel_header]
    return xlsx_bytes([head, *rows])


def _row(plan, number):
    return next(p for p in plan.rows if p.row.row_number == number)


@pytest.mark.parametrize("header", ["联系方式", "Contact type", "Channel", "沟通方式"])
def test_the_contact_type_column_is_read_and_an_unknown_value_refuses_the_row(org, header):
    data = _file(
        header,
        [
            ["H001", "2026-10-05 10:00", "rep", "回访：服务", "电话"],
            ["H001", "2026-10-06 10:00", "rep", "回访：服务", "飞鸽"],
        ],
    )
    plan = history_plan(by=org.supervisor, data=data)
    assert header not in plan.sheet.unknown_columns
    first, second = _row(plan, 2), _row(plan, 3)
    assert (first.action, first.row.channel) == (ATTACH, "phone")
    assert second.action == REJECT
    [(field, reason)] = [(p.field, p.reason) for p in second.problems]
    assert field == "channel"
    assert "飞鸽" in reason
    for label in ("上门拜访", "电话", "微信", "邮件"):
        assert label in reason


def test_the_page_names_the_column_in_the_viewers_language_and_accepts_huifang(org, client_for):
    data = _file(
        "联系方式",
        [
            ["H001", "2026-10-05 10:00", "rep", "回访", "电话"],
            ["H001", "2026-10-06 10:00", "rep", "闲聊", "电话"],
            ["H001", "2030-01-01 10:00", "rep", "回访", "微信"],
            ["H001", "2026-10-07 10:00", "rep", "回访", "飞鸽"],
        ],
    )
    client = client_for(org.supervisor)
    zh = client.post(
        PAGE,
        {"file": SimpleUploadedFile("history.xlsx", data)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = zh.content.decode()
    plan = zh.context["plan"]
    assert (_row(plan, 2).action, _row(plan, 2).row.purpose) == (ATTACH, "service")
    assert "拜访目的：无法识别的值 闲聊" in page
    assert "日期：2030-01-01" in page
    assert "联系方式：无法识别的值 飞鸽" in page
    for code in ("purpose", "at", "channel"):
        assert f'text-danger">{code}:' not in page
    assert "联系方式" not in (zh.context.get("unknown") or [])
    en = client.post(
        PAGE, {"file": SimpleUploadedFile("history.xlsx", data)}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Purpose: unknown value 闲聊" in en
    assert "Contact type: unknown value 飞鸽; accepted: In-person visit, Phone call" in en
    assert "Date: 2030-01-01" in en


def test_the_upload_page_mentions_the_contact_type_column(org, client_for):
    client = client_for(org.supervisor)
    assert (
        "联系方式（上门、电话、微信或邮件"
        in client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
    assert (
        "contact type (in person, phone, WeChat or e-mail"
        in client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
