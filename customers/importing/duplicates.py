"""Duplicate keys of import rows and the duplicates within one file (docs/domain, section 5)."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Mapping

from domain.phones import phone_normalised

from .results import ParsedRow


def name_key(name: str) -> str:
    """Comparison key for company names: NFKC, casefold, all whitespace removed.

    ``name_key(' 万  科Ａ ')`` == ``name_key('万科a')`` == ``'万科a'``.
    """
    key = "".join(unicodedata.normalize("NFKC", name).casefold().split())
    if key == name:
        return name  # the same text: one string, not two (an import keeps every key)
    if not key.isascii():
        # Case folding and removing spaces can leave combining marks to recompose
        # ('A¯' -> 'a\u0304' -> 'ā'); repeat until stable so the key is idempotent.
        for _ in range(3):
            again = "".join(unicodedata.normalize("NFKC", key).casefold().split())
            if again == key:
                break
            key = again
    return key


def dedupe_keys(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """Keys that identify a row's customer within one file, strongest first.

    Customers: ``[('credit_code', '9144...'), ('external_code', '000001'),
    ('phone', '13800138000'), ('name', '平安银行股份有限公司')]`` (absent values skipped;
    credit code upper-cased without spaces; phones in their stored form
    (``domain.phones``), both contact_phone and contact_phone2; name via
    :func:`name_key`). Revenue rows
    (values has a ``month`` key): the identifier keys only, each suffixed with
    ``'|YYYY-MM-01'`` (and ``'|product'`` when given), since a customer has one row per
    month.
    """
    keys: list[tuple[str, str]] = []
    get = values.get
    credit = get("credit_code")
    if credit:
        if type(credit) is str and credit.isascii() and credit.isalnum():
            text = credit  # a converted code: no blanks to drop (the usual case)
        else:
            text = "".join(str(credit).split())
        upper = text if text.isdigit() or text.isupper() else text.upper()
        keys.append(("credit_code", text if upper == text else upper))  # one string, not two
    code = get("external_code")
    if code:
        keys.append(("external_code", str(code).strip()))
    revenue = "month" in values
    if not revenue:
        for phone in (get("contact_phone"), get("contact_phone2")):
            if phone:
                # The stored form (domain.phones), as contacts store it; a converted
                # value is its own, a refused one gives no key.
                stored, problem = phone_normalised(str(phone))
                if problem is None and stored:
                    keys.append(("phone", stored))
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
    are neither marked nor used as originals (they will not be imported). Each row's
    keys are kept in ``row.keys`` for the service's lookups. Idempotent.
    """
    first_seen: dict[tuple[str, str], int] = {}
    for row in rows:
        row.duplicate_of = None
        if row.errors:
            continue
        keys = row.keys = dedupe_keys(row.values)
        original = row.row_number
        for k in keys:
            seen = first_seen.get(k)
            if seen is not None and seen < original:
                original = seen
        if original != row.row_number:
            row.duplicate_of = original
        for k in keys:
            first_seen.setdefault(k, original)
