"""Read spreadsheet and CSV files safely (pure: no Django, no app imports).

Shared by every import (customer and revenue lists, targets). From the bytes of an
uploaded file: :func:`detect_format` (never the file name) -> safety guards (size, zip
bombs, XML with DTDs or entities) -> :func:`read_rows` / :func:`open_sheet`
(python-calamine for .xlsx/.xls, the csv module for UTF-8, UTF-16 or GB18030 text with a
sniffed delimiter). Formula cells of an .xlsx without a saved value are located, so an
import can say so instead of reading an empty cell.

Row numbers are always the 1-based row number the user sees in Excel (or the record
number of a CSV file), whatever the used range of the sheet. Refusals raise
:class:`FileRefused` with a user-facing English message.
"""

from __future__ import annotations

import csv
import ctypes
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

import python_calamine

from .formulas import formulas_without_value, read_member, xlsx_sheet_paths
from .messages import FileRefused, gettext_noop
from .xlsx_head import first_rows_only

__all__ = [
    "MAX_BLANK_RUN",
    "MAX_BYTES",
    "MAX_COMPRESSION_RATIO",
    "MAX_UNCOMPRESSED",
    "MAX_ZIP_MEMBERS",
    "FileRefused",
    "OpenedSheet",
    "RawSheet",
    "cell_text",
    "decode_text",
    "detect_format",
    "float_text",
    "is_blank",
    "normalise_header",
    "normalise_header_marked",
    "open_sheet",
    "read_rows",
    "sniff_delimiter",
]

MAX_BYTES = 20 * 1024 * 1024
"""Default limit on the size of the uploaded file."""
MAX_UNCOMPRESSED = 200 * 1024 * 1024
"""Default limit on the total uncompressed size of an .xlsx (sum of its zip members)."""
MAX_ZIP_MEMBERS = 1000
"""An .xlsx has a few dozen parts; thousands means something else is going on."""
MAX_COMPRESSION_RATIO = 200
"""Zip-bomb guard: realistic sheet XML compresses 5-50x, deflate bombs ~1000x."""
RATIO_CHECK_MIN_SIZE = 1024 * 1024
"""Members smaller than this are not ratio-checked (tiny repetitive parts compress well)."""
MAX_BLANK_RUN = 1000
"""Reading stops after this many consecutive blank rows (styled-but-empty tails)."""
PROLOG_LIMIT = 65536
"""Bytes of an XML part read to check its prolog; a longer prolog counts as suspicious."""


@dataclass(slots=True)
class RawSheet:
    """The result of :func:`read_rows`; unpacks as the 5-tuple
    ``(format, sheet_names, sheet, rows, row_numbers)``.

    ``rows``: non-blank rows as lists of cells (str, float, int, bool, datetime.date,
    datetime.datetime, datetime.time, datetime.timedelta; '' for empty) in sheet order;
    ``row_numbers``: their 1-based Excel row numbers. ``formula_cells``: (row number,
    column index) -> formula text ('' when unknown) of .xlsx formula cells that have no
    saved value.
    """

    format: str
    sheet_names: list[str]
    sheet: str
    rows: list[list[object]]
    row_numbers: list[int]
    formula_cells: dict[tuple[int, int], str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[object]:
        return iter((self.format, self.sheet_names, self.sheet, self.rows, self.row_numbers))


RowIter = Iterator[tuple[int, list[object]]]
"""(1-based row number, cells) of the non-blank rows of a sheet, in sheet order."""


@dataclass(slots=True)
class OpenedSheet:
    """The result of :func:`open_sheet`: the sheet's rows as a lazy iterator.

    ``format``: 'xlsx' | 'xls' | 'csv'; ``sheet_names``: all sheets ([] for CSV);
    ``sheet``: the sheet read ('' for CSV); ``rows``: see :data:`RowIter`;
    ``formula_cells``: (row number, column index) -> formula text ('' when unknown) of
    .xlsx formula cells without a saved value.
    """

    format: str
    sheet_names: list[str]
    sheet: str
    rows: RowIter
    formula_cells: dict[tuple[int, int], str]


# --------------------------------------------------------------------------- format
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_HTML_STARTS = (b"<html", b"<!doctype", b"<table", b"<head", b"<meta", b"<body", b"<style")
_BINARY_MAGICS = {
    b"%PDF": gettext_noop("This is a PDF document, not a spreadsheet."),
    b"\x89PNG": gettext_noop("This is an image, not a spreadsheet."),
    b"\xff\xd8\xff": gettext_noop("This is an image, not a spreadsheet."),
    b"GIF8": gettext_noop("This is an image, not a spreadsheet."),
    b"\x1f\x8b": gettext_noop("This is a compressed (gzip) file, not a spreadsheet."),
    b"Rar!": gettext_noop("This is a RAR archive, not a spreadsheet."),
    b"7z\xbc\xaf": gettext_noop("This is a 7-Zip archive, not a spreadsheet."),
}


def detect_format(data: bytes) -> str:
    """Return 'xlsx', 'xls' or 'csv' from the file's bytes (never its name).

    Zip magic + ``xl/workbook.xml`` -> 'xlsx'; OLE2 magic -> 'xls' (unless it is an
    encrypted OOXML package); anything else that looks like text -> 'csv'.
    Raises FileRefused for: empty files, HTML or XML-2003 saved as .xls,
    password-protected workbooks, other zip files (.ods, .docx, .xlsb) and other
    binary files.
    """
    if not data or not data.strip():
        raise FileRefused(gettext_noop("The file is empty."))
    if data.startswith(_ZIP_MAGIC):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise FileRefused(
                gettext_noop("The file looks like an .xlsx but is damaged (%(detail)s)."),
                detail=str(exc),
            ) from exc
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "xl/workbook.bin" in names:
            raise FileRefused(
                gettext_noop(
                    "This is a binary workbook (.xlsb); open it in Excel and save it as .xlsx."
                )
            )
        if "content.xml" in names:
            raise FileRefused(
                gettext_noop(
                    "This is an OpenDocument spreadsheet (.ods); open it in Excel and save it "
                    "as .xlsx."
                )
            )
        raise FileRefused(gettext_noop("This is a zip file but not an Excel workbook (.xlsx)."))
    if data.startswith(_OLE2_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise FileRefused(
                gettext_noop(
                    "This workbook is password-protected; remove the password in Excel "
                    "and import again."
                )
            )
        return "xls"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"  # UTF-16 text ("Unicode Text" from Excel)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x00").lower()
    if head.startswith(_HTML_STARTS) or head.startswith(b"mime-version:"):
        raise FileRefused(
            gettext_noop(
                "This .xls is really a web page (HTML); open it in Excel and save it as "
                ".xlsx, then import that file."
            )
        )
    if head.startswith(b"<?xml"):
        raise FileRefused(
            gettext_noop(
                "This .xls is really an XML Spreadsheet 2003 file; open it in Excel and "
                "save it as .xlsx, then import that file."
            )
        )
    for magic, what in _BINARY_MAGICS.items():
        if data.startswith(magic):
            raise FileRefused(what)
    if b"\x00" in data[:8192]:
        raise FileRefused(gettext_noop("This is not a spreadsheet or a CSV text file."))
    return "csv"


def check_name_matches(name: str, fmt: str) -> None:
    """Refuse a file whose name promises an Excel workbook (``.xlsx``, ``.xlsm``) when its
    bytes are text (``fmt`` from :func:`detect_format` is 'csv'): an .xlsx is always a zip
    package, so such a file was renamed or saved wrongly, and reading it as CSV silently
    would surprise. ``name``: the uploaded file's name (any path). An .xls named text is
    kept: Excel writes "Unicode Text" and many systems export tab-separated text as .xls.
    Raises FileRefused; returns None otherwise."""
    suffix = name.replace("\\", "/").rsplit("/", 1)[-1].rpartition(".")[2].lower()
    if fmt == "csv" and suffix in ("xlsx", "xlsm"):
        raise FileRefused(
            gettext_noop(
                "This file is named .%(ext)s but is not an Excel workbook: it is plain text. "
                "If it is CSV, name it .csv and import it again."
            ),
            ext=suffix,
        )


# --------------------------------------------------------------------------- xlsx guards
_ROOT_TAG = re.compile(rb"<[A-Za-z_]")


def _check_xlsx(data: bytes, max_uncompressed: int) -> zipfile.ZipFile:
    """Refuse zip bombs and XML with DTDs before calamine sees the file."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileRefused(
            gettext_noop("The .xlsx file is damaged (%(detail)s)."), detail=str(exc)
        ) from exc
    if len(infos) > MAX_ZIP_MEMBERS:
        raise FileRefused(
            gettext_noop(
                "The .xlsx file has %(parts)d parts (limit %(limit)d); it is not an "
                "ordinary spreadsheet."
            ),
            parts=len(infos),
            limit=MAX_ZIP_MEMBERS,
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_CHECK_MIN_SIZE and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise FileRefused(
                gettext_noop(
                    "The .xlsx file expands to an unusual size when unpacked (possible zip "
                    "bomb); it was not imported."
                )
            )
    if total > max_uncompressed:
        raise FileRefused(
            gettext_noop(
                "The .xlsx file unpacks to %(size)d MB (limit %(limit)d MB); split it "
                "into smaller files."
            ),
            size=total // (1024 * 1024),
            limit=max_uncompressed // (1024 * 1024),
        )
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")) and _has_dtd(zf, info):
            raise FileRefused(
                gettext_noop(
                    "The .xlsx file contains XML declarations (DOCTYPE/ENTITY) that Excel "
                    "never writes; it was not imported. Open it in Excel and save it again "
                    "as .xlsx."
                )
            )
    return zf


def _has_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the XML prolog (everything before the root element) declares a DTD or
    entities. A prolog longer than PROLOG_LIMIT counts as suspicious too."""
    head = read_member(zf, info.filename, PROLOG_LIMIT)
    if b"\x00" in head[:64]:  # UTF-16 XML: Excel never writes it, but the spec allows it
        head = head.decode("utf-16", errors="ignore").encode()
    root = _ROOT_TAG.search(head)
    prolog = head[: root.start()] if root else head
    if root is None and info.file_size > PROLOG_LIMIT:
        return True
    prolog = prolog.lower()
    return b"<!doctype" in prolog or b"<!entity" in prolog


# --------------------------------------------------------------------------- reading
def is_blank(row: Sequence[object]) -> bool:
    """True when every cell is '', None or white space only."""
    for c in row:
        if c == "" or c is None:
            continue
        if type(c) is str and c.isspace():
            continue
        return False
    return True


def open_sheet(
    data: bytes,
    *,
    sheet: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_rows: int | None = None,
) -> OpenedSheet:
    """Check the file and open one sheet (default: the first visible worksheet) lazily.

    The guards run before anything is parsed: size (``max_bytes``), format
    (:func:`detect_format`), and for .xlsx the zip and XML checks (``max_uncompressed``:
    total unpacked bytes). Rows are read as the iterator is consumed, stopping after
    MAX_BLANK_RUN consecutive blank rows. ``max_rows``: the caller needs at most the
    first that many rows of the sheet (blank ones included); an .xlsx is then cut to them
    before it is parsed (a preview of a 100,000-row sheet parses 50 rows, not all). Raises
    FileRefused (see the class).
    """
    if len(data) > max_bytes:
        raise FileRefused(
            gettext_noop(
                "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
            ),
            size=f"{len(data) / (1024 * 1024):.1f}",
            limit=f"{max_bytes / (1024 * 1024):.0f}",
        )
    fmt = detect_format(data)
    if fmt == "csv":
        if sheet:
            raise FileRefused(
                gettext_noop("A CSV file has no sheets (asked for %(sheet)s)."), sheet=repr(sheet)
            )
        return OpenedSheet(fmt, [], "", _csv_rows(data), {})
    zf = _check_xlsx(data, max_uncompressed) if fmt == "xlsx" else None
    if zf is not None and max_rows is not None:
        data = first_rows_only(data, zf, max(max_rows, 1))
        zf = zipfile.ZipFile(io.BytesIO(data))
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise FileRefused(
            gettext_noop(
                "This workbook is password-protected; remove the password in Excel "
                "and import again."
            )
        ) from exc
    except Exception as exc:  # calamine raises several error types
        raise FileRefused(
            gettext_noop(
                "The workbook could not be read (%(detail)s); open it in Excel and save it "
                "again as .xlsx."
            ),
            detail=str(exc),
        ) from exc
    names = list(wb.sheet_names)
    if sheet is None:
        worksheets = [
            m.name
            for m in wb.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
            and m.visible == python_calamine.SheetVisibleEnum.Visible
        ]
        if not worksheets:
            raise FileRefused(gettext_noop("The workbook has no visible worksheet."))
        sheet = worksheets[0]
    elif sheet not in names:
        raise FileRefused(
            gettext_noop("The workbook has no sheet named %(sheet)s."), sheet=repr(sheet)
        )
    try:
        calamine_sheet = wb.get_sheet_by_name(sheet)
    except Exception as exc:
        raise FileRefused(
            gettext_noop("The sheet %(sheet)s could not be read (%(detail)s)."),
            sheet=repr(sheet),
            detail=str(exc),
        ) from exc
    start = calamine_sheet.start
    formula_cells: dict[tuple[int, int], str] = {}
    left_pad = 0
    if zf is not None:
        member = xlsx_sheet_paths(zf).get(sheet)
        if member:
            cells = formulas_without_value(zf, member)
            # Row lists start at calamine's first used column; a formula column left
            # of it (formulas without values are not in the used range) needs padding.
            first_col = start[1] if start else 0
            first_col = min([first_col, *(c for _, c in cells)])
            left_pad = (start[1] if start else 0) - first_col
            formula_cells = {(r, c - first_col): f for (r, c), f in cells.items()}
    rows = _calamine_rows(calamine_sheet, formula_cells, left_pad)
    return OpenedSheet(fmt, names, sheet, rows, formula_cells)


def _calamine_rows(
    sheet: python_calamine.CalamineSheet,
    formula_cells: dict[tuple[int, int], str],
    left_pad: int,
) -> RowIter:
    formula_rows = {r for r, _ in formula_cells}
    width = left_pad + sheet.width
    last = 0
    if sheet.start is not None:
        pad: list[object] = [""] * left_pad
        blank_run = 0
        # iter_rows() first yields start[0] empty rows, so the n-th row is Excel row n;
        # its columns start at start[1].
        cells_of = sheet.iter_rows()
        del sheet  # the iterator is the last holder of the sheet's cells
        for number, row in enumerate(cast("Iterator[list[object]]", cells_of), 1):
            last = number
            if left_pad:
                row = pad + row
            # A row whose first cell holds text or a number is not blank: no call for it.
            first = row[0] if row else None
            if type(first) is str and first and not first[0].isspace() or type(first) is float:
                blank_run = 0
                yield number, row
                continue
            if is_blank(row) and number not in formula_rows:
                blank_run += 1
                if blank_run >= MAX_BLANK_RUN:
                    break
                continue
            blank_run = 0
            yield number, row
        del cells_of
        _give_back_freed_memory()
        if blank_run >= MAX_BLANK_RUN:
            return
    # Rows holding only formulas without values lie outside calamine's used range.
    for r in sorted(x for x in formula_rows if x > last):
        cols = [c for rr, c in formula_cells if rr == r]
        yield r, [""] * max(width, max(cols) + 1)


def _load_malloc_trim() -> Callable[[int], int] | None:
    try:
        return cast("Callable[[int], int]", ctypes.CDLL(None).malloc_trim)
    except (OSError, AttributeError):  # not glibc: nothing to hand back
        return None


_malloc_trim = _load_malloc_trim()


def _give_back_freed_memory() -> None:
    """Return the pages a read sheet's cells occupied to the system once the sheet is gone.

    python-calamine keeps a whole sheet (about 90 MB for 100,000 rows of 14 columns) in
    many small allocations of the C heap; once freed, glibc keeps those pages, and
    Python's own allocator, which holds most of what the rows become, cannot reuse them,
    so a large import's resident memory would stay that much higher to its end (see
    bench/import_customers.py)."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileRefused(gettext_noop("The UTF-16 text file is damaged.")) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            gettext_noop(
                "The CSV file is neither UTF-8 nor GBK/GB18030 text; save it again as "
                "'CSV UTF-8' and import that file."
            )
        ) from exc


def sniff_delimiter(text: str) -> str:
    sample = text[:16384]
    first_line = sample.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    if delimiter not in first_line:
        counts = {d: first_line.count(d) for d in ",;\t"}
        best = max(counts, key=lambda d: counts[d])
        delimiter = best if counts[best] else ","
    return delimiter


def _csv_rows(data: bytes) -> RowIter:
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    blank_run = 0
    try:
        for number, row in enumerate(reader, 1):
            if is_blank(row):
                blank_run += 1
                if blank_run >= MAX_BLANK_RUN:
                    return
                continue
            blank_run = 0
            yield number, cast("list[object]", row)  # csv cells are all str
    except csv.Error as exc:
        raise FileRefused(
            gettext_noop("The CSV file could not be read (%(detail)s)."), detail=str(exc)
        ) from exc


def read_rows(
    data: bytes,
    *,
    sheet: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_uncompressed: int = MAX_UNCOMPRESSED,
) -> RawSheet:
    """Read the non-blank rows of one sheet (default: the first visible worksheet).

    Returns a :class:`RawSheet` (unpacks as ``(format, sheet_names, sheet, rows,
    row_numbers)``): rows as lists of cells, row numbers 1-based as in Excel. CSV cells
    are all ``str``. Reading stops after MAX_BLANK_RUN consecutive blank rows.
    Raises FileRefused (see the class) for files that cannot be imported.
    """
    opened = open_sheet(data, sheet=sheet, max_bytes=max_bytes, max_uncompressed=max_uncompressed)
    out_rows: list[list[object]] = []
    numbers: list[int] = []
    for number, row in opened.rows:
        numbers.append(number)
        out_rows.append(row)
    return RawSheet(
        opened.format, opened.sheet_names, opened.sheet, out_rows, numbers, opened.formula_cells
    )


# --------------------------------------------------------------------------- cells and headers
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def float_text(v: float) -> str:
    """A float as text: ``2024.0`` -> ``'2024'``, otherwise its repr (``0.1`` -> ``'0.1'``)."""
    if v.is_integer():
        return str(int(v))
    return repr(v)


def cell_text(v: object) -> str:
    """A cell as text: integer-valued floats without '.0', dates in ISO form."""
    if type(v) is str:
        return v
    if v is None:
        return ""
    if type(v) is float:
        return float_text(v)
    if type(v) is datetime.datetime:
        return v.isoformat(sep=" ")
    if type(v) is bool:
        return "TRUE" if v else "FALSE"
    if type(v) is datetime.date or type(v) is datetime.time:
        return v.isoformat()
    return str(v)


#: The written date forms a date cell may take when it holds text (ISO first).
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def cell_date(v: object) -> datetime.date | None:
    """A cell as a calendar date: a date or datetime cell as is (its date), text in one of
    :data:`DATE_FORMATS` (surrounding blanks ignored, ``20270104.0`` read as ``20270104``);
    None for anything else, so the caller names the row and field."""
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    text = cell_text(v).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def normalise_header_marked(text: object) -> tuple[str, bool]:
    """:func:`normalise_header` and whether the header carries the ``*`` required marker."""
    s = "".join(unicodedata.normalize("NFKC", cell_text(text)).split())
    required = s.startswith("*") or s.endswith("*")
    s = s.strip("*").rstrip(":").translate(_ASCII_LOWER)
    return s, required


def normalise_header(text: object) -> str:
    """Normalise a header cell for matching: ``' 名称＊\\n'`` -> ``'名称'``.

    Trims, applies NFKC (full-width -> half-width), removes all whitespace and line
    breaks, strips a leading/trailing ``*`` (required marker) and a trailing ':',
    lower-cases ASCII letters. Non-text cells are first rendered as text (2024.0 ->
    '2024').
    """
    return normalise_header_marked(text)[0]
