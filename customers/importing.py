"""Parse and validate customer and revenue import files (DOMAIN.md section 5).

Pure functions over bytes and plain data: no Django, no ORM, so the rules can be
tested by the thousand and benchmarked. The import service calls :func:`parse_file`,
shows the preview (mapping, unknown columns, row errors) and writes the clean rows.

Pipeline: :func:`detect_format` (from the bytes, never the file name) ->
safety guards (size, zip bombs, XML entities) -> :func:`read_rows` (python-calamine for
.xlsx/.xls, the csv module for text) -> header row detection and :func:`match_headers`
-> one converter per mapped column -> :class:`ParsedRow` per data row ->
:func:`mark_duplicates_in_file`.

Row numbers are always the 1-based row number the user sees in Excel (or the record
number of a CSV file), whatever the used range of the sheet.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import python_calamine
from defusedxml import ElementTree as SafeET

__all__ = [
    "CUSTOMER_SYNONYMS",
    "KINDS",
    "REVENUE_SYNONYMS",
    "SEGMENT_VALUES",
    "STAGE_VALUES",
    "FORMULA_NO_VALUE",
    "FileRefused",
    "ParsedRow",
    "ParsedSheet",
    "RawSheet",
    "RowError",
    "dedupe_keys",
    "detect_format",
    "mark_duplicates_in_file",
    "match_headers",
    "name_key",
    "normalise_header",
    "parse_file",
    "read_rows",
]

KINDS = ("customers", "revenue")

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
HEADER_SCAN_ROWS = 30
"""How many non-empty rows at the top are candidates for the header row."""
MAX_BLANK_RUN = 1000
"""Reading stops after this many consecutive blank rows (styled-but-empty tails)."""

_NO_CUSTOMER = "customer missing: give a credit code, customer code or name"
FORMULA_NO_VALUE = "formula has no saved value; open the file in Excel, save it, and import again"

# --------------------------------------------------------------------------- synonyms
# Field -> header texts that mean it. Written naturally; normalise_header() is applied
# when the lookup is built, so "short name", "Short Name" and "ShortName" are the same.
# Matching is exact after normalisation (substring matching would map 英文名称 to name).

# fmt: off
_IDENTIFIER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "公司全称", "客户名称", "客户全称", "企业名称", "名称", "公司名称", "单位名称",
        "客户", "name", "customer", "company", "customer name", "company name",
    ),
    "credit_code": (
        "统一社会信用代码", "社会信用代码", "信用代码", "纳税人识别号", "税号",
        "credit code", "uscc",
    ),
    "external_code": (
        "客户编号", "客户编码", "编号", "公司代码", "A股代码", "代码", "symbol", "code",
        "customer code",
    ),
}

CUSTOMER_SYNONYMS: dict[str, tuple[str, ...]] = {
    **_IDENTIFIER_SYNONYMS,
    "short_name": ("简称", "客户简称", "公司简称", "A股简称", "short name"),
    "industry": ("所属行业", "行业", "industry"),
    # tushare's "area" is a short province or city name (深圳); SZSE's 地区 is a region
    # (华南) and is deliberately not mapped.
    "province": ("省份", "省", "所在省份", "province", "area"),
    "city": ("城市", "市", "所在城市", "city"),
    "address": ("注册地址", "地址", "办公地址", "联系地址", "address"),
    "website": ("公司网址", "网址", "网站", "website", "url"),
    # 姓名 (a person's name) in a company list is the contact, not the customer.
    "contact_name": ("联系人", "联系人姓名", "姓名", "contact", "contact name"),
    "contact_phone": (
        "手机号码", "手机", "手机号", "联系电话", "电话", "联系人手机", "联系人电话",
        "phone", "mobile", "tel",
    ),
    "contact_email": ("电子邮箱", "邮箱", "电子邮件", "email", "e-mail", "mail"),
    "segment": ("客户类型", "客户分类", "客户类别", "segment"),
    "size": ("规模", "企业规模", "员工人数", "人数", "size", "employees"),
    "source": ("来源", "客户来源", "source"),
    "notes": ("备注", "说明", "notes", "note", "remark", "remarks"),
    "owner": ("客户经理", "负责人", "归属人", "owner"),
    "team": ("团队", "小组", "team"),
    "stage": ("阶段", "销售阶段", "客户阶段", "stage"),
    "stage_date": ("阶段日期", "stage date"),
    "listed_on": ("上市日期", "A股上市日期", "list_date", "listed on", "listing date"),
}

REVENUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    **_IDENTIFIER_SYNONYMS,
    "month": ("月份", "账期", "收入月份", "出账月份", "账务月份", "月", "month", "period"),
    "billed": (
        "出账收入", "业务收入", "收入", "收入金额", "出账金额", "金额", "月收入",
        "billed", "revenue", "amount",
    ),
    "product": ("产品", "业务", "产品名称", "业务名称", "product"),
    "notes": ("备注", "说明", "notes", "note", "remark", "remarks"),
}

KIND_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": CUSTOMER_SYNONYMS,
    "revenue": REVENUE_SYNONYMS,
}

# Value synonyms for enumerated fields; keys are matched after _value_key().
SEGMENT_VALUES: dict[str, str] = {
    "公众客户": "mass", "公众": "mass", "中小企业": "mass", "中小客户": "mass",
    "mass": "mass", "sme": "mass",
    "集团客户": "group", "集团": "group", "大客户": "group", "重要客户": "group",
    "group": "group", "key": "group", "key account": "group",
}

STAGE_VALUES: dict[str, str] = {
    "客户资料": "lead", "线索": "lead", "lead": "lead",
    "目标客户": "target", "目标": "target", "target": "target",
    "建立关系": "relationship", "建立客户关系": "relationship",
    "relationship": "relationship",
    "达成意向": "intent", "达成销售意向": "intent", "意向": "intent", "intent": "intent",
    "成交": "deal", "销售成交": "deal", "deal": "deal", "won": "deal",
    "流失": "lost", "lost": "lost",
}

# fmt: on

# How each field's cells are converted (see _CONVERTER_FACTORIES).
FIELD_TYPES: dict[str, str] = {
    "name": "name",
    "short_name": "name",
    "credit_code": "credit_code",
    "external_code": "identifier",
    "contact_phone": "identifier",
    "contact_phone2": "identifier",
    "industry": "line",
    "province": "line",
    "city": "line",
    "address": "line",
    "website": "identifier",
    "contact_name": "name",
    "contact_email": "identifier",
    "segment": "segment",
    "size": "line",
    "source": "line",
    "notes": "multiline",
    "owner": "line",
    "team": "identifier",
    "stage": "stage",
    "stage_date": "date",
    "listed_on": "date",
    "month": "month",
    "billed": "money_not_negative",
    "product": "line",
}


# --------------------------------------------------------------------------- results
class FileRefused(Exception):
    """The file as a whole cannot be imported; ``str(e)`` is a user-facing message.

    Raised for: files over ``max_bytes``, empty files, HTML or XML saved as .xls,
    password-protected or unreadable workbooks, zip bombs and XML with DTDs/entities,
    undecodable text, an unknown sheet name, and a sheet with no rows.
    """


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one row. ``field`` is a field name, or '' for whole-row errors."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


@dataclass(slots=True)
class ParsedRow:
    """One data row.

    ``row_number``: 1-based row number as the user sees it in Excel (CSV: record number).
    ``values``: field -> cleaned value for every mapped field (None when the cell is
    empty or invalid): identifiers/text as ``str``, dates and months as
    ``datetime.date``, money as ``Decimal`` with 2 places, stage/segment as codes.
    ``raw``: the cells as read. ``errors``: problems; a row with errors must not be
    imported. ``duplicate_of``: set by :func:`mark_duplicates_in_file`.
    """

    row_number: int
    values: dict[str, object]
    raw: list[object]
    errors: list[RowError]
    duplicate_of: int | None = None

    def error_messages(self) -> list[str]:
        """User-facing messages, e.g. ``['row 7: name: required']``."""
        return [f"row {self.row_number}: {e}" for e in self.errors]


@dataclass(slots=True)
class ParsedSheet:
    """The result of :func:`parse_file`.

    ``format``: 'xlsx' | 'xls' | 'csv'. ``sheet_names``: all sheets ([] for CSV);
    ``sheet``: the sheet read ('' for CSV). ``header_row``: 1-based. ``headers``: the
    header cells as text, as in the file; column indices of ``mapping`` index this list
    and each row's ``raw``. ``mapping``: column -> field or None (ignored).
    ``unknown_columns``: header texts of columns not mapped (never silently dropped),
    including headers that repeat an already-mapped field (also in
    ``duplicate_columns``) and '(column N, no header)' for unlabelled columns that hold
    data. ``required_in_file``: fields whose header the file marks with ``*``.
    """

    format: str
    sheet_names: list[str]
    sheet: str
    header_row: int
    headers: list[str]
    mapping: dict[int, str | None]
    unknown_columns: list[str]
    required_in_file: list[str]
    rows: list[ParsedRow]
    duplicate_columns: list[str] = field(default_factory=list)
    kind: str = "customers"

    @property
    def valid_rows(self) -> list[ParsedRow]:
        """Rows without errors and not duplicates: what the service may write."""
        return [r for r in self.rows if not r.errors and r.duplicate_of is None]


@dataclass(slots=True)
class RawSheet:
    """The result of :func:`read_rows`; unpacks as the 5-tuple
    ``(format, sheet_names, sheet, rows, row_numbers)``.

    ``rows``: non-blank rows as lists of cells (str, float, int, bool, datetime.date,
    datetime.datetime, datetime.time, datetime.timedelta; '' for empty) in sheet order;
    ``row_numbers``: their 1-based Excel row numbers. ``formula_cells``: (row number,
    column index) of .xlsx formula cells that have no saved value.
    """

    format: str
    sheet_names: list[str]
    sheet: str
    rows: list[list[object]]
    row_numbers: list[int]
    formula_cells: frozenset[tuple[int, int]] = frozenset()

    def __iter__(self) -> Iterator[object]:
        return iter((self.format, self.sheet_names, self.sheet, self.rows, self.row_numbers))


# --------------------------------------------------------------------------- format
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_HTML_STARTS = (b"<html", b"<!doctype", b"<table", b"<head", b"<meta", b"<body", b"<style")
_BINARY_MAGICS = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "an image",
    b"\xff\xd8\xff": "an image",
    b"GIF8": "an image",
    b"\x1f\x8b": "a compressed (gzip) file",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_SAVE_AS = "open it in Excel and save it as .xlsx"


def detect_format(data: bytes) -> str:
    """Return 'xlsx', 'xls' or 'csv' from the file's bytes (never its name).

    Zip magic + ``xl/workbook.xml`` -> 'xlsx'; OLE2 magic -> 'xls' (unless it is an
    encrypted OOXML package); anything else that looks like text -> 'csv'.
    Raises FileRefused for: empty files, HTML or XML-2003 saved as .xls,
    password-protected workbooks, other zip files (.ods, .docx, .xlsb) and other
    binary files.
    """
    if not data or not data.strip():
        raise FileRefused("The file is empty.")
    if data.startswith(_ZIP_MAGIC):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise FileRefused(f"The file looks like an .xlsx but is damaged ({exc}).") from exc
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "xl/workbook.bin" in names:
            raise FileRefused(f"This is a binary workbook (.xlsb); {_SAVE_AS}.")
        if "content.xml" in names:
            raise FileRefused(f"This is an OpenDocument spreadsheet (.ods); {_SAVE_AS}.")
        raise FileRefused("This is a zip file but not an Excel workbook (.xlsx).")
    if data.startswith(_OLE2_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise FileRefused(
                "This workbook is password-protected; remove the password in Excel "
                "and import again."
            )
        return "xls"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"  # UTF-16 text ("Unicode Text" from Excel)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x00").lower()
    if head.startswith(_HTML_STARTS) or head.startswith(b"mime-version:"):
        raise FileRefused(
            f"This .xls is really a web page (HTML); {_SAVE_AS}, then import that file."
        )
    if head.startswith(b"<?xml"):
        raise FileRefused(
            f"This .xls is really an XML Spreadsheet 2003 file; {_SAVE_AS}, then import that file."
        )
    for magic, what in _BINARY_MAGICS.items():
        if data.startswith(magic):
            raise FileRefused(f"This is {what}, not a spreadsheet.")
    if b"\x00" in data[:8192]:
        raise FileRefused("This is not a spreadsheet or a CSV text file.")
    return "csv"


# --------------------------------------------------------------------------- xlsx guards
_ROOT_TAG = re.compile(rb"<[A-Za-z_]")
PROLOG_LIMIT = 65536
_CELL_ATTR_R = re.compile(rb'\sr="([A-Z]{1,3})([0-9]+)"')
_CELL_ATTR_T = re.compile(rb'\st="([A-Za-z]+)"')


def _check_xlsx(data: bytes, max_uncompressed: int) -> zipfile.ZipFile:
    """Refuse zip bombs and XML with DTDs before calamine sees the file."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileRefused(f"The .xlsx file is damaged ({exc}).") from exc
    if len(infos) > MAX_ZIP_MEMBERS:
        raise FileRefused(
            f"The .xlsx file has {len(infos)} parts (limit {MAX_ZIP_MEMBERS}); it is not "
            "an ordinary spreadsheet."
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_CHECK_MIN_SIZE and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise FileRefused(
                "The .xlsx file expands to an unusual size when unpacked (possible zip "
                "bomb); it was not imported."
            )
    if total > max_uncompressed:
        raise FileRefused(
            f"The .xlsx file unpacks to {total // (1024 * 1024)} MB (limit "
            f"{max_uncompressed // (1024 * 1024)} MB); split it into smaller files."
        )
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")) and _has_dtd(zf, info):
            raise FileRefused(
                "The .xlsx file contains XML declarations (DOCTYPE/ENTITY) that Excel "
                f"never writes; it was not imported. {_SAVE_AS[0].upper()}{_SAVE_AS[1:]} "
                "again."
            )
    return zf


def _has_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the XML prolog (everything before the root element) declares a DTD or
    entities. A prolog longer than PROLOG_LIMIT counts as suspicious too."""
    head = _read_member(zf, info.filename, PROLOG_LIMIT)
    if b"\x00" in head[:64]:  # UTF-16 XML: Excel never writes it, but the spec allows it
        head = head.decode("utf-16", errors="ignore").encode()
    root = _ROOT_TAG.search(head)
    prolog = head[: root.start()] if root else head
    if root is None and info.file_size > PROLOG_LIMIT:
        return True
    prolog = prolog.lower()
    return b"<!doctype" in prolog or b"<!entity" in prolog


def _read_member(zf: zipfile.ZipFile, name: str, size: int = -1) -> bytes:
    try:
        with zf.open(name) as fh:
            return fh.read(size)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, NotImplementedError) as exc:
        raise FileRefused(f"The .xlsx file is damaged or encrypted ({exc}).") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xlsx_sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from workbook.xml and its rels (defusedxml)."""
    try:
        workbook = SafeET.fromstring(_read_member(zf, "xl/workbook.xml"))
        rels_xml = _read_member(zf, "xl/_rels/workbook.xml.rels")
        rels = SafeET.fromstring(rels_xml)
    except Exception:  # a damaged part: calamine will say so; skip the formula scan
        return {}
    targets = {}
    for rel in rels.iter():
        if _local(rel.tag) == "Relationship":
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[rel.get("Id")] = posixpath.normpath(path)
    paths = {}
    for el in workbook.iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if rid in targets:
                paths[el.get("name", "")] = targets[rid]
    return paths


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _formulas_without_value(zf: zipfile.ZipFile, member: str) -> set[tuple[int, int]]:
    """(1-based row, 0-based absolute column) of formula cells with no cached ``<v>``.

    Streams the sheet XML looking for a formula tag first, so sheets without formulas
    (the common case) cost one decompression pass. Cells without an ``r`` attribute
    (never written by Excel) cannot be located and are skipped.
    """
    found = False
    tail = b""
    needle = b"<f"
    try:
        with zf.open(member) as fh:
            first = True
            while chunk := fh.read(1 << 22):
                if first:
                    # One needle per chunk: '<f' or, for a prefixed root ('<x:worksheet'),
                    # '<x:f'.
                    root = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]", chunk)
                    if root and root.group(1):
                        needle = b"<" + root.group(1) + b"f"
                    first = False
                if needle in tail + chunk[:16] or needle in chunk:
                    found = True
                    break
                tail = chunk[-16:]
    except KeyError:
        return set()
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as exc:
        raise FileRefused(f"The .xlsx file is damaged ({exc}).") from exc
    if not found:
        return set()
    xml = _read_member(zf, member)
    missing: set[tuple[int, int]] = set()
    for m in re.finditer(rb"<((?:[A-Za-z_][\w.-]*:)?)f[\s>/]", xml):
        prefix = m.group(1)
        start = xml.rfind(b"<" + prefix + b"c ", 0, m.start())
        end = xml.find(b"</" + prefix + b"c>", m.end())
        if start < 0 or end < 0:
            continue
        tag_end = xml.find(b">", start)
        start_tag = xml[start:tag_end]
        body = xml[tag_end + 1 : end]
        if b"<" + prefix + b"f" not in body:
            continue  # the <f was not inside this cell (e.g. <formula1> elsewhere)
        ref = _CELL_ATTR_R.search(start_tag)
        if not ref:
            continue
        v_open = body.find(b"<" + prefix + b"v")
        has_value = False
        if v_open >= 0:
            v_tag_end = body.find(b">", v_open)
            if body[v_tag_end - 1 : v_tag_end] != b"/":
                v_close = body.find(b"</" + prefix + b"v>", v_tag_end)
                has_value = v_close > v_tag_end + 1
            if not has_value:
                typ = _CELL_ATTR_T.search(start_tag)
                has_value = bool(typ) and typ.group(1) in (b"str", b"inlineStr")  # type: ignore[union-attr]
        if not has_value:
            missing.add((int(ref.group(2)), _column_index(ref.group(1))))
    return missing


# --------------------------------------------------------------------------- reading
_RowIter = Iterator[tuple[int, list[object]]]


def _is_blank(row: list[object]) -> bool:
    for c in row:
        if c == "" or c is None:
            continue
        if c.__class__ is str and c.isspace():  # type: ignore[union-attr]
            continue
        return False
    return True


def _open(
    data: bytes, sheet: str | None, max_bytes: int, max_uncompressed: int
) -> tuple[str, list[str], str, _RowIter, frozenset[tuple[int, int]]]:
    if len(data) > max_bytes:
        raise FileRefused(
            f"The file is {len(data) / (1024 * 1024):.1f} MB; the limit is "
            f"{max_bytes / (1024 * 1024):.0f} MB. Split it into smaller files."
        )
    fmt = detect_format(data)
    if fmt == "csv":
        if sheet:
            raise FileRefused(f"A CSV file has no sheets (asked for {sheet!r}).")
        return fmt, [], "", _csv_rows(data), frozenset()
    zf = _check_xlsx(data, max_uncompressed) if fmt == "xlsx" else None
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise FileRefused(
            "This workbook is password-protected; remove the password and import again."
        ) from exc
    except Exception as exc:  # calamine raises several error types
        raise FileRefused(f"The workbook could not be read ({exc}); {_SAVE_AS}.") from exc
    names = list(wb.sheet_names)
    if sheet is None:
        worksheets = [
            m.name
            for m in wb.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
            and m.visible == python_calamine.SheetVisibleEnum.Visible
        ]
        if not worksheets:
            raise FileRefused("The workbook has no visible worksheet.")
        sheet = worksheets[0]
    elif sheet not in names:
        raise FileRefused(f"The workbook has no sheet named {sheet!r}.")
    try:
        calamine_sheet = wb.get_sheet_by_name(sheet)
    except Exception as exc:
        raise FileRefused(f"The sheet {sheet!r} could not be read ({exc}).") from exc
    start = calamine_sheet.start
    formula_cells: frozenset[tuple[int, int]] = frozenset()
    left_pad = 0
    if zf is not None:
        member = _xlsx_sheet_paths(zf).get(sheet)
        if member:
            cells = _formulas_without_value(zf, member)
            # Row lists start at calamine's first used column; a formula column left
            # of it (formulas without values are not in the used range) needs padding.
            first_col = start[1] if start else 0
            first_col = min([first_col, *(c for _, c in cells)])
            left_pad = (start[1] if start else 0) - first_col
            formula_cells = frozenset((r, c - first_col) for r, c in cells)
    rows = _calamine_rows(calamine_sheet, formula_cells, left_pad)
    return fmt, names, sheet, rows, formula_cells


def _calamine_rows(
    sheet: python_calamine.CalamineSheet,
    formula_cells: frozenset[tuple[int, int]],
    left_pad: int,
) -> _RowIter:
    formula_rows = {r for r, _ in formula_cells}
    last = 0
    if sheet.start is not None:
        pad = [""] * left_pad
        blank_run = 0
        # iter_rows() first yields start[0] empty rows, so the n-th row is Excel row n;
        # its columns start at start[1].
        for number, row in enumerate(sheet.iter_rows(), 1):
            last = number
            if left_pad:
                row = pad + row
            if _is_blank(row) and number not in formula_rows:
                blank_run += 1
                if blank_run >= MAX_BLANK_RUN:
                    return
                continue
            blank_run = 0
            yield number, row
    # Rows holding only formulas without values lie outside calamine's used range.
    width = left_pad + sheet.width
    for r in sorted(x for x in formula_rows if x > last):
        cols = [c for rr, c in formula_cells if rr == r]
        yield r, [""] * max(width, max(cols) + 1)


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileRefused("The UTF-16 text file is damaged.") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            "The CSV file is neither UTF-8 nor GBK/GB18030 text; save it again as "
            "'CSV UTF-8' and import that file."
        ) from exc


def _sniff_delimiter(text: str) -> str:
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


def _csv_rows(data: bytes) -> _RowIter:
    text = _decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    blank_run = 0
    try:
        for number, row in enumerate(reader, 1):
            if _is_blank(row):  # type: ignore[arg-type]
                blank_run += 1
                if blank_run >= MAX_BLANK_RUN:
                    return
                continue
            blank_run = 0
            yield number, row  # type: ignore[misc]
    except csv.Error as exc:
        raise FileRefused(f"The CSV file could not be read ({exc}).") from exc


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
    fmt, names, sheet_name, rows, formula_cells = _open(data, sheet, max_bytes, max_uncompressed)
    out_rows: list[list[object]] = []
    numbers: list[int] = []
    for number, row in rows:
        numbers.append(number)
        out_rows.append(row)
    return RawSheet(fmt, names, sheet_name, out_rows, numbers, formula_cells)


# --------------------------------------------------------------------------- headers
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_TRAILING_PAREN = re.compile(r"\([^()]*\)$|\[[^\[\]]*\]$")


def _float_text(v: float) -> str:
    if v.is_integer():
        return str(int(v))
    return repr(v)


def _cell_text(v: object) -> str:
    """A cell as text: integer-valued floats without '.0', dates in ISO form."""
    cls = v.__class__
    if cls is str:
        return v  # type: ignore[return-value]
    if v is None:
        return ""
    if cls is float:
        return _float_text(v)  # type: ignore[arg-type]
    if cls is datetime.datetime:
        return v.isoformat(sep=" ")  # type: ignore[attr-defined]
    if cls is bool:
        return "TRUE" if v else "FALSE"
    if cls is datetime.date or cls is datetime.time:
        return v.isoformat()  # type: ignore[attr-defined]
    return str(v)


def _normalise_header_star(text: object) -> tuple[str, bool]:
    s = "".join(unicodedata.normalize("NFKC", _cell_text(text)).split())
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
    return _normalise_header_star(text)[0]


def _build_lookup(synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for fld, words in synonyms.items():
        for word in words:
            lookup.setdefault(normalise_header(word), fld)
    return lookup


_LOOKUPS = {kind: _build_lookup(syn) for kind, syn in KIND_SYNONYMS.items()}


def _lookup_field(normalised: str, lookup: dict[str, str]) -> str | None:
    if not normalised:
        return None
    found = lookup.get(normalised)
    if found is None and normalised.endswith((")", "]")):
        # '出账收入(元)', '税率(%)': try without the unit in brackets.
        found = lookup.get(_TRAILING_PAREN.sub("", normalised))
    return found


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def match_headers(headers: list[object], kind: str) -> tuple[dict[int, str | None], list[str]]:
    """Map header cells to fields of ``kind`` ('customers' | 'revenue') by synonyms.

    Returns ``(mapping, unknown_columns)``: mapping has every column index, with a field
    name or None; unknown_columns lists the header texts (as in the file) that did not
    map, including a header for a field already taken by an earlier column (the first
    wins), except that a second phone-like column maps to ``contact_phone2``. Blank
    headers are None and not listed. Raises ValueError for an unknown kind.
    """
    _check_kind(kind)
    mapping, unknown, _dups = _match(headers, kind)
    return mapping, unknown


def _match(headers: list[object], kind: str) -> tuple[dict[int, str | None], list[str], list[str]]:
    lookup = _LOOKUPS[kind]
    mapping: dict[int, str | None] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    taken: set[str] = set()
    for i, header in enumerate(headers):
        fld = _lookup_field(normalise_header(header), lookup)
        if fld in taken and fld == "contact_phone" and "contact_phone2" not in taken:
            fld = "contact_phone2"
        if fld is not None and fld in taken:
            duplicates.append(_cell_text(header))
            fld = None
        if fld is None:
            if _cell_text(header).strip():
                unknown.append(_cell_text(header))
        else:
            taken.add(fld)
        mapping[i] = fld
    return mapping, unknown, duplicates


def _header_score(row: list[object], lookup: dict[str, str]) -> tuple[int, int]:
    matches = texts = 0
    for cell in row:
        if cell.__class__ is str and cell.strip():  # type: ignore[union-attr]
            texts += 1
            if _lookup_field(normalise_header(cell), lookup):
                matches += 1
    return matches, texts


def _find_header(candidates: list[tuple[int, list[object]]], kind: str) -> int:
    """Index in candidates of the header row: most synonym matches, ties -> earliest.

    With no match at all (a file from elsewhere), the row with the most text cells.
    """
    lookup = _LOOKUPS[kind]
    scores = [_header_score(row, lookup) for _, row in candidates]
    best = max(range(len(scores)), key=lambda i: (scores[i][0], -i))
    if scores[best][0] == 0:
        best = max(range(len(scores)), key=lambda i: (scores[i][1], -i))
    return best


# --------------------------------------------------------------------------- converters
class _Bad(Exception):
    """A cell that cannot be converted; the message is the row error's reason."""


_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_MAX_SERIAL = 2958465  # 9999-12-31
_DATE_ORDERS = (None, "ymd", "dmy", "mdy")
_CENT = Decimal("0.01")
_MONEY_JUNK = str.maketrans("", "", ",¥$ 元")


def _nfkc(s: str) -> str:
    return s if s.isascii() else unicodedata.normalize("NFKC", s)


def _text_name(v: object) -> str | None:
    s = " ".join(unicodedata.normalize("NFKC", _cell_text(v)).split())
    return s or None


def _text_line(v: object) -> str | None:
    s = " ".join(_cell_text(v).split())
    return s or None


def _text_multiline(v: object) -> str | None:
    s = _cell_text(v).strip()
    return s or None


def _text_identifier(v: object) -> str | None:
    if v.__class__ is str:
        s = _nfkc(v.strip())  # type: ignore[union-attr]
        return s or None
    return _cell_text(v) or None


def _text_credit_code(v: object) -> str | None:
    if v.__class__ is str:
        s = "".join(v.split())  # type: ignore[union-attr]
        return (s if s.isascii() else unicodedata.normalize("NFKC", s)).upper() or None
    return _cell_text(v).upper() or None


def _serial_to_date(n: float) -> datetime.date:
    if n < 1:
        raise _Bad("a time without a date")
    if n > _MAX_SERIAL:
        raise _Bad(f"not a date: {_float_text(float(n))}")
    return _EXCEL_EPOCH + datetime.timedelta(days=int(n))


def _yyyymmdd(n: int) -> datetime.date | None:
    if 10000101 <= n <= 99991231:
        try:
            return datetime.date(n // 10000, n // 100 % 100, n % 100)
        except ValueError:
            return None
    return None


def _make_date(y: int, m: int, d: int, original: str) -> datetime.date:
    try:
        return datetime.date(y, m, d)
    except ValueError:
        raise _Bad(f"not a valid date: {original!r}") from None


def _date_from_text(s: str, order: str | None) -> datetime.date:
    s = s.strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-" and s.isascii():
        try:
            return datetime.date(int(s[:4]), int(s[5:7]), int(s[8:]))
        except ValueError:
            raise _Bad(f"not a valid date: {s!r}") from None
    t = _nfkc(s)
    for sep in ("年", "月", "/", "."):
        t = t.replace(sep, "-")
    t = t.replace("日", "").replace("T", " ").split(" ", 1)[0].strip("-")
    parts = t.split("-")
    if not all(p.isdigit() for p in parts):
        raise _Bad(f"not a date: {s!r}")
    if len(parts) == 1 and len(t) == 8:
        d = _yyyymmdd(int(t))
        if d is None:
            raise _Bad(f"not a valid date: {s!r}")
        return d
    if len(parts) != 3:
        raise _Bad(f"not a date: {s!r}")
    a, b, c = parts
    if len(a) == 4:
        return _make_date(int(a), int(b), int(c), s)
    if len(c) != 4:
        raise _Bad(f"not a date (use a 4-digit year): {s!r}")
    x, y = int(a), int(b)
    if x > 12 >= y:
        return _make_date(int(c), y, x, s)
    if y > 12 >= x or x == y or order == "mdy":
        return _make_date(int(c), x, y, s)
    if order == "dmy":
        return _make_date(int(c), y, x, s)
    raise _Bad(
        f"{s!r} is ambiguous (day/month or month/day); choose the date order and import again"
    )


def _make_date_converter(order: str | None) -> Callable[[object], datetime.date | None]:
    def convert(v: object) -> datetime.date | None:
        cls = v.__class__
        if cls is str:
            if not v.strip():  # type: ignore[union-attr]
                return None
            return _date_from_text(v, order)  # type: ignore[arg-type]
        if cls is datetime.date:
            return v  # type: ignore[return-value]
        if cls is datetime.datetime:
            return v.date()  # type: ignore[attr-defined]
        if cls is float or cls is int:
            if v == int(v):  # type: ignore[call-overload]
                d = _yyyymmdd(int(v))  # type: ignore[call-overload]
                if d is not None:
                    return d
            return _serial_to_date(v)  # type: ignore[arg-type]
        if cls is datetime.time or cls is datetime.timedelta:
            raise _Bad("a time without a date")
        raise _Bad(f"not a date: {_cell_text(v)!r}")

    return convert


def _month_from_text(s: str, order: str | None) -> datetime.date:
    t = _nfkc(s.strip())
    for sep in ("年", "/", "."):
        t = t.replace(sep, "-")
    if "日" not in t and t.endswith("月"):
        t = t[:-1]
    t = t.replace("月", "-").strip("-")
    parts = t.split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        return _make_date(int(parts[0]), int(parts[1]), 1, s)
    if len(parts) == 1 and len(t) == 6 and t.isdigit():
        return _make_date(int(t[:4]), int(t[4:]), 1, s)
    try:
        return _date_from_text(s, order).replace(day=1)
    except _Bad:
        raise _Bad(f"not a month (expected e.g. 2026-10): {s!r}") from None


def _make_month_converter(order: str | None) -> Callable[[object], datetime.date | None]:
    as_date = _make_date_converter(order)

    def convert(v: object) -> datetime.date | None:
        cls = v.__class__
        if cls is str:
            if not v.strip():  # type: ignore[union-attr]
                return None
            return _month_from_text(v, order)  # type: ignore[arg-type]
        if (cls is float or cls is int) and v == int(v):  # type: ignore[call-overload]
            n = int(v)  # type: ignore[call-overload]
            if 100001 <= n <= 999912 and 1 <= n % 100 <= 12:
                return datetime.date(n // 100, n % 100, 1)
        d = as_date(v)
        return d.replace(day=1) if d else None

    return convert


def _money(v: object) -> Decimal | None:
    cls = v.__class__
    if cls is float or cls is int:
        return Decimal(repr(v)).quantize(_CENT, ROUND_HALF_UP)
    if cls is not str:
        raise _Bad(f"not an amount: {_cell_text(v)!r}")
    s = _nfkc(v.strip()).translate(_MONEY_JUNK)  # type: ignore[union-attr]
    if not s:
        return None
    for prefix in ("RMB", "CNY"):
        s = s.removeprefix(prefix)
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise _Bad(f"not an amount: {v!r}") from None
    if not d.is_finite():
        raise _Bad(f"not an amount: {v!r}")
    d = d.quantize(_CENT, ROUND_HALF_UP)
    return -d if negative else d


def _money_not_negative(v: object) -> Decimal | None:
    d = _money(v)
    if d is not None and d < 0:
        raise _Bad(f"must not be negative: {_cell_text(v)!r}")
    return d


def _value_key(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).casefold().split())


def _make_choice(table: dict[str, str], label: str) -> Callable[[object], str | None]:
    keys = {_value_key(k): code for k, code in table.items()}
    expected = "/".join(dict.fromkeys(k for k in table if not k.isascii()))

    def convert(v: object) -> str | None:
        key = _value_key(_cell_text(v))
        if not key:
            return None
        code = keys.get(key)
        if code is None:
            raise _Bad(f"unknown {label} {_cell_text(v)!r} (expected one of {expected})")
        return code

    return convert


_RAISING_TYPES = ("date", "month", "money", "money_not_negative", "segment", "stage")
_RAISING_FIELDS = frozenset(f for f, t in FIELD_TYPES.items() if t in _RAISING_TYPES)


def _converter_for(fld: str, date_order: str | None) -> Callable[[object], object]:
    """The cell -> value function of a field; fields in _RAISING_FIELDS return _Err."""
    typ = FIELD_TYPES.get(fld, "line")
    simple: dict[str, Callable[[object], object]] = {
        "name": _text_name,
        "identifier": _text_identifier,
        "credit_code": _text_credit_code,
        "multiline": _text_multiline,
        "line": _text_line,
    }
    if typ in simple:
        return simple[typ]
    if typ == "date":
        conv: Callable[[object], object] = _make_date_converter(date_order)
    elif typ == "month":
        conv = _make_month_converter(date_order)
    elif typ == "money":
        conv = _money
    elif typ == "money_not_negative":
        conv = _money_not_negative
    elif typ == "segment":
        conv = _make_choice(SEGMENT_VALUES, "customer type")
    else:
        conv = _make_choice(STAGE_VALUES, "stage")
    return _catching(conv)


# --------------------------------------------------------------------------- parse
def _fields_of(kind: str) -> set[str]:
    fields = set(KIND_SYNONYMS[kind])
    if "contact_phone" in fields:
        fields.add("contact_phone2")
    return fields


def _column_label(i: int) -> str:
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
) -> ParsedSheet:
    """Read, map and validate one sheet of a customer or revenue file.

    ``kind``: 'customers' | 'revenue'. ``sheet``: sheet name (default the first visible
    worksheet). ``mapping``: column index -> field or None, replacing the automatic
    mapping (columns not in it are ignored and listed as unknown unless explicitly
    None). ``date_order``: None | 'ymd' | 'dmy' | 'mdy' for text dates like 03/04/2024
    (None: ambiguous ones are row errors). ``max_bytes``: file size limit.
    ``limit``: parse only the first N data rows (preview). ``max_uncompressed``: .xlsx
    unpacked size limit. ``header_row``: 1-based header row, instead of detection
    (the row with the most header synonyms among the first 30 non-empty rows).

    Required: customers need ``name``; revenue rows need a customer identifier
    (credit_code, external_code or name), ``month`` and ``billed`` (>= 0).
    Raises FileRefused (user-facing) for files that cannot be imported, ValueError
    for a bad ``kind``, ``date_order`` or ``mapping`` (programming errors).
    """
    _check_kind(kind)
    if date_order not in _DATE_ORDERS:
        raise ValueError(f"date_order must be one of {_DATE_ORDERS}, not {date_order!r}")
    fmt, names, sheet_name, rows, formula_cells = _open(data, sheet, max_bytes, max_uncompressed)

    # Header: buffer the first non-empty rows and pick one.
    candidates: list[tuple[int, list[object]]] = []
    for item in rows:
        candidates.append(item)
        if header_row is not None:
            if item[0] >= header_row:
                break
        elif len(candidates) >= HEADER_SCAN_ROWS:
            break
    if not candidates:
        raise FileRefused(
            f"The sheet {sheet_name!r} has no rows." if sheet_name else "The file has no rows."
        )
    if header_row is not None:
        index = next((i for i, (n, _) in enumerate(candidates) if n == header_row), None)
        if index is None:
            raise FileRefused(f"Row {header_row} is empty; it cannot be the header row.")
    else:
        index = _find_header(candidates, kind)
    header_number, header_cells = candidates[index]
    headers = [_cell_text(c) for c in header_cells]
    width = len(headers)

    duplicates: list[str] = []
    if mapping is None:
        col_map, unknown, duplicates = _match(headers, kind)  # type: ignore[arg-type]
    else:
        col_map, unknown = _validate_mapping(mapping, headers, kind)

    required_in_file = []
    for i, fld in col_map.items():
        if fld and i < width and _normalise_header_star(headers[i])[1]:
            required_in_file.append(fld)

    # Data rows: the candidates after the header, then the rest of the sheet.
    data_rows = itertools.chain(candidates[index + 1 :], rows)
    if limit is not None:
        data_rows = itertools.islice(data_rows, max(limit, 0))
    numbers: list[int] = []
    raws: list[list[object]] = []
    for number, row in data_rows:
        numbers.append(number)
        raws.append(row)
    max_width = max(map(len, raws), default=width)
    need = max([width, *(i + 1 for i, f in col_map.items() if f)])
    if raws and min(map(len, raws)) < need:  # ragged CSV, or a mapped column past the data
        pad = [""] * need
        raws = [r if len(r) >= need else r + pad[len(r) :] for r in raws]

    # Column by column: one converter per mapped column, memoised when values repeat.
    count = len(raws)
    errors: list[list[RowError]] = [[] for _ in range(count)]
    fields: list[str] = []
    columns: list[list[object]] = []
    positions = {n: k for k, n in enumerate(numbers)} if formula_cells else {}
    for i, fld in sorted(col_map.items()):
        if not fld:
            continue
        cells = [r[i] for r in raws]
        out = _convert_column(cells, _converter_for(fld, date_order))
        if fld in _RAISING_FIELDS:
            for k, x in enumerate(out):
                if x.__class__ is _Err:
                    errors[k].append(RowError(fld, x.reason))  # type: ignore[union-attr]
                    out[k] = None
        for number, col in formula_cells:
            k = positions.get(number)
            if col == i and k is not None and out[k] is None and not _has_error(errors[k], fld):
                errors[k].append(RowError(fld, FORMULA_NO_VALUE))
        fields.append(fld)
        columns.append(out)
    if columns:
        value_dicts = [dict(zip(fields, t, strict=True)) for t in zip(*columns, strict=True)]
    else:
        value_dicts = [{} for _ in range(count)]
    by_field = dict(zip(fields, columns, strict=True))
    _check_required(kind, by_field, errors, count)
    parsed = [
        ParsedRow(n, v, r, e) for n, v, r, e in zip(numbers, value_dicts, raws, errors, strict=True)
    ]

    # Columns without a header that hold data are listed, not silently dropped.
    for i in range(max_width):
        header = headers[i] if i < width else ""
        if header.strip() or col_map.get(i):
            continue
        found = {r[i] for r in raws if i < len(r)}
        found.discard("")
        if not _is_blank(list(found)):
            unknown.append(f"(column {_column_label(i)}, no header)")

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
    )


def _has_error(errors: list[RowError], fld: str) -> bool:
    return any(e.field == fld for e in errors)


class _Err:
    """A conversion failure inside a converted column (cheaper than an exception)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _catching(conv: Callable[[object], object]) -> Callable[[object], object]:
    def convert(v: object) -> object:
        if v == "":
            return None
        try:
            return conv(v)
        except _Bad as exc:
            return _Err(str(exc))

    return convert


def _convert_column(cells: list[object], conv: Callable[[object], object]) -> list[object]:
    """Convert one column; each distinct value once when values repeat (industry, stage,
    dates). Booleans are not memoised because True == 1.0 would share a dict slot."""
    if len(cells) >= 64:
        distinct = set(cells)
        if len(distinct) * 4 < len(cells) and bool not in set(map(type, distinct)):
            table = {v: conv(v) for v in distinct}
            return [table[v] for v in cells]
    return list(map(conv, cells))


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
                errors[k].append(RowError(fld, "required"))


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


# --------------------------------------------------------------------------- duplicates
def name_key(name: str) -> str:
    """Comparison key for company names: NFKC, casefold, all whitespace removed.

    ``name_key(' 万  科Ａ ')`` == ``name_key('万科a')`` == ``'万科a'``.
    """
    key = "".join(unicodedata.normalize("NFKC", name).casefold().split())
    if not key.isascii():
        # Case folding and removing spaces can leave combining marks to recompose
        # ('A¯' -> 'a\u0304' -> 'ā'); repeat until stable so the key is idempotent.
        for _ in range(3):
            again = "".join(unicodedata.normalize("NFKC", key).casefold().split())
            if again == key:
                break
            key = again
    return key


def _phone_digits(phone: str) -> str:
    digits = phone if phone.isdigit() and phone.isascii() else re.sub(r"\D", "", _nfkc(phone))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def dedupe_keys(values: dict) -> list[tuple[str, str]]:
    """Keys that identify a row's customer within one file, strongest first.

    Customers: ``[('credit_code', '9144...'), ('external_code', '000001'),
    ('phone', '13800138000'), ('name', '平安银行股份有限公司')]`` (absent values skipped;
    credit code upper-cased without spaces; phones as digits, kept when at least 7,
    both contact_phone and contact_phone2; name via :func:`name_key`). Revenue rows
    (values has a ``month`` key): the identifier keys only, each suffixed with
    ``'|YYYY-MM-01'`` (and ``'|product'`` when given), since a customer has one row per
    month.
    """
    keys: list[tuple[str, str]] = []
    get = values.get
    credit = get("credit_code")
    if credit:
        keys.append(("credit_code", "".join(str(credit).split()).upper()))
    code = get("external_code")
    if code:
        keys.append(("external_code", str(code).strip()))
    revenue = "month" in values
    if not revenue:
        for phone in (get("contact_phone"), get("contact_phone2")):
            if phone:
                digits = _phone_digits(str(phone))
                if len(digits) >= 7:
                    keys.append(("phone", digits))
    name = get("name")
    if name:
        key = name_key(str(name))
        if key:
            keys.append(("name", key))
    if revenue:
        month = get("month")
        suffix = "|" + (month.isoformat() if isinstance(month, datetime.date) else str(month))
        if get("product"):
            suffix += "|" + str(values["product"])
        keys = [(k, v + suffix) for k, v in keys]
    return keys


def mark_duplicates_in_file(rows: list[ParsedRow]) -> None:
    """Set ``duplicate_of`` on each row that repeats an earlier row of the same file.

    A row is a duplicate when any of its :func:`dedupe_keys` was seen on an earlier
    row; ``duplicate_of`` is the row number of the first row (the one that will be
    imported), so the service can skip it with "duplicate of row N". Rows with errors
    are neither marked nor used as originals (they will not be imported). Idempotent.
    """
    first_seen: dict[tuple[str, str], int] = {}
    for row in rows:
        row.duplicate_of = None
        if row.errors:
            continue
        keys = dedupe_keys(row.values)
        original = row.row_number
        for k in keys:
            seen = first_seen.get(k)
            if seen is not None and seen < original:
                original = seen
        if original != row.row_number:
            row.duplicate_of = original
        for k in keys:
            first_seen.setdefault(k, original)
