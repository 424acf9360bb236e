"""The import's one-pass search fields equal the two the services derive
(``customers.pinyin.derived_search_fields``; docs/domain, section 5, "Search by pinyin")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customers.pinyin import derived_initials, derived_search_fields, search_text

NAMES = [
    ("上海新阳半导体材料股份有限公司", "上海新阳"),
    ("重庆啤酒股份有限公司", ""),
    ("TCL科技集团股份有限公司", "TCL科技"),
    ("ＴＣＬ（中国）360 Apple", "ＴＣＬ"),  # not NFKC-normal: the two-pass path
    ("深圳市腾飞远航科技有限公司", "腾飞"),
    ("", ""),
    ("（）", "x"),
    ("A" * 300, "长名"),  # initials are cut to 200 characters
    # The last TAIL_CHARS characters come from a cache: a Latin run across that boundary,
    # a phrase that starts before it, a rest that is only a phrase prefix.
    ("上海AB12CD34EF56", "AB"),
    ("中国石油天然气股份有限公司", ""),
    ("深圳腾飞华信科技股份有限公司", "腾飞华信"),
    ("xy长银行长银行长银", ""),
]


@pytest.mark.parametrize(("name", "short_name"), NAMES)
def test_one_pass_fields_equal_the_services_fields(name, short_name):
    assert derived_search_fields(name, short_name) == (
        derived_initials(name, short_name),
        search_text(name, short_name),
    )


@given(
    st.text(alphabet="上海新阳重庆啤酒长银行 TCLabc123（）-·Ａ有限公司科技股份", max_size=30),
    st.text(alphabet="上海新阳TCL ", max_size=8),
)
def test_one_pass_fields_equal_the_services_fields_for_any_name(name, short_name):
    assert derived_search_fields(name, short_name) == (
        derived_initials(name, short_name),
        search_text(name, short_name),
    )
