"""Tests for customers/importing/ and spreadsheets/reading.py: pure parsing, no database.

Small workbooks are built in memory with openpyxl; the real files in fixtures/ (see
fixtures/SOURCES.md) pin what the parser makes of spreadsheets from outside the project.
"""

import csv
import datetime
import io
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.styles import Font

from customers.importing import (
    FORMULA_NO_VALUE,
    FileRefused,
    ParsedRow,
    RowError,
    converters,
    dedupe_keys,
    detect_format,
    mark_duplicates_in_file,
    match_headers,
    name_key,
    normalise_header,
    parse_file,
    parsing,
    read_rows,
)
from spreadsheets import reading

FIXTURES = Path(__file__).parent / "fixtures"


# --------------------------------------------------------------------------- helpers
def xlsx_bytes(rows, *, start_row=1, start_col=1, title="Sheet", extra_sheets=()):
    """An .xlsx whose first sheet holds ``rows`` from (start_row, start_col)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.cell(start_row + r, start_col + c, value)
    for name, sheet_rows in extra_sheets:
        extra = wb.create_sheet(name)
        for row in sheet_rows:
            extra.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite_member(data, member, edit):
    """Copy a zip, passing ``member``'s bytes through ``edit``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == member:
                content = edit(content)
            dst.writestr(info, content)
    return out.getvalue()


def add_member(data, member, content):
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr(member, content)
    return out.getvalue()


def csv_bytes(rows, *, encoding="utf-8", delimiter=","):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def one_row(data, **kwargs):
    parsed = parse_file(data, **kwargs)
    assert len(parsed.rows) == 1
    return parsed.rows[0]


def fixture(name):
    return (FIXTURES / name).read_bytes()


# --------------------------------------------------------------------------- real files
def test_jsherp_template_header_on_row_2_with_required_star():
    parsed = parse_file(fixture("jshERP_customer_template.xls"))

    assert parsed.format == "xls"
    assert parsed.sheet_names == ["信息"]
    assert parsed.header_row == 2
    assert parsed.headers[0] == "名称*"
    assert parsed.mapping[0] == "name"
    assert parsed.mapping[2] == "contact_phone"  # 手机号码
    assert parsed.mapping[3] == "contact_phone2"  # 联系电话: second phone-like column
    assert parsed.mapping[7] == "credit_code"  # 纳税人识别号
    assert parsed.required_in_file == ["name"]
    assert "状态*" in parsed.unknown_columns
    assert "期初应收" in parsed.unknown_columns
    assert [r.row_number for r in parsed.rows] == [3, 4]
    assert [r.errors for r in parsed.rows] == [[], []]
    first, second = parsed.rows
    assert first.values["name"] == "客户a"
    assert first.values["contact_name"] == "小梁"
    assert first.values["contact_phone"] == "13000000000"  # stored as the float 13000000000.0
    assert second.values["contact_phone"] == "15000000000"
    assert first.values["contact_phone2"] is None


def test_szse_2025_list_keeps_codes_and_normalises_full_width():
    parsed = parse_file(fixture("szse_a_share_companies_2025.xlsx"))

    assert parsed.header_row == 1
    assert len(parsed.rows) == 2875
    assert not [r for r in parsed.rows if r.errors]
    mapped = {parsed.headers[i]: f for i, f in parsed.mapping.items() if f}
    assert mapped == {
        "公司全称": "name",
        "注册地址": "address",
        "A股代码": "external_code",
        "A股简称": "short_name",
        "A股上市日期": "listed_on",
        "省    份": "province",
        "城     市": "city",
        "所属行业": "industry",
        "公司网址": "website",
    }
    assert "地      区" in parsed.unknown_columns  # a region (华南), not a province
    assert "英文名称" in parsed.unknown_columns
    first = parsed.rows[0].values
    assert parsed.rows[0].row_number == 2
    assert first["external_code"] == "000001"
    assert first["name"] == "平安银行股份有限公司"
    assert first["listed_on"] == datetime.date(1991, 4, 3)
    assert first["industry"] == "J 金融业"
    vanke = parsed.rows[1].values
    assert parsed.rows[1].raw[5] == "万  科Ａ"
    assert vanke["short_name"] == "万 科A"
    by_code = {r.values["external_code"]: r.values for r in parsed.rows}
    assert by_code["000520"]["name"] == "凤凰航运(武汉)股份有限公司"  # full-width brackets
    assert sum(1 for r in parsed.rows if r.values["website"] is None) == 17
    assert parsed.rows[-1].row_number == 2876
    mark_duplicates_in_file(parsed.rows)
    assert not [r for r in parsed.rows if r.duplicate_of]


def test_tushare_csv_keeps_leading_zeros():
    parsed = parse_file(fixture("tushare_stock_basic.csv"))

    assert parsed.format == "csv"
    assert parsed.sheet_names == []
    assert parsed.unknown_columns == ["ts_code"]
    assert len(parsed.rows) == 5448
    assert not [r for r in parsed.rows if r.errors]
    first = parsed.rows[0].values
    assert first == {
        "external_code": "000001",
        "name": "平安银行",
        "province": "深圳",  # tushare's area
        "industry": "银行",
        "listed_on": datetime.date(1991, 4, 3),  # from the text 19910403
    }
    assert parsed.rows[-1].row_number == 5449
    assert parsed.rows[-1].values["external_code"] == "920992"
    assert len({r.values["industry"] for r in parsed.rows}) == 110


def test_szse_2014_csv_blank_row_ignored_and_first_code_column_wins():
    parsed = parse_file(fixture("szse_listed_companies_2014.csv"))

    assert len(parsed.rows) == 1589
    assert parsed.rows[-1].row_number == 1590  # line 1591 is ',,,,' and is ignored
    assert not [r for r in parsed.rows if r.errors]
    assert parsed.mapping[0] == "external_code"  # 公司代码 keeps its zeros
    assert parsed.mapping[5] is None  # A股代码 lost them in Excel: listed, not used
    assert parsed.duplicate_columns == ["A股代码", "A股简称"]
    assert {"A股代码", "A股简称"} <= set(parsed.unknown_columns)
    first = parsed.rows[0]
    assert first.raw[5] == "1"
    assert first.values["external_code"] == "000001"
    assert first.values["listed_on"] == datetime.date(1991, 4, 3)  # text 1991/4/3
    assert first.values["short_name"] == "平安银行"
    assert parsed.rows[1].values["short_name"] == "万 科A"
    # B-share-only companies have no A-share listing date.
    assert sum(1 for r in parsed.rows if r.values["listed_on"] is None) == 12


def test_hutool_aaa_xls_person_name_maps_to_contact_not_customer():
    """姓名 is a person's name: mapped to contact_name, so the rows lack a customer name."""
    parsed = parse_file(fixture("hutool_aaa.xls"))

    assert parsed.sheet_names == ["Sheet1", "校园入学", "Sheet3"]
    assert parsed.sheet == "Sheet1"
    assert parsed.mapping == {0: "contact_name", 1: None, 2: None, 3: None}
    assert [r.row_number for r in parsed.rows] == [2, 3, 4, 6]  # row 5 is blank
    assert all(r.errors == [RowError("name", "required")] for r in parsed.rows)


def test_hutool_aaa_xls_empty_name_row_is_an_error_when_mapped_to_name():
    parsed = parse_file(fixture("hutool_aaa.xls"), mapping={0: "name", 3: "notes"})

    by_row = {r.row_number: r for r in parsed.rows}
    assert sorted(by_row) == [2, 3, 4, 6]
    assert by_row[4].errors == [RowError("name", "required")]
    assert by_row[4].error_messages() == ["row 4: name: required"]
    assert by_row[2].errors == []
    assert by_row[2].values == {"name": "张三", "notes": "33.2"}
    assert by_row[3].values["notes"] == "44.66"
    assert by_row[6].values["notes"] == "556"  # 556.0 without '.0'
    assert parsed.unknown_columns == ["性别", "年龄"]


def test_hutool_aaa_xls_dates_and_time_only_cells():
    parsed = parse_file(
        fixture("hutool_aaa.xls"),
        sheet="校园入学",
        mapping={0: "notes", 2: "name", 3: "listed_on", 4: "stage_date"},
    )

    assert [r.row_number for r in parsed.rows] == [2, 3, 4, 5, 8]  # rows 6-7 blank
    first = parsed.rows[0]
    assert first.values["notes"] == "123"
    assert first.values["listed_on"] == datetime.date(2017, 3, 2)
    assert first.errors == [RowError("stage_date", "a time without a date")]
    assert parsed.rows[2].errors == []
    assert parsed.rows[2].values["stage_date"] is None
    assert [r.row_number for r in parsed.rows if r.errors] == [2, 3, 8]
    assert parsed.rows[4].values["listed_on"] == datetime.date(2017, 8, 3)


def test_hutool_aaa_xls_empty_sheet_is_refused():
    with pytest.raises(FileRefused, match="has no rows"):
        parse_file(fixture("hutool_aaa.xls"), sheet="Sheet3")


def test_hutool_merged_cell_reads_empty_on_second_row():
    parsed = parse_file(fixture("hutool_merge_test.xlsx"), mapping={0: "name", 2: "notes"})

    assert [(r.row_number, r.values["notes"]) for r in parsed.rows] == [
        (2, "11"),
        (3, None),  # C2:C3 merged: the value is not copied down
        (4, "13"),
    ]
    assert all(not r.errors for r in parsed.rows)


def test_easyexcel_merged_title_skipped_header_on_row_2():
    parsed = parse_file(fixture("easyexcel_t02_merged_title.xlsx"))

    assert parsed.header_row == 2
    assert parsed.headers[6] == "原料中成分含\n量（%）"
    assert normalise_header(parsed.headers[6]) == "原料中成分含量(%)"
    # A cosmetics formula sheet: nothing is a customer field, every header is listed.
    assert set(parsed.mapping.values()) == {None}
    assert len(parsed.unknown_columns) == 18
    assert [r.row_number for r in parsed.rows] == [3]  # styled empty rows below ignored
    assert parsed.rows[0].errors == [RowError("name", "required")]


def test_easyexcel_code_with_leading_zero_kept_when_mapped():
    row = one_row(
        fixture("easyexcel_t02_merged_title.xlsx"), mapping={1: "external_code", 3: "name"}
    )
    assert row.values == {"external_code": "01502200", "name": "1,2-戊二醇"}
    assert row.errors == []


def test_fixture_sources_are_documented():
    sources = (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    for path in FIXTURES.iterdir():
        if path.suffix != ".md":
            assert path.name in sources


# --------------------------------------------------------------------------- format
def test_detect_format_from_bytes():
    assert detect_format(xlsx_bytes([["名称"]])) == "xlsx"
    assert detect_format(fixture("hutool_aaa.xls")) == "xls"
    assert detect_format("名称\n甲".encode()) == "csv"
    assert detect_format("名称\n甲".encode("gbk")) == "csv"
    assert detect_format(b"\xff\xfe" + "名称".encode("utf-16-le")) == "csv"


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body><table><tr><td>1</td></tr></table></body></html>",
        b"\xef\xbb\xbf  \r\n<!DOCTYPE html><html></html>",
        b"\n\n<TABLE border=1><tr><td>a</td></tr></TABLE>",
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related",
    ],
)
def test_html_saved_as_xls_is_refused_with_a_clear_message(data):
    with pytest.raises(FileRefused, match="really a web page"):
        parse_file(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n ", "empty"),
        (b'<?xml version="1.0"?><Workbook>', "XML Spreadsheet 2003"),
        (b"%PDF-1.4 ...", "PDF"),
        (b"\x00\x01\x02\x03garbage", "not a spreadsheet"),
    ],
)
def test_other_files_are_refused(data, message):
    with pytest.raises(FileRefused, match=message):
        detect_format(data)


def test_zip_that_is_not_a_workbook_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(FileRefused, match="not an Excel workbook"):
        detect_format(buf.getvalue())


def test_password_protected_workbook_is_refused():
    data = reading._OLE2_MAGIC + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(FileRefused, match="password"):
        detect_format(data)


def test_damaged_xls_is_refused():
    with pytest.raises(FileRefused, match="could not be read"):
        parse_file(reading._OLE2_MAGIC + b"\x00" * 600)


def test_file_over_max_bytes_is_refused():
    data = csv_bytes([["名称"], ["甲公司"]])
    with pytest.raises(FileRefused, match="limit"):
        parse_file(data, max_bytes=10)
    assert len(parse_file(data, max_bytes=len(data)).rows) == 1


# --------------------------------------------------------------------------- xlsx guards
def test_xlsx_with_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ZIP_MEMBERS", 5)
    with pytest.raises(FileRefused, match="parts"):
        parse_file(xlsx_bytes([["名称"], ["甲"]]))


def test_xlsx_over_uncompressed_limit_is_refused():
    data = xlsx_bytes([["名称"], ["甲"]])
    with pytest.raises(FileRefused, match="unpacks to"):
        parse_file(data, max_uncompressed=1000)


def test_zip_bomb_member_is_refused():
    data = add_member(xlsx_bytes([["名称"], ["甲"]]), "xl/media/bomb.bin", b"\0" * 20_000_000)
    assert len(data) < 100_000
    with pytest.raises(FileRefused, match="zip bomb"):
        parse_file(data)


def test_xml_entity_expansion_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><sst><si><t>&lol2;</t></si></sst>'
    )
    data = rewrite_member(xlsx_bytes([["名称"], ["甲"]]), "xl/workbook.xml", lambda _: bomb)
    with pytest.raises(FileRefused, match="DOCTYPE/ENTITY"):
        parse_file(data)


def test_entity_in_any_xml_part_is_refused():
    data = add_member(
        xlsx_bytes([["名称"], ["甲"]]),
        "xl/sharedStrings.xml",
        b'<?xml version="1.0"?>\n<!ENTITY x SYSTEM "file:///etc/passwd"><sst/>',
    )
    with pytest.raises(FileRefused, match="DOCTYPE/ENTITY"):
        parse_file(data)


# --------------------------------------------------------------------------- headers
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  名称* ", "名称"),
        ("名 称＊", "名称"),
        ("*名称", "名称"),
        ("地      区", "地区"),
        ("原料中成分含\n量（%）", "原料中成分含量(%)"),
        ("Ｓｈｏｒｔ　Ｎａｍｅ", "shortname"),
        ("Short Name", "shortname"),
        ("客户名称：", "客户名称"),
        (2024.0, "2024"),
        (None, ""),
    ],
)
def test_normalise_header(text, expected):
    assert normalise_header(text) == expected


def test_match_headers_chinese_and_english_synonyms():
    headers = [
        "客户全称",
        "统一社会信用代码",
        "客户编号",
        "所属行业",
        "省份",
        "城市",
        "Address",
        "网址",
        "联系人",
        "手机",
        "邮箱",
        "客户类型",
        "企业规模",
        "客户来源",
        "备注",
        "客户经理",
        "团队",
        "销售阶段",
        "阶段日期",
        "上市日期",
        "传真",
    ]
    mapping, unknown = match_headers(headers, "customers")

    assert [mapping[i] for i in range(len(headers) - 1)] == [
        "name",
        "credit_code",
        "external_code",
        "industry",
        "province",
        "city",
        "address",
        "website",
        "contact_name",
        "contact_phone",
        "contact_email",
        "segment",
        "size",
        "source",
        "notes",
        "owner",
        "team",
        "stage",
        "stage_date",
        "listed_on",
    ]
    assert mapping[20] is None
    assert unknown == ["传真"]


def test_match_headers_first_wins_and_later_duplicates_are_listed():
    mapping, unknown = match_headers(
        ["名称", "公司全称", "电话", "手机", "手机号码", ""], "customers"
    )

    assert mapping == {
        0: "name",
        1: None,
        2: "contact_phone",
        3: "contact_phone2",
        4: None,
        5: None,
    }
    assert unknown == ["公司全称", "手机号码"]


def test_match_headers_revenue_kind_and_units_in_brackets():
    mapping, unknown = match_headers(
        ["客户名称", "月份", "出账收入（元）", "产品", "所属行业"], "revenue"
    )
    assert mapping == {0: "name", 1: "month", 2: "billed", 3: "product", 4: None}
    assert unknown == ["所属行业"]


def test_match_headers_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        match_headers(["名称"], "contacts")


def test_header_found_below_title_and_instruction_rows():
    data = xlsx_bytes(
        [
            ["2024年客户清单"],
            ["说明：带*的为必填项", None, "名称以营业执照为准"],
            ["客户名称*", "客户编号", "联系电话"],
            ["甲公司", "000001", "0755-12345678"],
        ]
    )
    parsed = parse_file(data)

    assert parsed.header_row == 3
    assert parsed.required_in_file == ["name"]
    assert parsed.rows[0].row_number == 4
    assert parsed.rows[0].values == {
        "name": "甲公司",
        "external_code": "000001",
        "contact_phone": "0755-12345678",
    }


def test_header_ties_go_to_the_earliest_row():
    parsed = parse_file(csv_bytes([["名称", "备注"], ["名称", "备注"], ["甲", "x"]]))
    assert parsed.header_row == 1
    assert len(parsed.rows) == 2  # the repeated header is data (and a valid name '名称')


def test_header_row_can_be_given():
    data = csv_bytes([["title"], ["名称", "备注"], ["甲", "x"]])
    assert parse_file(data, header_row=2).rows[0].values == {"name": "甲", "notes": "x"}
    with pytest.raises(FileRefused, match="Row 9"):
        parse_file(data, header_row=9)


def test_mapping_override_from_the_ui():
    data = csv_bytes([["公司", "code", "说明", "杂项"], ["甲公司", "91440300MA5ABCDE1H", "x", "y"]])
    parsed = parse_file(data, mapping={0: "name", 1: "credit_code", 2: None})

    assert parsed.mapping == {0: "name", 1: "credit_code", 2: None, 3: None}
    assert parsed.unknown_columns == ["杂项"]  # column 2 was ignored on purpose
    assert parsed.rows[0].values == {"name": "甲公司", "credit_code": "91440300MA5ABCDE1H"}


@pytest.mark.parametrize(
    "mapping",
    [{0: "nonsense"}, {0: "name", 1: "name"}, {0: "billed"}, {-1: "name"}],
)
def test_bad_mapping_is_a_programming_error(mapping):
    with pytest.raises(ValueError, match="mapping|field"):
        parse_file(csv_bytes([["a", "b"], ["1", "2"]]), mapping=mapping)


def test_columns_without_header_but_with_data_are_listed():
    parsed = parse_file(xlsx_bytes([["名称", ""], ["甲", "x", "extra"]]))
    assert parsed.unknown_columns == ["(column B, no header)", "(column C, no header)"]
    assert parsed.rows[0].raw == ["甲", "x", "extra"]


# --------------------------------------------------------------------------- cells
def test_identifiers_and_phones_stay_text():
    data = xlsx_bytes(
        [
            ["名称", "客户编号", "手机", "电话", "信用代码", "规模"],
            ["甲", "000001", 13800138000, 13800138000.0, " 91440300ma5exxxx1c ", 33.2],
            ["乙", 42, "138 0013 8000", "", "９１４４０３００ＭＡ５Ｆ０００００７", 500.0],
        ]
    )
    first, second = parse_file(data).rows

    assert first.values["external_code"] == "000001"
    assert first.values["contact_phone"] == "13800138000"
    assert first.values["contact_phone2"] == "13800138000"
    assert first.values["credit_code"] == "91440300MA5EXXXX1C"
    assert first.values["size"] == "33.2"
    assert second.values["external_code"] == "42"
    assert second.values["contact_phone"] == "13800138000"  # the stored form (domain.phones)
    assert second.values["credit_code"] == "91440300MA5F000007"
    assert second.values["size"] == "500"


def test_names_are_normalised_for_storage():
    row = one_row(csv_bytes([["名称", "简称"], ["  Ａｃｍｅ　 Trading\n Co ", "万  科Ａ"]]))
    assert row.values == {"name": "Acme Trading Co", "short_name": "万 科A"}


def test_notes_keep_their_line_breaks():
    row = one_row(csv_bytes([["名称", "备注"], ["甲", " 第一行\n第二行 "]]))
    assert row.values["notes"] == "第一行\n第二行"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (datetime.date(2024, 10, 16), datetime.date(2024, 10, 16)),
        (datetime.datetime(2024, 10, 16, 9, 30), datetime.date(2024, 10, 16)),
        (45581, datetime.date(2024, 10, 16)),  # Excel serial number
        (45581.75, datetime.date(2024, 10, 16)),
        (20241016, datetime.date(2024, 10, 16)),
        ("2024-10-16", datetime.date(2024, 10, 16)),
        ("2024/10/6", datetime.date(2024, 10, 6)),
        ("20241016", datetime.date(2024, 10, 16)),
        ("2024.10.16", datetime.date(2024, 10, 16)),
        ("2024年10月16日", datetime.date(2024, 10, 16)),
        ("２０２４年１０月１６日", datetime.date(2024, 10, 16)),
        ("2024-10-16 08:30:00", datetime.date(2024, 10, 16)),
        ("25/04/2024", datetime.date(2024, 4, 25)),  # not ambiguous
        ("04/04/2024", datetime.date(2024, 4, 4)),  # not ambiguous either
    ],
)
def test_dates(cell, expected):
    data = xlsx_bytes([["名称", "阶段日期"], ["甲", cell]])
    row = one_row(data)
    assert row.errors == []
    assert row.values["stage_date"] == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (datetime.time(9, 30), "a time without a date"),
        (0.5, "a time without a date"),
        ("2024-02-30", "not a valid date"),
        ("next week", "not a date"),
        ("03/04/24", "4-digit year"),
        ("03/04/2024", "ambiguous"),
    ],
)
def test_bad_dates_are_row_errors_naming_the_field(cell, reason):
    row = one_row(xlsx_bytes([["名称", "阶段日期"], ["甲", cell]]))
    assert len(row.errors) == 1
    assert row.errors[0].field == "stage_date"
    assert reason in row.errors[0].reason
    assert row.values["stage_date"] is None


def test_ambiguous_dates_follow_date_order():
    data = csv_bytes([["名称", "阶段日期"], ["甲", "03/04/2024"]])
    assert one_row(data, date_order="dmy").values["stage_date"] == datetime.date(2024, 4, 3)
    assert one_row(data, date_order="mdy").values["stage_date"] == datetime.date(2024, 3, 4)
    assert one_row(data, date_order="ymd").errors[0].field == "stage_date"
    with pytest.raises(ValueError, match="date_order"):
        parse_file(data, date_order="ydm")


def revenue_csv(*rows):
    return csv_bytes([["客户名称", "账期", "出账收入"], *rows])


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-10", datetime.date(2026, 10, 1)),
        ("2026/10", datetime.date(2026, 10, 1)),
        ("202610", datetime.date(2026, 10, 1)),
        ("2026年10月", datetime.date(2026, 10, 1)),
        ("2026年1月", datetime.date(2026, 1, 1)),
        ("2026.10", datetime.date(2026, 10, 1)),
        ("2026-10-16", datetime.date(2026, 10, 1)),
    ],
)
def test_months_from_text(cell, expected):
    row = one_row(revenue_csv(["甲", cell, "1"]), kind="revenue")
    assert row.errors == []
    assert row.values["month"] == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (datetime.date(2026, 10, 16), datetime.date(2026, 10, 1)),
        (datetime.datetime(2026, 10, 31, 23, 0), datetime.date(2026, 10, 1)),
        (202610, datetime.date(2026, 10, 1)),
        (46311, datetime.date(2026, 10, 1)),  # serial of 2026-10-16
    ],
)
def test_months_from_cells(cell, expected):
    row = one_row(xlsx_bytes([["客户名称", "月份", "收入"], ["甲", cell, 1]]), kind="revenue")
    assert row.errors == []
    assert row.values["month"] == expected


def test_bad_month_is_a_row_error():
    row = one_row(revenue_csv(["甲", "十月", "1"]), kind="revenue")
    assert row.errors == [RowError("month", "not a month (expected e.g. 2026-10): '十月'")]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("¥1,234.5", Decimal("1234.50")),
        ("￥ 1,234.5 元", Decimal("1234.50")),
        ("１２３４．５", Decimal("1234.50")),
        ("19,405,918,198", Decimal("19405918198.00")),
        ("0", Decimal("0.00")),
        ("12.345", Decimal("12.35")),
    ],
)
def test_money_text(cell, expected):
    row = one_row(revenue_csv(["甲", "2026-10", cell]), kind="revenue")
    assert row.errors == []
    assert row.values["billed"] == expected
    assert row.values["billed"].as_tuple().exponent == -2


def test_money_from_number_cells():
    data = xlsx_bytes(
        [["客户名称", "月份", "收入"], ["甲", "2026-10", 1234.5], ["乙", "2026-10", 7]]
    )
    assert [r.values["billed"] for r in parse_file(data, kind="revenue").rows] == [
        Decimal("1234.50"),
        Decimal("7.00"),
    ]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("-5", "must not be negative"),
        ("(1,000.00)", "must not be negative"),
        ("abc", "not an amount"),
        ("-", "not an amount"),
    ],
)
def test_bad_money_is_a_row_error(cell, reason):
    row = one_row(revenue_csv(["甲", "2026-10", cell]), kind="revenue")
    assert [e.field for e in row.errors] == ["billed"]
    assert reason in row.errors[0].reason


def test_segment_and_stage_values_become_codes():
    data = csv_bytes(
        [
            ["名称", "客户类型", "阶段"],
            ["甲", "公众客户", "客户资料"],
            ["乙", "集团客户", "建立客户关系"],
            ["丙", "SME", "达成销售意向"],
            ["丁", "Key", "销售成交"],
            ["戊", "", "流失"],
            ["己", "mass", "目标客户"],
        ]
    )
    values = [(r.values["segment"], r.values["stage"]) for r in parse_file(data).rows]
    assert values == [
        ("mass", "lead"),
        ("group", "relationship"),
        ("mass", "intent"),
        ("group", "deal"),
        (None, "lost"),
        ("mass", "target"),
    ]


def test_unknown_stage_is_a_row_error():
    row = one_row(csv_bytes([["名称", "阶段"], ["甲", "谈判中"]]))
    assert [e.field for e in row.errors] == ["stage"]
    assert "谈判中" in row.errors[0].reason


# --------------------------------------------------------------------------- required
def test_customer_needs_a_name():
    parsed = parse_file(csv_bytes([["名称", "编号"], ["", "1"], ["  ", "2"], ["甲", "3"]]))
    assert [r.errors for r in parsed.rows] == [
        [RowError("name", "required")],
        [RowError("name", "required")],
        [],
    ]


def test_revenue_needs_customer_month_and_billed():
    parsed = parse_file(
        csv_bytes(
            [
                ["信用代码", "客户编号", "客户名称", "月份", "收入"],
                ["91440300MA5ABCDE1H", "", "", "2026-10", "5"],
                ["", "C1", "", "2026-10", "5"],
                ["", "", "", "2026-10", "5"],
                ["", "", "甲", "", ""],
            ]
        ),
        kind="revenue",
    )
    assert [r.errors for r in parsed.rows] == [
        [],
        [],
        [RowError("", parsing._NO_CUSTOMER)],
        [RowError("month", "required"), RowError("billed", "required")],
    ]


def test_an_invalid_value_is_not_also_reported_as_required():
    row = one_row(revenue_csv(["甲", "2026-10", "abc"]), kind="revenue")
    assert [e.field for e in row.errors] == ["billed"]


# --------------------------------------------------------------------------- csv
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings(encoding):
    data = csv_bytes([["客户名称", "客户编号"], ["深圳甲公司", "000001"]], encoding=encoding)
    row = one_row(data)
    assert row.values == {"name": "深圳甲公司", "external_code": "000001"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(delimiter):
    data = csv_bytes(
        [["客户名称", "地址", "备注"], ["甲公司", "深圳市, 南山区", "a;b"]], delimiter=delimiter
    )
    row = one_row(data)
    assert row.values == {"name": "甲公司", "address": "深圳市, 南山区", "notes": "a;b"}


def test_csv_quoted_multiline_cell_counts_as_one_row():
    data = '名称,备注\r\n甲,"一\n二"\r\n乙,x\r\n'.encode()
    parsed = parse_file(data)
    assert [(r.row_number, r.values["notes"]) for r in parsed.rows] == [(2, "一\n二"), (3, "x")]


def test_csv_cells_are_text_and_short_rows_are_rejected_with_field_counts():
    parsed = parse_file(b"name,code,phone\nAcme,007\nBeta,008,13800138000,\n")
    assert parsed.rows[0].values == {"name": "Acme", "external_code": "007", "contact_phone": None}
    assert parsed.rows[0].raw == ["Acme", "007", ""]
    assert parsed.rows[0].error_messages() == [
        "row 2: this row has 2 fields but the header row has 3; a separator or quote is "
        "missing or extra, so its values would land in the wrong columns"
    ]
    assert parsed.rows[1].errors == []  # a trailing separator is harmless


def test_csv_that_is_not_text_in_a_known_encoding_is_refused():
    with pytest.raises(FileRefused, match="UTF-8"):
        parse_file(b"name\n\x80\xff\xfe\x81\n")


# --------------------------------------------------------------------------- blank rows
def test_styled_empty_rows_far_down_are_ignored_quickly():
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["名称", "编号"], ["甲", "1"], ["乙", "2"], ["丙", "3"]):
        ws.append(row)
    for r in range(10, 3000):
        ws.cell(r, 1).font = Font(bold=True)
    ws.cell(1_000_000, 26).font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)

    started = time.perf_counter()
    parsed = parse_file(buf.getvalue())
    assert time.perf_counter() - started < 2
    assert [r.row_number for r in parsed.rows] == [2, 3, 4]


def test_dimension_claiming_a_million_rows_imports_the_real_rows_quickly():
    data = xlsx_bytes([["名称", "编号"], ["甲", "1"], ["乙", "2"], ["丙", "3"]])
    data = rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:B4"', b'<dimension ref="A1:Z1048576"'),
    )
    assert b"A1:Z1048576" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")

    started = time.perf_counter()
    parsed = parse_file(data)
    assert time.perf_counter() - started < 2
    assert [r.values["name"] for r in parsed.rows] == ["甲", "乙", "丙"]


def test_reading_stops_after_a_long_run_of_blank_rows(monkeypatch):
    monkeypatch.setattr(reading, "MAX_BLANK_RUN", 5)
    rows = [["名称"], ["甲"], *([[" "]] * 4), ["乙"], *([[""]] * 5), ["丙"]]
    parsed = parse_file(xlsx_bytes(rows))
    assert [r.values["name"] for r in parsed.rows] == ["甲", "乙"]


def test_whitespace_only_rows_are_blank():
    parsed = parse_file(csv_bytes([["名称", "编号"], ["甲", "1"], [" ", "\u3000"], ["乙", "2"]]))
    assert [r.row_number for r in parsed.rows] == [2, 4]


# --------------------------------------------------------------------------- row numbers
def test_row_numbers_match_excel_when_data_starts_below_row_1():
    data = xlsx_bytes(
        [["客户名称", "编号"], ["甲", "1"], [None, None], ["乙", "2"]], start_row=3, start_col=2
    )
    parsed = parse_file(data)

    assert parsed.header_row == 3
    assert [(r.row_number, r.values["name"]) for r in parsed.rows] == [(4, "甲"), (6, "乙")]
    raw = read_rows(data)
    fmt, sheet_names, sheet, rows, numbers = raw
    assert (fmt, sheet_names, sheet) == ("xlsx", ["Sheet"], "Sheet")
    assert numbers == [3, 4, 6]
    assert isinstance(rows, list)
    assert rows[0] == ["客户名称", "编号"]


def test_sheet_is_chosen_by_name():
    data = xlsx_bytes([["说明"]], extra_sheets=[("客户", [["名称"], ["甲"]])], title="readme")
    parsed = parse_file(data, sheet="客户")
    assert parsed.sheet_names == ["readme", "客户"]
    assert parsed.rows[0].values["name"] == "甲"
    with pytest.raises(FileRefused, match="no sheet named"):
        parse_file(data, sheet="Sheet9")


def test_limit_parses_only_the_first_rows():
    data = csv_bytes([["名称"], *[[f"公司{i}"] for i in range(50)]])
    parsed = parse_file(data, limit=3)
    assert [r.row_number for r in parsed.rows] == [2, 3, 4]


# --------------------------------------------------------------------------- formulas
def test_formula_without_saved_value_is_a_row_error():
    data = xlsx_bytes(
        [
            ["名称", "编号", "备注"],
            ["甲", '="00"&"1"', "x"],
            ['=A2&"分公司"', "2", "y"],
            ["乙", "3", None, "=1+1"],
        ]
    )
    parsed = parse_file(data)

    assert parsed.rows[0].error_messages() == [
        'row 2: external_code: the formula ="00"&"1" has no saved value; open the file in '
        "Excel, save it, and import again"
    ]
    assert parsed.rows[0].errors[0].params == (("formula", '="00"&"1"'),)
    assert [e.field for e in parsed.rows[1].errors] == ["name"]  # not 'required'
    assert "A2&" in parsed.rows[1].errors[0].reason
    assert parsed.formulas[2, 1] == '"00"&"1"'
    assert parsed.rows[2].errors == []  # an unmapped formula column is harmless


def test_formula_with_saved_value_is_read():
    data = xlsx_bytes([["名称", "编号"], ["甲", "=1+1"]])
    data = rewrite_member(
        data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<v />", b"<v>2</v>")
    )
    row = one_row(data)
    assert row.errors == []
    assert row.values["external_code"] == "2"


def test_rows_holding_only_formulas_without_values_are_reported():
    data = xlsx_bytes([["名称", "编号"], ["甲", "1"], ['=B2&"x"', None]])
    parsed = parse_file(data)
    assert [(r.row_number, r.errors) for r in parsed.rows] == [
        (2, []),
        (3, [RowError("name", FORMULA_NO_VALUE.replace("formula", 'the formula =B2&"x"', 1))]),
    ]


# --------------------------------------------------------------------------- duplicates
def test_name_key():
    assert name_key(" 万  科Ａ ") == name_key("万科a") == "万科a"
    assert name_key("ACME\u3000Co.") == "acmeco."


def test_dedupe_keys_for_customers():
    values = {
        "credit_code": " 91440300ma5e ",
        "external_code": "000001",
        "contact_phone": "138-0013-8000",
        "contact_phone2": "+86 755 1234 5678",
        "name": "平安银行 股份有限公司",
    }
    assert dedupe_keys(values) == [
        ("credit_code", "91440300MA5E"),
        ("external_code", "000001"),
        ("phone", "13800138000"),
        ("phone", "0755-12345678"),  # +86 dropped, the stored form (domain.phones)
        ("name", "平安银行股份有限公司"),
    ]
    assert dedupe_keys({"name": None, "contact_phone": "123"}) == []


def test_dedupe_keys_for_revenue_include_the_month():
    values = {"name": "甲", "month": datetime.date(2026, 10, 1), "billed": Decimal("1")}
    assert dedupe_keys(values) == [("name", "甲|2026-10-01")]


def row(number, errors=(), **values):
    return ParsedRow(number, values, [], list(errors))


def test_mark_duplicates_in_file_by_any_key():
    rows = [
        row(2, name="平安银行", external_code="000001"),
        row(3, name="万科A", contact_phone="13800138000"),
        row(4, name="平安 银行"),  # same name_key as row 2
        row(5, name="万科企业", contact_phone="138 0013 8000"),  # phone of row 3
        row(6, name="新公司", external_code="000001"),
        row(7, name="国华"),
    ]
    mark_duplicates_in_file(rows)
    assert [r.duplicate_of for r in rows] == [None, None, 2, 3, 2, None]


def test_duplicates_point_at_the_row_that_is_imported():
    rows = [
        row(2, name="甲", external_code="A"),
        row(3, name="乙", external_code="A", contact_phone="13800138000"),
        row(4, name="丙", contact_phone="13800138000"),
    ]
    mark_duplicates_in_file(rows)
    assert [r.duplicate_of for r in rows] == [None, 2, 2]


def test_rows_with_errors_are_not_originals():
    rows = [row(2, [RowError("stage", "bad")], name="甲"), row(3, name="甲")]
    mark_duplicates_in_file(rows)
    assert [r.duplicate_of for r in rows] == [None, None]
    mark_duplicates_in_file(rows)  # idempotent
    assert [r.duplicate_of for r in rows] == [None, None]


def test_revenue_rows_for_different_months_are_not_duplicates():
    parsed = parse_file(
        revenue_csv(["甲", "2026-09", "1"], ["甲", "2026-10", "2"], ["甲 ", "2026/10", "3"]),
        kind="revenue",
    )
    mark_duplicates_in_file(parsed.rows)
    assert [r.duplicate_of for r in parsed.rows] == [None, None, 3]
    assert [r.row_number for r in parsed.valid_rows] == [2, 3]


# --------------------------------------------------------------------------- properties
@given(st.text())
def test_name_key_ignores_whitespace_and_is_idempotent(name):
    key = name_key(name)
    assert name_key(key) == key
    assert name_key(f"  {name}\u3000") == key


@given(st.integers(min_value=0, max_value=10**15))
def test_integer_valued_floats_render_without_point_zero(n):
    assert converters._text_identifier(float(n)) == str(n)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_float_text_round_trips(x):
    assert float(reading.cell_text(x)) == x
    assert not reading.cell_text(x).endswith(".0")


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_money_with_thousands_separators_round_trips(amount):
    assert converters._money(f"¥{amount:,.2f}") == amount


def test_doctype_after_a_long_comment_is_still_refused():
    prolog = b'<?xml version="1.0"?><!--' + b"x" * 10_000 + b'--><!DOCTYPE x [<!ENTITY a "b">]>'
    data = rewrite_member(
        xlsx_bytes([["名称"], ["甲"]]),
        "xl/styles.xml",
        lambda xml: prolog + xml.split(b"?>", 1)[-1],
    )
    with pytest.raises(FileRefused, match="DOCTYPE/ENTITY"):
        parse_file(data)


def test_entity_text_inside_cells_is_fine():
    row = one_row(xlsx_bytes([["名称", "备注"], ["甲", "<!DOCTYPE html> <!ENTITY x>"]]))
    assert row.values["notes"] == "<!DOCTYPE html> <!ENTITY x>"


def test_mapping_may_name_a_column_past_the_header():
    parsed = parse_file(b"name\nAcme,Shenzhen\nBeta\n", mapping={0: "name", 1: "city"})
    assert [r.values for r in parsed.rows] == [
        {"name": "Acme", "city": "Shenzhen"},
        {"name": "Beta", "city": None},
    ]
