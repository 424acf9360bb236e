"""Parts of an .xlsx read directly from its zip (pure: no Django, no app imports): the
sheets' XML paths and the formula cells that have no saved value, which calamine reads as
empty cells (so an import can say so, quoting the formula)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from xml.sax.saxutils import unescape

from defusedxml import ElementTree as SafeET

from .messages import FileRefused, gettext_noop

_CELL_ATTR_R = re.compile(rb'\sr="([A-Z]{1,3})([0-9]+)"')
_CELL_ATTR_T = re.compile(rb'\st="([A-Za-z]+)"')


def read_member(zf: zipfile.ZipFile, name: str, size: int = -1) -> bytes:
    try:
        with zf.open(name) as fh:
            return fh.read(size)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, NotImplementedError) as exc:
        raise FileRefused(
            gettext_noop("The .xlsx file is damaged or encrypted (%(detail)s)."), detail=str(exc)
        ) from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xlsx_sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from workbook.xml and its rels (defusedxml)."""
    try:
        workbook = SafeET.fromstring(read_member(zf, "xl/workbook.xml"))
        rels_xml = read_member(zf, "xl/_rels/workbook.xml.rels")
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


def _formula_text(body: bytes, prefix: bytes) -> str:
    """The formula of a cell's XML body, '' for a shared formula's dependent (``<f/>``)."""
    m = re.search(
        rb"<" + re.escape(prefix) + rb"f(?:\s[^>]*)?>(.*?)</" + re.escape(prefix) + rb"f>",
        body,
        re.S,
    )
    if not m:
        return ""
    return unescape(m.group(1).decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})


def formulas_without_value(zf: zipfile.ZipFile, member: str) -> dict[tuple[int, int], str]:
    """(1-based row, 0-based absolute column) -> formula text (without ``=``; '' when the
    file does not give it) of the formula cells with no cached ``<v>``.

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
        return {}
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as exc:
        raise FileRefused(
            gettext_noop("The .xlsx file is damaged (%(detail)s)."), detail=str(exc)
        ) from exc
    if not found:
        return {}
    xml = read_member(zf, member)
    missing: dict[tuple[int, int], str] = {}
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
                has_value = typ is not None and typ.group(1) in (b"str", b"inlineStr")
        if not has_value:
            missing[int(ref.group(2)), _column_index(ref.group(1))] = _formula_text(body, prefix)
    return missing
