"""Cell -> value converters, one per field type: text, identifiers, dates, months, money
and the enumerated fields (docs/domain, section 5)."""

from __future__ import annotations

import datetime
import functools
import unicodedata
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.credit_codes import credit_code_problem, credit_code_valid
from domain.industries import industry_stored
from domain.phones import PLAIN_MOBILE as _PLAIN_MOBILE
from domain.phones import phone_normalised
from spreadsheets.messages import Params, gettext_noop
from spreadsheets.reading import cell_text, float_text

from .fields import FIELD_TYPES, SEGMENT_VALUES, STAGE_VALUES


class _Bad(Exception):
    """A cell that cannot be converted: the row error's message template and values."""

    def __init__(self, message: str, **params: str | int) -> None:
        super().__init__(message)
        self.message = message
        self.params: Params = tuple(params.items())


_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_MAX_SERIAL = 2958465  # 9999-12-31
_DATE_ORDERS = (None, "ymd", "dmy", "mdy")
_TIME_ONLY = gettext_noop("a time without a date")
_NOT_A_DATE = gettext_noop("not a date: %(value)s")
_INVALID_DATE = gettext_noop("not a valid date: %(value)s")
_NOT_AN_AMOUNT = gettext_noop("not an amount: %(value)s")
_CENT = Decimal("0.01")
_MONEY_JUNK = str.maketrans("", "", ",¥$ 元")


def _nfkc(s: str) -> str:
    return s if s.isascii() else unicodedata.normalize("NFKC", s)


def _one_line(s: str) -> str:
    """``s`` with runs of whitespace made one space and the ends trimmed; ``s`` itself
    (not a copy) when it already is, so values share the cells' strings: a 100,000-row
    file then holds its text once. ``isprintable`` is False for every character
    ``str.split`` breaks on but the ASCII space."""
    if s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " ":
        return s
    return " ".join(s.split())


def _text_name(v: object) -> str | None:
    s = _one_line(unicodedata.normalize("NFKC", cell_text(v)))
    return s or None


def _text_line(v: object) -> str | None:
    s = _one_line(cell_text(v))
    return s or None


def _text_industry(v: object) -> str | None:
    """An industry as a line of text; an English section label read back to the Chinese
    form the export started from (``domain.industries.industry_stored``)."""
    s = _one_line(cell_text(v))
    if not s:
        return None
    return industry_stored(s) if s.isascii() else s


def _text_multiline(v: object) -> str | None:
    s = cell_text(v).strip()
    return s or None


def _text_identifier(v: object) -> str | None:
    if type(v) is str:
        s = _nfkc(v.strip())
        return s or None
    return cell_text(v) or None


def _text_credit_code(v: object) -> str | None:
    """A unified social credit code: spaces removed, full-width folded, upper case;
    refused when it is not a GB 32100-2015 code (``domain.credit_codes``)."""
    if type(v) is str:
        s = "".join(v.split())
        code = (s if s.isascii() else unicodedata.normalize("NFKC", s)).upper()
    else:
        code = cell_text(v).upper()
    problem = credit_code_problem(code)
    if problem is not None:
        message, params = problem
        raise _Bad(message, **params)
    return code or None


def _phone(v: object) -> str | None:
    """A phone number in its stored form (``domain.phones.phone_normalised``: mobile
    ``13800138001``, landline ``010-12345678``, international ``+44...``; +86 dropped) when
    it is one; refused with the reason otherwise (a leading minus included)."""
    if type(v) is str and _PLAIN_MOBILE(v):  # the common case, without the general rules
        return v
    stored, problem = phone_normalised(cell_text(v))
    if problem is not None:
        message, params = problem
        raise _Bad(message, **params)
    return stored or None


def _serial_to_date(n: float) -> datetime.date:
    if n < 1:
        raise _Bad(_TIME_ONLY)
    if n > _MAX_SERIAL:
        raise _Bad(_NOT_A_DATE, value=float_text(float(n)))
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
        raise _Bad(_INVALID_DATE, value=repr(original)) from None


def _date_from_text(s: str, order: str | None) -> datetime.date:
    s = s.strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-" and s.isascii():
        try:
            return datetime.date(int(s[:4]), int(s[5:7]), int(s[8:]))
        except ValueError:
            raise _Bad(_INVALID_DATE, value=repr(s)) from None
    t = _nfkc(s)
    for sep in ("年", "月", "/", "."):
        t = t.replace(sep, "-")
    t = t.replace("日", "").replace("T", " ").split(" ", 1)[0].strip("-")
    parts = t.split("-")
    if not all(p.isdigit() for p in parts):
        raise _Bad(_NOT_A_DATE, value=repr(s))
    if len(parts) == 1 and len(t) == 8:
        d = _yyyymmdd(int(t))
        if d is None:
            raise _Bad(_INVALID_DATE, value=repr(s))
        return d
    if len(parts) != 3:
        raise _Bad(_NOT_A_DATE, value=repr(s))
    a, b, c = parts
    if len(a) == 4:
        return _make_date(int(a), int(b), int(c), s)
    if len(c) != 4:
        raise _Bad(gettext_noop("not a date (use a 4-digit year): %(value)s"), value=repr(s))
    x, y = int(a), int(b)
    if x > 12 >= y:
        return _make_date(int(c), y, x, s)
    if y > 12 >= x or x == y or order == "mdy":
        return _make_date(int(c), x, y, s)
    if order == "dmy":
        return _make_date(int(c), y, x, s)
    raise _Bad(
        gettext_noop(
            "%(value)s is ambiguous (day/month or month/day); choose the date order and "
            "import again"
        ),
        value=repr(s),
    )


def _make_date_converter(order: str | None) -> Callable[[object], datetime.date | None]:
    def convert(v: object) -> datetime.date | None:
        if type(v) is str:
            if not v.strip():
                return None
            return _date_from_text(v, order)
        if type(v) is datetime.date:
            return v
        if type(v) is datetime.datetime:
            return v.date()
        if type(v) is float or type(v) is int:
            if v == int(v):
                d = _yyyymmdd(int(v))
                if d is not None:
                    return d
            return _serial_to_date(v)
        if type(v) is datetime.time or type(v) is datetime.timedelta:
            raise _Bad(_TIME_ONLY)
        raise _Bad(_NOT_A_DATE, value=repr(cell_text(v)))

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
        raise _Bad(
            gettext_noop("not a month (expected e.g. 2026-10): %(value)s"), value=repr(s)
        ) from None


def _make_month_converter(order: str | None) -> Callable[[object], datetime.date | None]:
    as_date = _make_date_converter(order)

    def convert(v: object) -> datetime.date | None:
        if type(v) is str:
            if not v.strip():
                return None
            return _month_from_text(v, order)
        if (type(v) is float or type(v) is int) and v == int(v):
            n = int(v)
            if 100001 <= n <= 999912 and 1 <= n % 100 <= 12:
                return datetime.date(n // 100, n % 100, 1)
        d = as_date(v)
        return d.replace(day=1) if d else None

    return convert


def _money(v: object) -> Decimal | None:
    if type(v) is float or type(v) is int:
        return Decimal(repr(v)).quantize(_CENT, ROUND_HALF_UP)
    if type(v) is not str:
        raise _Bad(_NOT_AN_AMOUNT, value=repr(cell_text(v)))
    s = _nfkc(v.strip()).translate(_MONEY_JUNK)
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
        raise _Bad(_NOT_AN_AMOUNT, value=repr(v)) from None
    if not d.is_finite():
        raise _Bad(_NOT_AN_AMOUNT, value=repr(v))
    d = d.quantize(_CENT, ROUND_HALF_UP)
    return -d if negative else d


def _money_not_negative(v: object) -> Decimal | None:
    d = _money(v)
    if d is not None and d < 0:
        raise _Bad(gettext_noop("must not be negative: %(value)s"), value=repr(cell_text(v)))
    return d


def _value_key(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).casefold().split())


def _make_choice(table: dict[str, str], message: str) -> Callable[[object], str | None]:
    keys = {_value_key(k): code for k, code in table.items()}
    expected = "/".join(dict.fromkeys(k for k in table if not k.isascii()))

    def convert(v: object) -> str | None:
        key = _value_key(cell_text(v))
        if not key:
            return None
        code = keys.get(key)
        if code is None:
            raise _Bad(message, value=repr(cell_text(v)), expected=expected)
        return code

    return convert


_RAISING_TYPES = (
    "date",
    "month",
    "money",
    "money_not_negative",
    "segment",
    "stage",
    "phone",
    "credit_code",
)
_RAISING_FIELDS = frozenset(f for f, t in FIELD_TYPES.items() if t in _RAISING_TYPES)


def _converter_for(fld: str, date_order: str | None) -> Callable[[object], object]:
    """The cell -> value function of a field; fields in _RAISING_FIELDS return _Err."""
    typ = FIELD_TYPES.get(fld, "line")
    simple: dict[str, Callable[[object], object]] = {
        "name": _text_name,
        "identifier": _text_identifier,
        "multiline": _text_multiline,
        "line": _text_line,
        "industry": _text_industry,
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
    elif typ == "phone":
        conv = _phone
    elif typ == "credit_code":
        conv = _text_credit_code
    elif typ == "segment":
        conv = _make_choice(
            SEGMENT_VALUES,
            gettext_noop("unknown customer type %(value)s (expected one of %(expected)s)"),
        )
    else:
        conv = _make_choice(
            STAGE_VALUES, gettext_noop("unknown stage %(value)s (expected one of %(expected)s)")
        )
    return _catching(conv)


class _Err:
    """A conversion failure inside a converted column (cheaper than an exception)."""

    __slots__ = ("message", "params")

    def __init__(self, message: str, params: Params) -> None:
        self.message = message
        self.params = params


def _catching(conv: Callable[[object], object]) -> Callable[[object], object]:
    def convert(v: object) -> object:
        if v == "":
            return None
        try:
            return conv(v)
        except _Bad as exc:
            return _Err(exc.message, exc.params)

    return convert


_Converter = Callable[[object], object]
_is_nfkc = functools.partial(unicodedata.is_normalized, "NFKC")


def _keep_lines(cells: Sequence[object], conv: _Converter) -> list[object]:
    """``line`` cells: a text already on one line (``_one_line`` keeps it) is its own
    value; anything else goes through ``conv``. Same values, no calls for the usual cell."""
    return [
        c
        if type(c) is str
        and c
        and c.isprintable()
        and c[0] != " "
        and c[-1] != " "
        and "  " not in c
        else conv(c)
        for c in cells
    ]


def _keep_names(cells: Sequence[object], conv: _Converter) -> list[object]:
    """``name`` cells: as :func:`_keep_lines`, and the text must be NFKC-normal."""
    return [
        c
        if type(c) is str
        and c
        and c.isprintable()
        and c[0] != " "
        and c[-1] != " "
        and "  " not in c
        and _is_nfkc(c)
        else conv(c)
        for c in cells
    ]


def _keep_identifiers(cells: Sequence[object], conv: _Converter) -> list[object]:
    """``identifier`` cells: ASCII text without blanks at its ends is its own value (every
    ASCII character ``str.strip`` removes is at most a space)."""
    return [
        c if type(c) is str and c and c.isascii() and c[0] > " " and c[-1] > " " else conv(c)
        for c in cells
    ]


def _keep_mobiles(cells: Sequence[object], conv: _Converter) -> list[object]:
    """``phone`` cells: a plain mainland mobile (11 digits, 13-19) is its own value."""
    return [c if type(c) is str and _PLAIN_MOBILE(c) else conv(c) for c in cells]


def _keep_credit_codes(cells: Sequence[object], conv: _Converter) -> list[object]:
    """``credit_code`` cells: a valid code as written (upper case, no blanks) is its own
    value (``domain.credit_codes.credit_code_valid``); the rest, refused ones included,
    goes through ``conv``, which says why."""
    return [c if type(c) is str and credit_code_valid(c) else conv(c) for c in cells]


_KEEPERS: dict[str, Callable[[Sequence[object], _Converter], list[object]]] = {
    "line": _keep_lines,
    "name": _keep_names,
    "identifier": _keep_identifiers,
    "phone": _keep_mobiles,
    "credit_code": _keep_credit_codes,
}
"""Field type -> a column-wise converter for cells that are already their value."""


def _convert_column(
    cells: Sequence[object], conv: _Converter, typ: str | None = None
) -> list[object]:
    """Convert one column; each distinct value once when values repeat (industry, stage,
    dates, owners). Booleans are not memoised because True == 1.0 would share a dict slot.
    A column of mostly distinct values (names, codes, phones, addresses) of a type in
    :data:`_KEEPERS` keeps the cells that are already their value without a call; the
    result is exactly ``[conv(c) for c in cells]`` either way (a test compares them)."""
    if len(cells) >= 64:
        distinct = set(cells)
        if len(distinct) * 4 < len(cells) and bool not in set(map(type, distinct)):
            table = {v: conv(v) for v in distinct}
            return [table[v] for v in cells]
    keep = _KEEPERS.get(typ) if typ is not None else None
    if keep is not None:
        return keep(cells, conv)
    return list(map(conv, cells))
