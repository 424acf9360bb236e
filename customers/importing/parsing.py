"""Parse one sheet of a customer or revenue file: header, mapping, converted and checked
rows (docs/domain, section 5)."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Sequence

from spreadsheets.messages import gettext_noop, render
from spreadsheets.reading import (
    MAX_BYTES,
    MAX_UNCOMPRESSED,
    FileRefused,
    cell_text,
    is_blank,
    normalise_header_marked,
    open_sheet,
)

from .bulk import gc_paused
from .converters import _DATE_ORDERS, _RAISING_FIELDS, _convert_column, _converter_for, _Err
from .fields import FIELD_TYPES, KIND_SYNONYMS
from .headers import _check_kind, _find_header, _looks_like_data, _match
from .results import ParsedRow, ParsedSheet, RowError

HEADER_SCAN_ROWS = 30
"""How many non-empty rows at the top are candidates for the header row."""

PREVIEW_SLACK_ROWS = 100
"""With ``limit``, an .xlsx is parsed only up to this many rows past the ones needed
(blank rows in between are read too)."""

PARSE_CHUNK_ROWS = 5000
"""Data rows read and converted at a time; the cells as read of one chunk are let go
before the next is read."""

_NO_CUSTOMER = gettext_noop("customer missing: give a credit code, customer code or name")
_REQUIRED = gettext_noop("required")
NO_HEADER_COLUMN = gettext_noop("(column %(letter)s, no header)")
"""How ``ParsedSheet.unknown_columns`` names a column without header that holds data (in
English; the preview says it in the reader's language)."""
FORMULA_NO_VALUE = gettext_noop(
    "formula has no saved value; open the file in Excel, save it, and import again"
)
_FORMULA_NO_VALUE_QUOTED = gettext_noop(
    "the formula %(formula)s has no saved value; open the file in Excel, save it, and import again"
)
_RAGGED = gettext_noop(
    "this row has %(fields)d fields but the header row has %(expected)d; a separator or "
    "quote is missing or extra, so its values would land in the wrong columns"
)
_CSV_QUOTED = ("'=", "'+", "'-", "'@")
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "customers": ("name",),
    "revenue": ("month", "billed"),
}
"""Fields a column must be mapped to; revenue also needs one customer identifier."""
_IDENTIFIERS = ("credit_code", "external_code", "name")


def missing_required(kind: str, mapped: set[str] | list[str]) -> list[str]:
    """The required fields of ``kind`` that no column is mapped to, in field order
    ('name' stands for "a customer identifier" in a revenue file)."""
    present = set(mapped)
    missing = [f for f in REQUIRED_FIELDS[kind] if f not in present]
    if kind == "revenue" and not present & set(_IDENTIFIERS):
        missing.append("name")
    return missing


def _unquote_csv(cell: object) -> object:
    """Drop the single quote a CSV export puts before text that starts like a formula
    (spreadsheets.writing.safe_csv_value): ``'+8613800138001`` -> ``+8613800138001``."""
    if type(cell) is str and cell.startswith(_CSV_QUOTED):
        return cell[1:]
    return cell


def _fields_of(kind: str) -> set[str]:
    fields = set(KIND_SYNONYMS[kind])
    if "contact_phone" in fields:
        fields.add("contact_phone2")
    return fields


def column_letter(i: int) -> str:
    """The Excel letter of 0-based column ``i``: 0 -> A, 26 -> AA."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def parse_file(
    data: bytes,
    *,
    kind: str = "customers",
    sheet: str | None = None,
    mapping: dict[int, str | None] | None = None,
    date_order: str | None = None,
    max_bytes: int = MAX_BYTES,
    limit: int | None = None,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    header_row: int | None = None,
    keep_raw: bool = True,
) -> ParsedSheet:
    """Read, map and validate one sheet of a customer or revenue file.

    ``kind``: 'customers' | 'revenue'. ``sheet``: sheet name (default the first visible
    worksheet). ``mapping``: column index -> field or None, replacing the automatic
    mapping (columns not in it are ignored and listed as unknown unless explicitly
    None). ``date_order``: None | 'ymd' | 'dmy' | 'mdy' for text dates like 03/04/2024
    (None: ambiguous ones are row errors). ``max_bytes``: file size limit.
    ``limit``: parse only the first N data rows (preview). ``max_uncompressed``: .xlsx
    unpacked size limit. ``header_row``: 1-based header row, instead of detection
    (the row with the most header synonyms among the first 30 non-empty rows, or none
    when no row names a field and the first row looks like data); 0: the file has no
    header row, every row is data (map the columns with ``mapping``). ``keep_raw``:
    False leaves each row's ``raw`` cells empty and lets them go as soon as the columns
    are converted (an import that writes rows needs only the values: about a third less
    peak memory for a large file).

    Required: customers need ``name``; revenue rows need a customer identifier
    (credit_code, external_code or name), ``month`` and ``billed`` (>= 0).
    Raises FileRefused (user-facing) for files that cannot be imported, ValueError
    for a bad ``kind``, ``date_order`` or ``mapping`` (programming errors).
    """
    with gc_paused():  # millions of cells and values, no cycles (customers.importing.bulk)
        return _parse_file(
            data,
            kind=kind,
            sheet=sheet,
            mapping=mapping,
            date_order=date_order,
            max_bytes=max_bytes,
            limit=limit,
            max_uncompressed=max_uncompressed,
            header_row=header_row,
            keep_raw=keep_raw,
        )


def _parse_file(
    data: bytes,
    *,
    kind: str,
    sheet: str | None,
    mapping: dict[int, str | None] | None,
    date_order: str | None,
    max_bytes: int,
    limit: int | None,
    max_uncompressed: int,
    header_row: int | None,
    keep_raw: bool,
) -> ParsedSheet:
    """:func:`parse_file` with the collector paused."""
    _check_kind(kind)
    if date_order not in _DATE_ORDERS:
        raise ValueError(f"date_order must be one of {_DATE_ORDERS}, not {date_order!r}")
    max_rows = None
    if limit is not None:
        # The header search and the rows shown; blank rows count in the sheet's XML.
        max_rows = (header_row or HEADER_SCAN_ROWS) + max(limit, 0) + PREVIEW_SLACK_ROWS
    opened = open_sheet(
        data,
        sheet=sheet,
        max_bytes=max_bytes,
        max_uncompressed=max_uncompressed,
        max_rows=max_rows,
    )
    fmt, names, sheet_name = opened.format, opened.sheet_names, opened.sheet
    rows, formula_cells = opened.rows, opened.formula_cells

    # Header: buffer the first non-empty rows and pick one (or none).
    candidates: list[tuple[int, list[object]]] = []
    for item in rows:
        candidates.append(item)
        if header_row:
            if item[0] >= header_row:
                break
        elif len(candidates) >= HEADER_SCAN_ROWS:
            break
    if not candidates:
        if sheet_name:
            raise FileRefused(
                gettext_noop("The sheet %(sheet)s has no rows."), sheet=repr(sheet_name)
            )
        raise FileRefused(gettext_noop("The file has no rows."))
    detected = header_row is None
    if header_row:
        index: int | None = next(
            (i for i, (n, _) in enumerate(candidates) if n == header_row), None
        )
        if index is None:
            raise FileRefused(
                gettext_noop("Row %(row)d is empty; it cannot be the header row."), row=header_row
            )
    elif header_row == 0:
        index = None
    else:
        index = _find_header(candidates, kind)
        if index == 0 and _looks_like_data(candidates, kind):
            index = None
    if index is None:  # no header row: every row is data
        header_number = 0
        width = max(len(r) for _, r in candidates)
        headers = [""] * width
        first_data = 0
    else:
        header_number, header_cells = candidates[index]
        headers = [cell_text(c) for c in header_cells]
        width = len(headers)
        first_data = index + 1

    duplicates: list[str] = []
    if mapping is None:
        col_map, unknown, duplicates = _match(headers, kind)
    else:
        col_map, unknown = _validate_mapping(mapping, headers, kind)

    required_in_file = []
    for i, fld in col_map.items():
        if fld and i < width and normalise_header_marked(headers[i])[1]:
            required_in_file.append(fld)

    # Data rows: the candidates after the header, then the rest of the sheet, read and
    # converted PARSE_CHUNK_ROWS at a time so the cells as read go as soon as their
    # chunk is converted (a large import's peak memory, bench/import_customers.py).
    data_rows: Iterator[tuple[int, list[object]]] = itertools.chain(candidates[first_data:], rows)
    if limit is not None:
        data_rows = itertools.islice(data_rows, max(limit, 0))
    del rows, candidates, opened  # the reader and its workbook go with data_rows
    need = max([width, *(i + 1 for i, f in col_map.items() if f)])
    mapped = [(i, fld) for i, fld in sorted(col_map.items()) if fld]
    fields = [fld for _, fld in mapped]
    unmapped = [i for i, h in enumerate(headers) if not (h.strip() or col_map.get(i))]
    with_data: set[int] = set()  # columns without a header or field that hold data
    max_width = width
    expected: int | None = width if index is not None else None
    no_raw: list[object] = []  # keep_raw=False: every row shares it, the cells can go
    # Per chunk: row numbers, cells as read, converted columns, errors.
    converted: deque[
        tuple[list[int], list[list[object]], list[list[object]], list[list[RowError]]]
    ] = deque()
    while chunk := list(itertools.islice(data_rows, PARSE_CHUNK_ROWS)):
        numbers = [n for n, _ in chunk]
        raws = [r for _, r in chunk]
        del chunk
        chunk_width = max(map(len, raws))
        if chunk_width > max_width:
            unmapped.extend(i for i in range(max_width, chunk_width) if not col_map.get(i))
            max_width = chunk_width
        count = len(raws)
        errors: list[list[RowError]] = [[] for _ in range(count)]
        if fmt == "csv":
            if expected is None:
                expected = len(raws[0])
            _reject_ragged(raws, errors, expected)
        if min(map(len, raws)) < need:  # a mapped column past the data
            pad = [""] * need
            raws = [r if len(r) >= need else r + pad[len(r) :] for r in raws]
        for i in unmapped:
            if i not in with_data and not is_blank([r[i] for r in raws if i < len(r)]):
                with_data.add(i)
        columns = _convert_chunk(fmt, mapped, raws, numbers, errors, formula_cells, date_order)
        _check_required(kind, dict(zip(fields, columns, strict=True)), errors, count)
        if not keep_raw:
            raws = [no_raw] * count
        converted.append((numbers, raws, columns, errors))
        del raws, columns, errors
    del data_rows  # the workbook goes now; the rows' dicts are built after it
    parsed: list[ParsedRow] = []
    while converted:
        numbers, raws, columns, errors = converted.popleft()
        if columns:
            value_dicts = [dict(zip(fields, t, strict=True)) for t in zip(*columns, strict=True)]
        else:
            value_dicts = [{} for _ in range(len(raws))]
        parsed.extend(
            ParsedRow(n, v, r, e)
            for n, v, r, e in zip(numbers, value_dicts, raws, errors, strict=True)
        )
        del raws, columns, value_dicts, errors
    # Columns without a header that hold data are listed, not silently dropped.
    unknown.extend(
        render(NO_HEADER_COLUMN, {"letter": column_letter(i)}) for i in sorted(with_data)
    )

    return ParsedSheet(
        format=fmt,
        sheet_names=names,
        sheet=sheet_name,
        header_row=header_number,
        headers=headers,
        mapping=col_map,
        unknown_columns=unknown,
        required_in_file=required_in_file,
        rows=parsed,
        duplicate_columns=duplicates,
        kind=kind,
        header_detected=detected,
        missing_required=missing_required(kind, [f for f in col_map.values() if f]),
        formulas=dict(formula_cells),
    )


def _reject_ragged(
    raws: list[list[object]], errors: list[list[RowError]], expected: int | None
) -> None:
    """CSV rows whose field count differs from the header row's are rejected: a missing
    or extra separator shifts every later value into the wrong column. Empty fields
    after the last expected one are tolerated (a trailing separator). Without a header
    row the expected count is the first row's."""
    if expected is None:
        expected = len(raws[0])
    for k, row in enumerate(raws):
        fields = len(row)
        while fields > expected and row[fields - 1] == "":
            fields -= 1
        if fields != expected:
            errors[k].append(RowError("", _RAGGED, (("fields", len(row)), ("expected", expected))))


def _convert_chunk(
    fmt: str,
    mapped: list[tuple[int, str]],
    raws: list[list[object]],
    numbers: list[int],
    errors: list[list[RowError]],
    formula_cells: dict[tuple[int, int], str],
    date_order: str | None,
) -> list[list[object]]:
    """Column by column: one converter per mapped column, memoised when values repeat;
    conversion errors and formulas without a saved value go to ``errors``."""
    columns: list[list[object]] = []
    positions = {n: k for k, n in enumerate(numbers)} if formula_cells else {}
    # One transposition in C instead of a list per column (every row is at least as
    # wide as the last mapped column, parse_file pads the short ones).
    by_column: list[tuple[object, ...]] = list(zip(*raws, strict=False)) if mapped else []
    for i, fld in mapped:
        cells: Sequence[object] = by_column[i]
        if fmt == "csv":
            cells = list(map(_unquote_csv, cells))
        out = _convert_column(cells, _converter_for(fld, date_order), FIELD_TYPES.get(fld, "line"))
        del cells
        if fld in _RAISING_FIELDS:
            for k, x in enumerate(out):
                if type(x) is _Err:
                    errors[k].append(RowError(fld, x.message, x.params))
                    out[k] = None
        for (number, col), formula in formula_cells.items():
            pos = positions.get(number)
            if col != i or pos is None or out[pos] is not None:
                continue
            if not _has_error(errors[pos], fld):
                if formula:
                    quoted = (("formula", "=" + formula),)
                    errors[pos].append(RowError(fld, _FORMULA_NO_VALUE_QUOTED, quoted))
                else:
                    errors[pos].append(RowError(fld, FORMULA_NO_VALUE))
        columns.append(out)
    del by_column
    return columns


def _has_error(errors: list[RowError], fld: str) -> bool:
    return any(e.field == fld for e in errors)


def _check_required(
    kind: str, by_field: dict[str, list[object]], errors: list[list[RowError]], count: int
) -> None:
    """Append 'required' errors, column-wise; a field that already has an error is skipped."""
    nothing = [None] * count
    if kind == "customers":
        checks = [("name", by_field.get("name", nothing))]
    else:
        ids = [by_field.get(f, nothing) for f in ("credit_code", "external_code", "name")]
        for k, (a, b, c) in enumerate(zip(*ids, strict=True)):
            if a is None and b is None and c is None:
                errs = errors[k]
                if not any(e.field in ("credit_code", "external_code", "name") for e in errs):
                    errs.append(RowError("", _NO_CUSTOMER))
        checks = [(f, by_field.get(f, nothing)) for f in ("month", "billed")]
    for fld, column in checks:
        for k, x in enumerate(column):
            if x is None and not _has_error(errors[k], fld):
                errors[k].append(RowError(fld, _REQUIRED))


def _validate_mapping(
    mapping: dict[int, str | None], headers: list[str], kind: str
) -> tuple[dict[int, str | None], list[str]]:
    allowed = _fields_of(kind)
    seen: set[str] = set()
    col_map: dict[int, str | None] = {}
    for i, fld in mapping.items():
        if not isinstance(i, int) or i < 0:
            raise ValueError(f"mapping keys must be column indices >= 0, not {i!r}")
        if fld is None:
            col_map[i] = None
            continue
        if fld not in allowed:
            raise ValueError(f"{fld!r} is not a field of {kind!r}")
        if fld in seen:
            raise ValueError(f"field {fld!r} is mapped to two columns")
        seen.add(fld)
        col_map[i] = fld
    unknown = []
    for i, header in enumerate(headers):
        if i not in mapping and header.strip():
            unknown.append(header)
        col_map.setdefault(i, None)
    return dict(sorted(col_map.items())), unknown
