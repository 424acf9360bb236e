"""Column-wise conversion gives exactly the per-cell converters' values and errors
(docs/domain, section 5, Imports), and the collector pause of bulk stages is restored."""

from __future__ import annotations

import datetime
import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from customers.importing.bulk import gc_paused
from customers.importing.converters import _KEEPERS, _convert_column, _converter_for, _Err
from customers.importing.fields import FIELD_TYPES

_TRICKY = [
    "",
    " ",
    "深圳腾飞科技有限公司",
    " 深圳腾飞 ",
    "深圳  腾飞",
    "深圳\u3000腾飞",
    "深圳\t腾飞",
    "ＡＢＣ科技",
    "abc",
    "A1b2",
    " C0001",
    "C0001 ",
    "Ｃ０００１",
    "13800138000",
    "138 0013 8000",
    "１３８００１３８０００",
    "12800138000",
    "+86 138 0013 8000",
    "010-12345678",
    "91440300MA5FUTPX1P",
    "91440300MA5FUTPX1Q",
    "91440300ma5futpx1p",
    " 91440300MA5FUTPX1P",
    "9144 0300MA5FUTPX1P",
    "91440300MA5FUTPXIP",
    "x\u00a0y",
    "\x1fz",
    None,
    0,
    13800138000,
    13800138000.0,
    1.5,
    True,
    datetime.date(2024, 1, 2),
]

_cells = st.lists(
    st.one_of(st.sampled_from(_TRICKY), st.text(max_size=20), st.integers(), st.none()),
    max_size=80,
)


def _comparable(values: list[object]) -> list[object]:
    return [(v.message, v.params) if type(v) is _Err else v for v in values]


@pytest.mark.parametrize("fld", sorted({f for f, t in FIELD_TYPES.items() if t in _KEEPERS}))
def test_keepers_match_the_per_cell_converter_on_tricky_cells(fld: str) -> None:
    conv = _converter_for(fld, None)
    cells = _TRICKY * 3  # over 64 cells, few distinct: the memoised path
    assert _comparable(_convert_column(cells, conv, FIELD_TYPES[fld])) == _comparable(
        [conv(c) for c in cells]
    )
    unique = [*_TRICKY, *(f"{c}{n}" for n in range(100) for c in ("名称", "C", "1380013"))]
    assert _comparable(_convert_column(unique, conv, FIELD_TYPES[fld])) == _comparable(
        [conv(c) for c in unique]
    )


def test_keepers_skip_the_converter_for_cells_already_their_value() -> None:
    calls: list[object] = []

    def conv(v: object) -> object:
        calls.append(v)
        return v

    cells = [f"91440300MA5FUTPX{n:02d}" for n in range(100)]
    cells[0] = "91440300MA5FUTPX1P"
    _convert_column(cells, conv, "credit_code")
    assert "91440300MA5FUTPX1P" not in calls
    # Only the codes python-stdnum refuses go through conv (it says why).
    assert calls == [c for c in cells if not uscc.is_valid(c)]
    assert 0 < len(calls) < 100


@settings(max_examples=150, deadline=None)
@given(cells=_cells, fld=st.sampled_from(["name", "city", "external_code", "contact_phone"]))
def test_keepers_match_the_per_cell_converter_on_any_cells(cells: list[object], fld: str) -> None:
    conv = _converter_for(fld, None)
    got = _convert_column(cells, conv, FIELD_TYPES[fld])
    assert _comparable(got) == _comparable([conv(c) for c in cells])


def test_gc_paused_restores_the_collector_and_nests() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # only the outermost block turns it back on
    assert gc.isenabled()


def test_gc_paused_restores_the_collector_after_an_error() -> None:
    with pytest.raises(ValueError, match="boom"), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_gc_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
