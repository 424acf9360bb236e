from django.utils import translation

from accounts.labels import choices_of, lazy_label
from domain.labels import Labelled


def test_lazy_label_follows_the_active_language():
    label = lazy_label("目标客户", "Target customer")
    with translation.override("en"):
        assert str(label) == "Target customer"
    with translation.override("zh-hans"):
        assert str(label) == "目标客户"


def test_choices_keep_order_and_codes():
    items = (Labelled("a", "甲", "A"), Labelled("b", "乙", "B"))
    choices = choices_of(items)
    assert [c for c, _ in choices] == ["a", "b"]
    with translation.override("en"):
        assert [str(lbl) for _, lbl in choices] == ["A", "B"]
