"""parse_file reads and converts a sheet in chunks of PARSE_CHUNK_ROWS rows (to keep a large
import's memory down, bench/import_customers.py); the result must not depend on the chunk size."""

import dataclasses

import pytest

from customers.importing import parse_file, parsing
from customers.tests.test_importing import csv_bytes, xlsx_bytes


def _parsed(data, **kwargs):
    parsed = parse_file(data, **kwargs)
    rows = [dataclasses.astuple(r) for r in parsed.rows]
    return rows, dataclasses.replace(parsed, rows=[])


def _same_for_any_chunk_size(monkeypatch, data, **kwargs):
    whole = _parsed(data, **kwargs)
    for size in (1, 2, 3):
        monkeypatch.setattr(parsing, "PARSE_CHUNK_ROWS", size)
        assert _parsed(data, **kwargs) == whole
    return whole


XLSX_ROWS = [
    ["名称", "编号", "阶段日期", "手机号码", None],
    ["甲公司", '="00"&"1"', "2024-01-05", "13800138000"],
    [None, "2", "not a date", "13800138001"],
    ["乙公司", "3", "2024-02-30", None],
    ["丙公司", "4", None, "13800138002", None, "tail"],
    ['=A2&"分公司"', "5", "2024-03-01", "13800138003"],
    ["甲公司", "6", None, "13800138000"],
    ["丁公司", "7", None, None, "x"],
]


@pytest.mark.parametrize("keep_raw", [True, False])
def test_xlsx_rows_errors_formulas_and_unknown_columns_do_not_depend_on_chunks(
    monkeypatch, keep_raw
):
    rows, sheet = _same_for_any_chunk_size(monkeypatch, xlsx_bytes(XLSX_ROWS), keep_raw=keep_raw)
    assert len(rows) == 7
    assert sheet.unknown_columns == ["(column E, no header)", "(column F, no header)"]
    assert any(r[3] for r in rows)  # some rows have errors


def test_xlsx_preview_limit_does_not_depend_on_chunks(monkeypatch):
    rows, _ = _same_for_any_chunk_size(monkeypatch, xlsx_bytes(XLSX_ROWS), limit=4)
    assert [r[0] for r in rows] == [2, 3, 4, 5]


def test_csv_ragged_rows_without_header_do_not_depend_on_chunks(monkeypatch):
    data = csv_bytes(
        [
            ["甲公司", "1", "'+8613800138000"],
            ["乙公司", "2"],
            ["丙公司", "3", "13800138001", "extra"],
            ["丁公司", "4", "13800138002", ""],
            ["", "5", "13800138003"],
        ]
    )
    rows, _ = _same_for_any_chunk_size(
        monkeypatch, data, header_row=0, mapping={0: "name", 1: "external_code", 2: "contact_phone"}
    )
    assert [bool(r[3]) for r in rows] == [False, True, True, False, True]
