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


def credit_code_problem(code: str) -> tuple[str, dict[str, str | int]] | None:
    """Why ``code`` (already stripped and upper-cased) is not a valid code, as an English
    message template (gettext_noop) and its values (``value``: the code as given, ``n``:
    its length), or None when it is valid. An empty code is valid (the field is
    optional). Never raises."""
    if not code:
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
