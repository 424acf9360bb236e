"""Search by pinyin (docs/domain, section 5, "Search by pinyin"): initials match from a word
start, full pinyin from a syllable start; never anywhere in the middle ('tcl' must not find
上海新阳半导体材料)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.scoping import scope_for
from customers.models import Customer
from customers.pinyin import (
    _tokens,
    pinyin_pattern,
    pinyin_q,
    pinyin_query,
    pinyin_span,
    search_text,
    syllable_text,
)
from customers.selectors import customer_queryset, customer_search
from customers.services import customer_update
from customers.tests.factories import make_customer

XINYANG = "上海新阳半导体材料"
TCL = "TCL科技集团股份有限公司"


def finds(query: str, name: str, short_name: str = "") -> bool:
    pattern = pinyin_pattern(query)
    assert pattern is not None
    return re.search(pattern, search_text(name, short_name)) is not None


def test_syllable_text_marks_words_syllables_and_latin_letters():
    assert syllable_text(XINYANG) == "|shang'hai|xin|yang|ban'dao'ti|cai|liao"
    assert syllable_text("ＴＣＬ（中国）360 Apple") == "|t.c.l|zhong'guo|3.6.0|a.p.p.l.e"
    assert syllable_text("重庆啤酒") == "|chong'qing|pi|jiu"  # the phrase's reading, not zhong
    assert syllable_text("") == ""
    assert syllable_text("（）") == ""


@pytest.mark.parametrize("query", ["shxy", "SHXY", "xy", "bdtcl", "cl", "sh xy"])
def test_initials_from_a_word_start_find_the_name(query):
    assert finds(query, XINYANG)


@pytest.mark.parametrize("query", ["tcl", "dt", "hxy", "ai", "dtcl"])
def test_initials_from_inside_a_word_do_not(query):
    assert not finds(query, XINYANG)


def test_tcl_finds_tcl_and_not_the_semiconductor_company():
    assert finds("tcl", TCL)
    assert finds("tclkj", TCL)
    assert not finds("tcl", XINYANG)
    assert not finds("cl", TCL)  # a letter inside the Latin word TCL is no word start


@pytest.mark.parametrize("query", ["shanghai", "xinyang", "haixin", "shangh", "cailiao", "ti"])
def test_full_pinyin_from_a_syllable_start_finds_the_name(query):
    assert finds(query, XINYANG)


@pytest.mark.parametrize("query", ["anghai", "hangh", "inyang", "shanghaix1"])
def test_full_pinyin_from_inside_a_syllable_does_not(query):
    assert not finds(query, XINYANG)


def test_no_match_runs_from_the_name_into_the_short_name():
    assert finds("tf", "深圳腾飞科技有限公司", "腾飞")
    assert not finds("gsqt", "深圳腾飞科技有限公司", "腾飞")  # 公司 then 腾
    assert not finds("sitengfei", "深圳腾飞科技有限公司", "腾飞")


@pytest.mark.parametrize("query", ["", "  ", "深圳", "a%b", "a\x00", "x" * 65, "é", "上海sh"])
def test_no_pinyin_query_gives_no_pattern(query):
    assert pinyin_query(query) is None
    assert pinyin_pattern(query) is None


@pytest.mark.parametrize(
    ("text", "query", "marked"),
    [
        (XINYANG, "xy", "新阳"),
        (XINYANG, "shanghai", "上海"),
        (XINYANG, "haixin", "海新"),
        (XINYANG, "shangh", "上海"),
        (XINYANG, "bdtcl", "半导体材料"),
        (TCL, "tclkj", "TCL科技"),
        ("TCL（深圳）360 Apple", "sz", "深圳"),
        ("TCL（深圳）360 Apple", "360", "360"),
        ("TCL（深圳）360 Apple", "apple", "Apple"),
    ],
)
def test_pinyin_span_marks_the_characters_matched(text, query, marked):
    span = pinyin_span(text, query)
    assert span is not None
    assert text[span[0] : span[1]] == marked


def test_pinyin_span_is_none_without_a_match_or_when_nfkc_changes_the_length():
    assert pinyin_span(XINYANG, "tcl") is None
    assert pinyin_span(XINYANG, "深圳") is None
    assert pinyin_span("㈱上海", "sh") is None  # NFKC turns ㈱ into three characters


@pytest.mark.django_db
def test_the_database_applies_the_same_rule(org):
    make_customer(org.rep, name=XINYANG)
    make_customer(org.rep, name=TCL)
    make_customer(org.rep, name="深圳腾飞科技有限公司")
    rows = customer_queryset(scope_for(org.rep))

    def found(query: str) -> list[str]:
        return sorted(c.name for c in rows.filter(pinyin_q(query)))

    assert found("tcl") == [TCL]
    assert found("sztf") == ["深圳腾飞科技有限公司"]
    assert found("shanghai") == [XINYANG]
    assert found("yxgs") == sorted([TCL, "深圳腾飞科技有限公司"])
    assert found("anghai") == []
    assert found("深圳") == []
    # the pickers' search goes through the same rule
    assert [c.name for c in customer_search(scope=scope_for(org.rep), q="tcl")] == [TCL]


@pytest.mark.django_db
def test_renaming_refreshes_the_search_text(org):
    customer = make_customer(org.rep, name=XINYANG)
    customer_update(by=org.rep, customer=customer, name=TCL)
    assert Customer.objects.get(pk=customer.pk).pinyin_search.startswith("|t.c.l|ke|ji")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("上海新阳半导体材料重庆腾飞科技有限公司TCL tcl（）360-·Ａ㈱")
        ),
        max_size=30,
    )
)
def test_the_highlight_tokens_join_to_the_stored_search_text(text):
    assert "".join(token for token, _at in _tokens(text)) == syllable_text(text)
