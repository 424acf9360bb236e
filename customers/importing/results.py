"""What parsing an import file returns: rows with their values and errors, and the sheet."""

from __future__ import annotations

from dataclasses import dataclass, field

from spreadsheets.messages import Params, render


@dataclass(frozen=True, slots=True, eq=False)
class RowError:
    """One problem in one row. ``field`` is a field name, or '' for whole-row errors.

    ``message``: an English message template (a gettext msgid, e.g. ``'not a date:
    %(value)s'``); ``params``: its values. ``reason`` is the English text; a layer that
    knows the user's language says it with ``gettext(message) % dict(params)``.
    """

    field: str
    message: str
    params: Params = ()

    @property
    def reason(self) -> str:
        """The English text of the problem (the template filled with its values)."""
        return render(self.message, self.params)

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason

    def __eq__(self, other: object) -> bool:
        """Equal when they say the same thing about the same field (whatever the split
        between template and values)."""
        if not isinstance(other, RowError):
            return NotImplemented
        return (self.field, self.reason) == (other.field, other.reason)

    def __hash__(self) -> int:
        return hash((self.field, self.reason))


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
    keys: list[tuple[str, str]] | None = None  # dedupe_keys(values), kept by the dedupe

    def error_messages(self) -> list[str]:
        """User-facing messages, e.g. ``['row 7: name: required']``."""
        return [f"row {self.row_number}: {e}" for e in self.errors]


@dataclass(slots=True)
class ParsedSheet:
    """The result of :func:`parse_file`.

    ``format``: 'xlsx' | 'xls' | 'csv'. ``sheet_names``: all sheets ([] for CSV);
    ``sheet``: the sheet read ('' for CSV). ``header_row``: 1-based, 0 when the file
    has no header row (then ``headers`` are all ''). ``header_detected``: whether
    ``header_row`` was detected rather than given. ``headers``: the
    header cells as text, as in the file; column indices of ``mapping`` index this list
    and each row's ``raw``. ``mapping``: column -> field or None (ignored).
    ``unknown_columns``: header texts of columns not mapped (never silently dropped),
    including headers that repeat an already-mapped field (also in
    ``duplicate_columns``) and '(column N, no header)' for unlabelled columns that hold
    data. ``required_in_file``: fields whose header the file marks with ``*``.
    ``missing_required``: required fields no column is mapped to (every row is then
    rejected; callers refuse the file once instead). ``formulas``: (row number, column
    index) -> formula text of the formula cells without a saved value.
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
    header_detected: bool = True
    missing_required: list[str] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def valid_rows(self) -> list[ParsedRow]:
        """Rows without errors and not duplicates: what the service may write."""
        return [r for r in self.rows if not r.errors and r.duplicate_of is None]
