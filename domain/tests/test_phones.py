"""The one phone rule and stored form (domain.phones; docs/domain, section 5, Imports)."""

from __future__ import annotations

import pytest

from domain.phones import NEGATIVE_PHONE, NOT_A_PHONE, phone_normalised


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800138001", "13800138001"),
        ("138-0013-8001", "13800138001"),
        ("+86 138 0013 8001", "13800138001"),
        ("008613800138001", "13800138001"),
        ("8613800138001", "13800138001"),
        ("010-12345678", "010-12345678"),
        ("(010)12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("+86 10 12345678", "010-12345678"),
        ("0755 8888 8888", "0755-88888888"),
        ("０７５５－８８８８８８８８", "0755-88888888"),
        ("075588888888转12", "0755-88888888转12"),
        ("010-12345678 ext 5", "010-12345678转5"),
        ("400-800-1234", "4008001234"),
        ("95588", "95588"),
        ("+44 20 7123 4567", "+442071234567"),
        ("0044 20 7123 4567", "+442071234567"),
        ("", ""),
    ],
)
def test_an_accepted_phone_has_one_stored_form_which_is_its_own(typed: str, stored: str) -> None:
    assert phone_normalised(typed) == (stored, None)
    assert phone_normalised(stored) == (stored, None)  # stable: an export imports back


def test_a_leading_minus_is_refused_with_its_reason() -> None:
    assert phone_normalised("-13500135002") == (None, (NEGATIVE_PHONE, {"value": "'-13500135002'"}))


@pytest.mark.parametrize("typed", ["12345", "1380013800", "+86 0755 8888 8888", "abc"])
def test_other_text_is_refused_with_the_forms_accepted(typed: str) -> None:
    stored, problem = phone_normalised(typed)
    assert stored is None
    assert problem is not None
    assert problem[0] == NOT_A_PHONE
