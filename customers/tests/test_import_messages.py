"""The import engine's messages are said in the user's language from their templates and
values (no matching of English text afterwards)."""

from django.utils import translation

from customers.import_messages import error_entry, translate_reason, translate_refusal
from customers.importing import FileRefused, RowError, detect_format, parse_file


def test_row_reasons_are_translated_from_template_and_values():
    row = parse_file("客户名称,阶段日期\n甲,03/04/2024\n".encode()).rows[0]
    month_error = next(e for e in row.errors if e.field == "stage_date")
    with translation.override("zh-hans"):
        assert translate_reason(RowError("name", "required")) == "必填"
        said = translate_reason(month_error)
        assert said.startswith("'03/04/2024'")
        assert "日期顺序" in said
        amount = translate_reason(
            RowError("billed", "not an amount: %(value)s", (("value", "'abc'"),))
        )
        assert amount == "不是金额：'abc'"
    with translation.override("en"):
        assert translate_reason(month_error) == month_error.reason


def test_a_stored_error_keeps_its_template_so_any_reader_gets_their_language():
    entry = error_entry(
        7,
        parse_file("名称,电话\n甲,12345\n".encode()).rows[0].errors[0],
        "电话",
    )
    assert str(entry["message"]).startswith("not a phone number: %(value)s has %(digits)d")
    assert entry["params"] == {"value": "'12345'", "digits": 5}
    with translation.override("zh-hans"):
        assert "'12345' 共 5 位数字" in translate_reason(entry)
    with translation.override("en"):
        assert translate_reason(entry) == entry["reason"]


def test_an_entry_stored_without_a_template_is_shown_as_written():
    with translation.override("zh-hans"):
        assert translate_reason({"reason": "something new"}) == "something new"


def _refusal(data: bytes) -> FileRefused:
    try:
        detect_format(data)
    except FileRefused as exc:
        return exc
    raise AssertionError("not refused")


def test_a_refused_html_file_is_explained_in_chinese_with_the_advice():
    refusal = _refusal(b"<html><body><table></table></body></html>")
    with translation.override("zh-hans"):
        said = translate_refusal(refusal)
    assert "网页" in said
    assert ".xlsx" in said
    assert "另存为" in said


def test_every_refusal_that_advises_saving_as_xlsx_keeps_the_advice_in_chinese():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.bin", b"x")
    xlsb = _refusal(buf.getvalue())
    assert "save it as .xlsx" in str(xlsb)
    with translation.override("zh-hans"):
        assert "另存为 .xlsx" in translate_refusal(xlsb)
