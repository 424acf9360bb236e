"""Industry labels in both languages; stored values unchanged (docs/domain, section 5)."""

from __future__ import annotations

import pytest

from domain.industries import SECTIONS, industry_label, industry_stored


@pytest.mark.parametrize(
    ("stored", "english"),
    [
        ("C 制造业", "C Manufacturing"),
        ("J 金融业", "J Finance"),
        ("D 水电煤气", "D Electricity, heat, gas and water"),
        ("制造业", "Manufacturing"),
        ("信息传输、软件和信息技术服务业", "Information technology"),
        ("  I   信息技术 ", "I Information technology"),
        ("汽车零部件", "汽车零部件"),  # free text naming no section stays as it is
        ("C 金融业", "C 金融业"),  # a letter that disagrees with the name is not guessed
        ("", ""),
    ],
)
def test_a_stored_industry_reads_in_both_languages(stored: str, english: str) -> None:
    assert industry_label(stored, "en") == english
    assert industry_label(stored, "zh-hans") == stored


def test_every_section_has_distinct_names_in_both_languages() -> None:
    assert [s.code for s in SECTIONS] == list("ABCDEFGHIJKLMNOPQRS")
    english = [s.label_en for s in SECTIONS]
    assert len(set(english)) == len(english)
    assert len({s.short_zh for s in SECTIONS}) == len(SECTIONS)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("C Manufacturing", "C 制造业"),
        ("c manufacturing", "c manufacturing"),  # the letter is upper case in labels
        ("Manufacturing", "制造业"),
        ("finance", "金融业"),
        ("C 制造业", "C 制造业"),
        ("C", "C"),
        ("Widgets", "Widgets"),
    ],
)
def test_an_english_label_is_stored_as_the_chinese_form(text: str, stored: str) -> None:
    assert industry_stored(text) == stored


def test_every_english_section_label_goes_back_to_its_chinese_form() -> None:
    for section in SECTIONS:
        lettered = f"{section.code} {section.short_zh}"
        assert industry_stored(industry_label(lettered, "en")) == lettered
        assert industry_stored(industry_label(section.short_zh, "en")) == section.short_zh


def test_another_language_is_refused() -> None:
    with pytest.raises(ValueError, match="Unsupported language"):
        industry_label("C 制造业", "fr")
