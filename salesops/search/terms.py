"""The search query as typed, read safely, and the highlighting of what it matched.

:func:`parse_terms` never raises: a query that is too long is cut, dates that do not exist
are left out, and each such change is reported as a :class:`Notice` the page shows
(docs/architecture.md, Conventions, "Errors").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.http import EARLIEST_DAY, LATEST_DAY, text_param

MAX_QUERY_CHARS = 100
"""A longer query is cut to this many characters (and the user told)."""

SNIPPET_CHARS = 120
"""About how many characters of a long text a hit shows around the first match."""

_DATE = re.compile(r"(?<!\d)(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?!\d)")
_RANGE_WORDS = re.compile(r"^(\.\.|~|～|至|到|-|—|–|to)$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Terms:
    """What to look for.

    ``text``: the query as shown back in the box (cut, control characters removed);
    ``keyword``: the text without its dates ('' when the query was only dates);
    ``day_from`` / ``day_to``: a span of local dates, both inclusive (None: open), only
    for journals and weekly reports; ``notices``: messages for the user, translated.
    """

    text: str
    keyword: str
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def has_dates(self) -> bool:
        """True when a date span narrows journals and weekly reports."""
        return self.day_from is not None or self.day_to is not None

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to search for."""
        return not self.keyword and not self.has_dates


def _date_or_none(raw: str) -> dt.date | None:
    """An ISO date (``2026-12-07``) within the supported years, else None."""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def _field_date(raw: object, label: str, notices: list[str]) -> dt.date | None:
    text = text_param(raw, max_length=40)
    if not text:
        return None
    day = _date_or_none(text)
    if day is None:
        notices.append(
            _(
                "%(field)s: %(value)s is not a date (YYYY-MM-DD between %(first)s and "
                "%(last)s); it is left out."
            )
            % {
                "field": label,
                "value": text[:30],
                "first": EARLIEST_DAY.year,
                "last": LATEST_DAY.year,
            }
        )
    return day


def parse_terms(q: object, date_from: object = None, date_to: object = None) -> Terms:
    """Read the query ``q`` and the optional ``date_from`` / ``date_to`` fields (raw
    request values, any type or None) into :class:`Terms`.

    Dates typed into the query (``2026-12-07``, ``2026/12/7``, ``2026年12月7日``) become the
    span: one date is that day, two dates the span between them (either order); a range
    word between them (``..``, ``~``, ``至``, ``to``) is dropped. The fields win over dates in
    the query. A date that does not exist (``2026-02-30``) is left out with a notice naming
    it; a query over :data:`MAX_QUERY_CHARS` is cut with a notice."""
    notices: list[str] = []
    raw = text_param(q, max_length=10_000)
    raw = _SPACES.sub(" ", raw)
    if len(raw) > MAX_QUERY_CHARS:
        notices.append(
            _("The search was cut to its first %(count)s characters.") % {"count": MAX_QUERY_CHARS}
        )
        raw = raw[:MAX_QUERY_CHARS].strip()
    days: list[dt.date] = []
    for match in _DATE.finditer(raw):
        year, month, day = (int(part) for part in match.groups())
        try:
            found = dt.date(year, month, day)
        except ValueError:
            found = None
        if found is None or not EARLIEST_DAY <= found <= LATEST_DAY:
            notices.append(
                _("%(value)s is not a date; it is left out.") % {"value": match.group(0)}
            )
            continue
        days.append(found)
    words = _DATE.sub(" ", raw).split()
    if days:
        words = [w for w in words if not _RANGE_WORDS.match(w)]
    keyword = " ".join(words)
    day_from = day_to = None
    if days:
        day_from, day_to = min(days), max(days)
    field_from = _field_date(date_from, _("From"), notices)
    field_to = _field_date(date_to, _("To"), notices)
    if field_from or field_to:
        day_from, day_to = field_from, field_to
    if day_from and day_to and day_from > day_to:
        day_from, day_to = day_to, day_from
        notices.append(_("The dates were in reverse order; they were swapped."))
    return Terms(raw, keyword, day_from, day_to, notices)


def highlight(text: str, needle: str) -> SafeString:
    """``text`` escaped for HTML with every case-insensitive occurrence of ``needle`` in
    ``<mark>``; ``text`` escaped as is when ``needle`` is empty or absent."""
    text = text or ""
    if not needle:
        return escape(text)
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def highlight_span(text: str, span: tuple[int, int] | None) -> SafeString:
    """``text`` escaped for HTML with the characters ``span`` (start, end) in ``<mark>``
    (a pinyin match, ``customers.pinyin.pinyin_span``); escaped as is for None."""
    if span is None:
        return escape(text)
    start, end = span
    marked = f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"
    return mark_safe(marked)  # noqa: S308 - every piece is escaped


def snippet(text: str, needle: str, width: int = SNIPPET_CHARS) -> SafeString:
    """About ``width`` characters of ``text`` around the first occurrence of ``needle``
    (the start when absent), with '…' where cut, highlighted (:func:`highlight`)."""
    text = _SPACES.sub(" ", text or "").strip()
    if len(text) <= width:
        return highlight(text, needle)
    at = text.lower().find(needle.lower()) if needle else -1
    start = max(0, at - width // 3) if at >= 0 else 0
    end = min(len(text), start + width)
    start = max(0, end - width)
    piece = text[start:end]
    shown = highlight(piece, needle)
    return mark_safe(("…" if start else "") + shown + ("…" if end < len(text) else ""))  # noqa: S308


def first_matching(needle: str, *texts: str) -> str:
    """The first of ``texts`` that contains ``needle`` (case-insensitive), else the first
    non-empty one, else ''."""
    lowered = needle.lower()
    if lowered:
        for text in texts:
            if text and lowered in text.lower():
                return text
    return next((t for t in texts if t), "")
