"""Phones, headers and values users bring (pure parsing, no database): phone validation
with its reason, the header row (detected, chosen, none), the headers and labels of the
customer export, CSV quote prefixes, founded date and exchange headers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from customers.import_messages import translate_reason
from customers.importing import parse_file
from customers.tests.test_importing import csv_bytes, xlsx_bytes
from domain.phones import NOT_A_PHONE as _NOT_A_PHONE


def phone_row(value: object):
    return parse_file(xlsx_bytes([["客户名称", "联系电话"], ["甲公司", value]])).rows[0]


@pytest.mark.parametrize(
    "phone",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+8613800138001",
        "+86 138 0013 8001",
        "008613800138001",
        "8613800138001",
        "010-12345678",
        "(0755) 8888 8888",
        "0755-88888888转123",
        "021-12345678 ext. 9",
        "+86 10 12345678",
        "+86 755 88888888",
        "+49 30 1234567",
        "+1 (415) 555-2671",
        "0049 30 1234567",
        "400-820-8820",
        "95588",
        "１３８００１３８０００",
        13800138000.0,
    ],
)
def test_phones_in_every_usual_form_are_accepted(phone):
    row = phone_row(phone)
    assert row.errors == []
    assert row.values["contact_phone"]


@pytest.mark.parametrize(
    ("phone", "digits"),
    [
        ("12345", 5),
        ("1380013800", 10),
        ("12800138000", 11),
        ("Berlin", 0),
        ("88888888", 8),
        ("+1234", 4),
        ("+86 0755 88888888", 14),
        ("13800138000/13900139000", 22),
        ("0755", 4),
    ],
)
def test_a_refused_phone_says_why_with_one_message(phone, digits):
    row = phone_row(phone)
    assert [e.field for e in row.errors] == ["contact_phone"]
    error = row.errors[0]
    assert error.message == _NOT_A_PHONE  # one template for every refused phone
    assert dict(error.params) == {"value": repr(phone), "digits": digits}
    assert error.reason.startswith(f"not a phone number: {phone!r} has {digits} digits; expected")
    assert row.values["contact_phone"] is None


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "not a phone number: '12345' has 5 digits; expected a mainland mobile"),
        ("zh-hans", "不是电话号码：'12345' 共 5 位数字"),
    ],
)
def test_the_phone_message_is_said_in_the_readers_language_with_its_values(lang, said):
    error = phone_row("12345").errors[0]
    with translation.override(lang):
        assert translate_reason(error).startswith(said)


def test_csv_export_quote_before_a_plus_is_dropped():
    data = "客户名称,联系电话,备注\n'=甲公司,'+8613800138001,'-5\n".encode()
    row = parse_file(data).rows[0]
    assert row.errors == []
    assert row.values == {
        "name": "=甲公司",
        "contact_phone": "13800138001",  # the quote dropped, then +86 (domain.phones)
        "notes": "-5",
    }


def test_xlsx_text_keeps_a_leading_quote():
    row = parse_file(xlsx_bytes([["客户名称", "备注"], ["甲公司", "'引用"]])).rows[0]
    assert row.values["notes"] == "'引用"


# --------------------------------------------------------------------------- headers
def test_export_headers_of_both_languages_map_to_their_fields():
    zh = [
        "客户名称",
        "外部编码",
        "统一社会信用代码",
        "客户群",
        "主要联系人",
        "联系电话",
        "成立日期",
    ]
    en = [
        "Customer name",
        "External code",
        "Unified social credit code",
        "Segment",
        "Primary contact",
        "Contact phone",
        "Founded on",
    ]
    fields = [
        "name",
        "external_code",
        "credit_code",
        "segment",
        "contact_name",
        "contact_phone",
        "founded_on",
    ]
    for headers in (zh, en):
        parsed = parse_file(csv_bytes([headers]))
        assert list(parsed.mapping.values()) == fields
        assert parsed.unknown_columns == []


def test_a_persons_name_column_is_the_contact_not_the_customer():
    parsed = parse_file(csv_bytes([["客户名称", "姓名"], ["甲公司", "王五"]]))
    assert parsed.rows[0].values == {"name": "甲公司", "contact_name": "王五"}


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Group / key account", "group"),
        ("Mass-market / SME", "mass"),
        ("集团客户", "group"),
        ("公众客户 / 中小企业", "mass"),
    ],
)
def test_segment_labels_of_the_export_are_accepted(label, code):
    row = parse_file(csv_bytes([["Customer name", "Segment"], ["Acme", label]])).rows[0]
    assert (row.errors, row.values["segment"]) == ([], code)


@pytest.mark.parametrize(
    ("label", "code"),
    [("Target customer", "target"), ("Relationship established", "relationship")],
)
def test_english_stage_labels_are_accepted(label, code):
    row = parse_file(csv_bytes([["Customer name", "Stage"], ["Acme", label]])).rows[0]
    assert (row.errors, row.values["stage"]) == ([], code)


def test_founded_date_and_exchange_short_name_headers():
    data = xlsx_bytes(
        [["公司全称", "证券简称", "成立日期"], ["平安银行股份有限公司", "平安银行", "1987/12/22"]]
    )
    row = parse_file(data).rows[0]
    assert row.values == {
        "name": "平安银行股份有限公司",
        "short_name": "平安银行",
        "founded_on": dt.date(1987, 12, 22),
    }


# --------------------------------------------------------------------------- header row
NO_HEADER = "甲公司,13800138000,北京\n乙公司,13900139000,上海\n".encode()


def test_a_file_without_a_header_row_keeps_its_first_row():
    parsed = parse_file(NO_HEADER)
    assert (parsed.header_row, parsed.header_detected) == (0, True)
    assert [r.row_number for r in parsed.rows] == [1, 2]
    assert parsed.missing_required == ["name"]
    mapped = parse_file(NO_HEADER, header_row=0, mapping={0: "name", 1: "contact_phone"})
    assert [r.values for r in mapped.rows] == [
        {"name": "甲公司", "contact_phone": "13800138000"},
        {"name": "乙公司", "contact_phone": "13900139000"},
    ]
    assert all(r.errors == [] for r in mapped.rows)


def test_a_header_row_can_be_given_instead_of_detected():
    data = csv_bytes([["说明：第二行是表头"], ["客户名称", "行业"], ["甲公司", "制造"]])
    assert parse_file(data).header_row == 2
    chosen = parse_file(data, header_row=1)
    assert (chosen.header_row, chosen.header_detected) == (1, False)
    assert [r.row_number for r in chosen.rows] == [2, 3]
    none = parse_file(data, header_row=0)
    assert [r.row_number for r in none.rows] == [1, 2, 3]


def test_unknown_headers_without_data_shapes_stay_a_header():
    parsed = parse_file(csv_bytes([["Firma", "Ort"], ["Acme", "Berlin"]]))
    assert parsed.header_row == 1
    assert parsed.unknown_columns == ["Firma", "Ort"]
