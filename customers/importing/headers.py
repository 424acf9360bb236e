"""Find the header row and match header cells to fields through synonyms."""

from __future__ import annotations

import re
from collections.abc import Sequence

from spreadsheets.reading import cell_text, normalise_header

from .fields import KIND_SYNONYMS, KINDS

_TRAILING_PAREN = re.compile(r"\([^()]*\)$|\[[^\[\]]*\]$")


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


def match_headers(headers: Sequence[object], kind: str) -> tuple[dict[int, str | None], list[str]]:
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


def _match(
    headers: Sequence[object], kind: str
) -> tuple[dict[int, str | None], list[str], list[str]]:
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
            duplicates.append(cell_text(header))
            fld = None
        if fld is None:
            if cell_text(header).strip():
                unknown.append(cell_text(header))
        else:
            taken.add(fld)
        mapping[i] = fld
    return mapping, unknown, duplicates


def _header_score(row: list[object], lookup: dict[str, str]) -> tuple[int, int]:
    matches = texts = 0
    for cell in row:
        if type(cell) is str and cell.strip():
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


_DATA_TEXT = re.compile(r"^[\d\s+\-./:()年月日]{5,}$|@|^https?://", re.IGNORECASE)


def _looks_like_data(candidates: list[tuple[int, list[object]]], kind: str) -> bool:
    """Whether the first row is data rather than a header: no row at the top names a
    field, and the first row holds a number, a date, or text shaped like a value (a
    phone number, a date, an e-mail address, a web address)."""
    lookup = _LOOKUPS[kind]
    if any(_header_score(row, lookup)[0] for _, row in candidates):
        return False
    for cell in candidates[0][1]:
        if type(cell) is str:
            if _DATA_TEXT.search(cell.strip()):
                return True
        elif cell is not None and cell != "":
            return True
    return False
