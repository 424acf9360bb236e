"""Translate the import engine's messages for display.

customers/importing/ and spreadsheets/reading.py are pure Python without Django, so their
row errors and refusals are English text (kept as they are in ImportJob.errors and in the
command's output). Pages and the error workbook show them in the user's language through
the patterns below; a text that matches none is shown as it is.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# (pattern, template): named groups of the pattern fill the template's placeholders.
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^required$"), gettext_noop("required")),
    (re.compile(r"^a time without a date$"), gettext_noop("a time without a date")),
    (
        re.compile(r"^customer missing: give a credit code, customer code or name$"),
        gettext_noop("customer missing: give a credit code, customer code or name"),
    ),
    (
        re.compile(
            r"^formula has no saved value; open the file in Excel, save it, and import again$"
        ),
        gettext_noop(
            "formula has no saved value; open the file in Excel, save it, and import again"
        ),
    ),
    (
        re.compile(
            r"^(?P<v>.+) is ambiguous \(day/month or month/day\); choose the date order "
            r"and import again$"
        ),
        gettext_noop(
            "%(v)s is ambiguous (day/month or month/day); choose the date order and import again"
        ),
    ),
    (
        re.compile(r"^not a date \(use a 4-digit year\): (?P<v>.+)$"),
        gettext_noop("not a date (use a 4-digit year): %(v)s"),
    ),
    (re.compile(r"^not a valid date: (?P<v>.+)$"), gettext_noop("not a valid date: %(v)s")),
    (re.compile(r"^not a date: (?P<v>.+)$"), gettext_noop("not a date: %(v)s")),
    (
        re.compile(r"^not a month \(expected e\.g\. 2026-10\): (?P<v>.+)$"),
        gettext_noop("not a month (expected e.g. 2026-10): %(v)s"),
    ),
    (re.compile(r"^not an amount: (?P<v>.+)$"), gettext_noop("not an amount: %(v)s")),
    (re.compile(r"^must not be negative: (?P<v>.+)$"), gettext_noop("must not be negative: %(v)s")),
    (
        re.compile(r"^unknown (?P<what>\w+) (?P<v>.+) \(expected one of (?P<expected>.+)\)$"),
        gettext_noop("unknown %(what)s %(v)s (expected one of %(expected)s)"),
    ),
]

_REFUSALS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^The file is empty\.$"), gettext_noop("The file is empty.")),
    (
        re.compile(r"^This \.xls is really a web page \(HTML\);"),
        gettext_noop(
            "This .xls is really a web page (HTML); open it in Excel, save it as .xlsx "
            "and import that file."
        ),
    ),
    (
        re.compile(r"^This workbook is password-protected;"),
        gettext_noop(
            "This workbook is password-protected; remove the password in Excel and import again."
        ),
    ),
    (
        re.compile(r"^The file is (?P<size>[\d.]+) MB; the limit is (?P<limit>[\d.]+) MB\."),
        gettext_noop(
            "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
        ),
    ),
    (
        re.compile(r"^The \.xlsx file expands to an unusual size when unpacked"),
        gettext_noop(
            "The .xlsx file expands to an unusual size when unpacked (possible zip bomb); "
            "it was not imported."
        ),
    ),
    (
        re.compile(r"^The \.xlsx file contains XML declarations"),
        gettext_noop(
            "The .xlsx file contains XML declarations that Excel never writes; it was not imported."
        ),
    ),
    (
        re.compile(r"^This is not a spreadsheet or a CSV text file\.$"),
        gettext_noop("This is not a spreadsheet or a CSV text file."),
    ),
    (
        re.compile(r"^This is a zip file but not an Excel workbook"),
        gettext_noop("This is a zip file but not an Excel workbook (.xlsx)."),
    ),
    (
        re.compile(r"^The workbook has no visible worksheet\.$"),
        gettext_noop("The workbook has no visible worksheet."),
    ),
]


def _translate(text: str, table: list[tuple[re.Pattern[str], str]]) -> str:
    for pattern, template in table:
        match = pattern.match(text)
        if match:
            params = match.groupdict()
            translated = _(template)
            return translated % params if params else translated
    return text


def translate_reason(reason: object) -> str:
    """A row error's reason from customers.importing in the active language
    ('required' -> '必填')."""
    return _translate(str(reason), _REASONS)


def translate_refusal(message: object) -> str:
    """A whole-file refusal (FileRefused) from spreadsheets.reading or customers.importing,
    in the active language."""
    return _translate(str(message), _REFUSALS)
