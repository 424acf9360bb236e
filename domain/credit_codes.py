"""Unified social credit codes (统一社会信用代码) of GB 32100-2015 (docs/domain, section 5).

A code is 18 characters from ``0-9`` and the capital letters but I, O, Z, S and V: the
registering authority, the entity type, the 6-digit region, the 9-character organisation
code, and a check character. The check character is ``31 - (sum of value(c_i) * w_i) mod
31`` over the first 17 characters with the weights ``3^(i-1) mod 31`` (GB 32100-2015,
section 5 and annex, the character values 0-30 of its table). The algorithm is python-stdnum's
``stdnum.cn.uscc``, a maintained implementation of the standard; this module only turns its
exceptions into the message templates the import, the customer form and the API show.
"""

from __future__ import annotations

import re
from operator import mul

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from spreadsheets.messages import gettext_noop

LENGTH = 18

WRONG_LENGTH = gettext_noop(
    "not a unified social credit code: %(value)s has %(n)d characters; a code has 18"
)
WRONG_CHARACTERS = gettext_noop(
    "not a unified social credit code: %(value)s may only hold digits and capital letters "
    "other than I, O, Z, S and V"
)
WRONG_CHECK = gettext_noop(
    "not a unified social credit code: the check character of %(value)s is wrong (GB 32100-2015)"
)


_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the 31 characters of GB 32100-2015
_VALUES = {c: i for i, c in enumerate(_ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31, i = 1..17
_SHAPE = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}").fullmatch


def credit_code_valid(code: str) -> bool:
    """Whether ``code`` (stripped and upper-cased, non-empty) is a valid code: 8 digits,
    10 characters of the alphabet and the right check character (GB 32100-2015, section 5
    and annex). One precompiled pattern and a table, the same answer as
    ``stdnum.cn.uscc.is_valid`` for such a code (a test compares them) at about a
    twentieth of its cost; :func:`credit_code_problem` says why a code is refused.
    Never raises."""
    if _SHAPE(code) is None:
        return False
    total = sum(map(mul, map(_VALUES.__getitem__, code[:17]), _WEIGHTS))
    return code[17] == _ALPHABET[(31 - total) % 31]


def credit_code_problem(code: str) -> tuple[str, dict[str, str | int]] | None:
    """Why ``code`` (already stripped and upper-cased) is not a valid code, as an English
    message template (gettext_noop) and its values (``value``: the code as given, ``n``:
    its length), or None when it is valid. An empty code is valid (the field is
    optional). Never raises."""
    if not code or credit_code_valid(code):
        return None
    params: dict[str, str | int] = {"value": code}
    try:
        uscc.validate(code)
    except InvalidLength:
        return WRONG_LENGTH, {**params, "n": len(code)}
    except InvalidChecksum:
        return WRONG_CHECK, params
    except (InvalidFormat, ValidationError):
        if len(code) != LENGTH:
            return WRONG_LENGTH, {**params, "n": len(code)}
        return WRONG_CHARACTERS, params
    return None
