"""The fast credit-code check agrees with python-stdnum (docs/domain, section 5)."""

from __future__ import annotations

import random

import pytest
from stdnum.cn import uscc

from domain.credit_codes import (
    WRONG_CHARACTERS,
    WRONG_CHECK,
    WRONG_LENGTH,
    credit_code_problem,
    credit_code_valid,
)

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _valid_code(rng: random.Random) -> str:
    head = "".join(rng.choice("0123456789") for _ in range(8))
    head += "".join(rng.choice(_ALPHABET) for _ in range(9))
    return head + uscc.calc_check_digit(head)


def test_fast_check_agrees_with_stdnum_on_valid_and_mangled_codes() -> None:
    rng = random.Random(13)
    letters = _ALPHABET + "IOZSVa -"
    valid_seen = invalid_seen = 0
    for _ in range(3000):
        code = _valid_code(rng)
        variants = [code]
        position = rng.randrange(18)
        variants.append(code[:position] + rng.choice(letters) + code[position + 1 :])
        variants.append(code[:-1])
        variants.append(code + rng.choice(_ALPHABET))
        for variant in variants:
            # stdnum also drops spaces and hyphens and upper-cases; the fast check takes
            # the code as credit_code_problem gets it and leaves the rest to stdnum.
            clean = "-" not in variant and " " not in variant and variant.upper() == variant
            expected = uscc.is_valid(variant) and clean
            assert credit_code_valid(variant) is expected, variant
            valid_seen += expected
            invalid_seen += not expected
    assert valid_seen > 3000
    assert invalid_seen > 6000


def test_problem_is_none_exactly_when_stdnum_accepts() -> None:
    rng = random.Random(5)
    for _ in range(500):
        code = _valid_code(rng)
        position = rng.randrange(18)
        mangled = code[:position] + rng.choice(_ALPHABET + "IOa") + code[position + 1 :]
        assert (credit_code_problem(mangled) is None) is uscc.is_valid(mangled)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91440300MA5FUTPX1P", None),
        ("91440300MA5FUTPX1Q", WRONG_CHECK),
        ("91440300MA5FUTPX1", WRONG_LENGTH),
        ("9144030OMA5FUTPX1P", WRONG_CHARACTERS),
        ("91440300MA5FUTPXIP", WRONG_CHARACTERS),
        ("", None),
    ],
)
def test_problem_messages_unchanged(code: str, message: str | None) -> None:
    problem = credit_code_problem(code)
    assert (problem[0] if problem else None) == message
