"""The one safe cell writer: text is never a formula, numbers and dates stay typed."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from spreadsheets.writing import safe_append, safe_cell, safe_csv_value


def _roundtrip(value: object) -> Any:
    wb = Workbook()
    safe_cell(wb.active["A1"], value)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return load_workbook(buf).active["A1"]


def test_formula_text_is_not_a_formula() -> None:
    cell = _roundtrip('=HYPERLINK("x")')
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("x")'
    assert cell.quotePrefix


@pytest.mark.parametrize("text", ["+86 138", "-5", "@SUM(A1)", "\tx"])
def test_every_formula_trigger_gets_the_quote_prefix(text: str) -> None:
    cell = _roundtrip(text)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_plain_text_has_no_quote_prefix() -> None:
    cell = _roundtrip("a=b")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("a=b", "s", False)


def test_number_stays_numeric() -> None:
    cell = _roundtrip(42)
    assert cell.data_type == "n"
    assert cell.value == 42


@pytest.mark.parametrize(
    "value", [Decimal("12.50"), 3.5, True, dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 8, 30)]
)
def test_typed_values_stay_typed(value: object) -> None:
    cell = _roundtrip(value)
    assert cell.data_type != "s"


def test_control_characters_dropped() -> None:
    assert _roundtrip("a\x01b").value == "ab"


def test_safe_append_writes_a_row_of_safe_cells() -> None:
    wb = Workbook()
    ws = wb.active
    safe_append(ws, ["head"])
    cells = safe_append(ws, ["=1+1", 7, None])
    assert [c.row for c in cells] == [2, 2, 2]
    assert (ws["A2"].value, ws["A2"].data_type) == ("=1+1", "s")
    assert (ws["B2"].value, ws["B2"].data_type) == (7, "n")
    assert ws["C2"].value is None


def test_csv_prefix() -> None:
    assert safe_csv_value("=1+1") == "'=1+1"
    assert safe_csv_value("plain") == "plain"
    assert safe_csv_value(3) == "3"
    assert safe_csv_value(None) == ""
    assert safe_csv_value(dt.date(2024, 1, 2)) == "2024-01-02"
