"""Cut an .xlsx to the first rows of its worksheets (pure: no Django, no app imports).

A preview shows the first rows of a sheet, but python-calamine parses a whole sheet when
it opens it; on a 100,000-row list that is the whole cost (and memory) of the import's
read, three times over (upload, preview, import). :func:`first_rows_only` copies the
workbook with each worksheet's XML cut after its first rows and closed again, so
calamine reads the same cells (shared strings, styles and dates unchanged) of only those
rows. The guards of ``spreadsheets.reading`` run on the original file first.
"""

from __future__ import annotations

import io
import re
import zipfile

__all__ = ["first_rows_only"]

_ROW_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?row>|<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*/>")
_SHEET_DATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*/>")


def _head_of_sheet(zf: zipfile.ZipFile, name: str, max_rows: int) -> bytes | None:
    """The sheet XML cut after its first ``max_rows`` rows and closed again (None: the
    sheet is no longer than that, or its layout is not the usual one)."""
    head = bytearray()
    rows = 0
    pos = 0  # end of the last row counted
    try:
        with zf.open(name) as fh:
            while chunk := fh.read(1 << 16):
                head += chunk
                for match in _ROW_END.finditer(head, pos):
                    rows += 1
                    pos = match.end()
                    if rows >= max_rows:
                        start = _SHEET_DATA.search(head)
                        if start is None:
                            return None
                        prefix = start.group(1)
                        cut = _DIMENSION.sub(b"", bytes(head[:pos]))
                        return cut + b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, NotImplementedError):
        return None
    return None


def first_rows_only(data: bytes, zf: zipfile.ZipFile, max_rows: int) -> bytes:
    """A copy of an .xlsx whose worksheets hold only their first ``max_rows`` rows, so a
    preview parses what it shows instead of the whole sheet. Other parts are copied."""
    out = io.BytesIO()
    changed = False
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in zf.infolist():
            part: bytes | None = None
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                part = _head_of_sheet(zf, info.filename, max_rows)
                changed = changed or part is not None
            if part is None:
                try:
                    part = zf.read(info.filename)
                except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, NotImplementedError):
                    return data  # damaged: calamine reads the whole file and says so
            copy.writestr(info.filename, part)
    return out.getvalue() if changed else data
