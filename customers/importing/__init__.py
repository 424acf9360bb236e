"""Parse and validate customer and revenue import files (docs/domain, section 5).

Pure functions over bytes and plain data: no Django, no ORM, so the rules can be
tested by the thousand and benchmarked. The import service (``customers.import_service``)
calls :func:`parse_file`, shows the preview (mapping, unknown columns, row errors) and
writes the clean rows.

Pipeline: reading the file safely (``spreadsheets.reading``: format detection from the
bytes, size, zip-bomb and XML guards, python-calamine or the csv module) -> header row
detection and :func:`match_headers` (``headers``, with the synonyms of ``fields``) -> one
converter per mapped column (``converters``) -> :class:`ParsedRow` per data row
(``parsing``) -> :func:`mark_duplicates_in_file` (``duplicates``).

Row numbers are always the 1-based row number the user sees in Excel (or the record
number of a CSV file), whatever the used range of the sheet.
"""

from __future__ import annotations

from spreadsheets.reading import (
    MAX_BYTES,
    MAX_UNCOMPRESSED,
    FileRefused,
    RawSheet,
    detect_format,
    normalise_header,
    read_rows,
)

from .duplicates import dedupe_keys, mark_duplicates_in_file, name_key
from .fields import (
    CUSTOMER_SYNONYMS,
    FIELD_TYPES,
    KIND_SYNONYMS,
    KINDS,
    REVENUE_SYNONYMS,
    SEGMENT_VALUES,
    STAGE_VALUES,
)
from .headers import match_headers
from .parsing import (
    FORMULA_NO_VALUE,
    HEADER_SCAN_ROWS,
    NO_HEADER_COLUMN,
    REQUIRED_FIELDS,
    column_letter,
    missing_required,
    parse_file,
)
from .results import ParsedRow, ParsedSheet, RowError

__all__ = [
    "CUSTOMER_SYNONYMS",
    "FIELD_TYPES",
    "FORMULA_NO_VALUE",
    "HEADER_SCAN_ROWS",
    "KINDS",
    "KIND_SYNONYMS",
    "NO_HEADER_COLUMN",
    "REQUIRED_FIELDS",
    "MAX_BYTES",
    "MAX_UNCOMPRESSED",
    "REVENUE_SYNONYMS",
    "SEGMENT_VALUES",
    "STAGE_VALUES",
    "FileRefused",
    "column_letter",
    "ParsedRow",
    "ParsedSheet",
    "RawSheet",
    "RowError",
    "dedupe_keys",
    "detect_format",
    "mark_duplicates_in_file",
    "match_headers",
    "missing_required",
    "name_key",
    "normalise_header",
    "parse_file",
    "read_rows",
]
