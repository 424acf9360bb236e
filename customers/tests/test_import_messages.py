"""The import engine's English messages are shown in the user's language."""

from django.utils import translation

from customers.import_messages import translate_reason, translate_refusal
from customers.importing import FileRefused, detect_format


def test_row_reasons_are_translated_with_their_values():
    with translation.override("zh-hans"):
        assert translate_reason("required") == "必填"
        ambiguous = translate_reason(
            "'03/04/2024' is ambiguous (day/month or month/day); choose the date order and "
            "import again"
        )
        assert ambiguous.startswith("'03/04/2024'")
        assert "日期顺序" in ambiguous
        assert translate_reason("not an amount: 'abc'") == "不是金额：'abc'"
    with translation.override("en"):
        assert translate_reason("not an amount: 'abc'") == "not an amount: 'abc'"


def test_an_unknown_reason_is_shown_as_it_is():
    with translation.override("zh-hans"):
        assert translate_reason("something new") == "something new"


def test_a_refused_html_file_is_explained_in_chinese():
    try:
        detect_format(b"<html><body><table></table></body></html>")
    except FileRefused as exc:
        refusal = exc
    with translation.override("zh-hans"):
        assert "网页" in translate_refusal(refusal)
