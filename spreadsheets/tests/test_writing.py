import io

from openpyxl import Workbook, load_workbook

from spreadsheets.writing import safe_cell, safe_csv_value


def _roundtrip(value):
    wb = Workbook()
    safe_cell(wb.active["A1"], value)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return load_workbook(buf).active["A1"]


def test_formula_text_is_not_a_formula():
    cell = _roundtrip('=HYPERLINK("x")')
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("x")'


def test_number_stays_numeric():
    cell = _roundtrip(42)
    assert cell.data_type == "n"
    assert cell.value == 42


def test_control_characters_dropped():
    assert _roundtrip("a\x01b").value == "ab"


def test_csv_prefix():
    assert safe_csv_value("=1+1") == "'=1+1"
    assert safe_csv_value("plain") == "plain"
    assert safe_csv_value(3) == "3"
