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


def test_fast_display_gives_djangos_labels_in_both_languages():
    """accounts.labels.FastDisplay: get_FOO_display() as Django's own, in each language,
    for a known code, an unknown code and an empty one."""
    from django.db.models import Model
    from django.utils import translation

    from journals.models import Visit

    field = Visit._meta.get_field("purpose")
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for code in [c for c, _ in field.flatchoices] + ["no-such-code", ""]:
                visit = Visit(purpose=code)
                assert visit.get_purpose_display() == Model._get_FIELD_display(visit, field)  # type: ignore[attr-defined]
    with translation.override("en"):
        assert Visit(purpose="first").get_purpose_display() != ""
