"""Phone numbers: which are accepted and the one form they are stored in (docs/domain,
section 5, Imports, "Phones"). The import, the contact form and the API apply this rule.

Accepted: a mainland mobile (11 digits, 13-19), a landline with its area code (trunk 0,
2-3 digit area code, 7-8 digit number; an extension after 转/分机/ext/x/#), a 400/800 or
95xxx service number, the same after +86 / 0086 / 86, or an international number (+ or 00,
country code and number: 8 to 15 digits). Separators (blanks, dashes, dots, brackets) are
ignored; a leading minus (a number Excel turned negative) is refused.

Stored form (so that duplicate checks compare like with like):

- mobile ``13800138001``; service numbers as digits (``4008001234``, ``95588``);
- landline ``010-12345678`` (area code 01x/02x: 3 digits with the trunk 0, else 4), an
  extension after 转: ``010-12345678转123``;
- international ``+4420712345678`` (``+``, country code and number, no separators).
"""

from __future__ import annotations

import re
import unicodedata

from spreadsheets.messages import gettext_noop

NOT_A_PHONE = gettext_noop(
    "not a phone number: %(value)s has %(digits)d digits; expected a mainland mobile "
    "(11 digits, starting with 13-19), a landline with its area code (e.g. 010-12345678), "
    "a 400/800 or 95xxx number, or + country code and number (8 to 15 digits)"
)
"""A refused phone: the value as written and how many digits it has, against the forms
accepted."""

NEGATIVE_PHONE = gettext_noop(
    "not a phone number: %(value)s starts with a minus sign (a number the spreadsheet made "
    "negative?); write it without the minus"
)
"""A phone with a leading minus sign."""

_SEPARATORS = str.maketrans("", "", " -().\u00a0")
PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}").fullmatch
"""Whether a text is a plain mainland mobile, already in its stored form."""
_EXTENSION = re.compile(r"^(.*?\d)\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)


def _mainland_kind(digits: str) -> str | None:
    """'mobile', 'landline' or 'service' when ``digits`` (with the trunk 0 of a landline)
    is a mainland number, else None."""
    if digits.startswith("1") and not digits.startswith("10"):
        return "mobile" if len(digits) == 11 and digits[1] in "3456789" else None
    if digits.startswith("0"):  # trunk prefix, area code (2-3 digits) and number (7-8)
        return "landline" if 10 <= len(digits) <= 12 else None
    if digits.startswith(("400", "800")):  # nationwide service numbers
        return "service" if len(digits) == 10 else None
    return "service" if digits.startswith("95") and 5 <= len(digits) <= 8 else None


def _landline(digits: str, extension: str) -> str:
    """``010-12345678`` from ``01012345678`` (then ``转`` and the extension, if any): area
    codes 01x and 02x have 3 digits with the trunk 0, the others 4."""
    cut = 3 if digits[1] in "12" else 4
    text = f"{digits[:cut]}-{digits[cut:]}"
    return f"{text}转{extension}" if extension else text


Problem = tuple[str, dict[str, str | int]]
"""A refusal: the message template and its values."""


def phone_normalised(value: str) -> tuple[str, None] | tuple[None, Problem]:
    """``(stored form, None)`` for an accepted phone (see the module), ``(None, (message
    template, params))`` for a refused one; ``value`` is the text as typed (blank: ``("",
    None)``). Full-width characters are made ASCII first. Pure; raises nothing."""
    if PLAIN_MOBILE(value):
        return value, None
    text = " ".join(unicodedata.normalize("NFKC", value).split())
    if not text:
        return "", None
    if text.startswith(("-", "\u2212")):
        refused: Problem = (NEGATIVE_PHONE, {"value": repr(text)})
        return None, refused
    body, extension = text, ""
    match = _EXTENSION.match(body)
    if match:
        body, extension = match.group(1), match.group(2)
    compact = body.translate(_SEPARATORS)
    international = compact.startswith(("+", "00"))
    digits = compact[1:] if compact.startswith("+") else compact[2:] if international else compact
    stored: str | None = None
    if digits.isdigit() and digits.isascii():
        if digits.startswith("86") and (international or len(digits) == 13):
            rest = digits[2:]
            mobile = rest.startswith("1") and not rest.startswith("10")
            # +86 0755...: the trunk 0 is dropped after +86
            if not rest.startswith("0"):
                stored = _stored(rest if mobile else "0" + rest, extension)
        elif international:
            if 8 <= len(digits) <= 15:
                stored = "+" + digits + (f"转{extension}" if extension else "")
        else:
            stored = _stored(digits, extension)
    if stored is None:
        count: int = sum(c.isdigit() for c in compact)
        problem: Problem = (NOT_A_PHONE, {"value": repr(text), "digits": count})
        return None, problem
    return stored, None


def _stored(digits: str, extension: str) -> str | None:
    """The stored form of mainland ``digits`` (trunk 0 included), None when not one."""
    kind = _mainland_kind(digits)
    if kind == "landline":
        return _landline(digits, extension)
    if kind is None or extension:
        return None if kind is None else f"{digits}转{extension}"
    return digits
