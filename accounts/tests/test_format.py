"""Calendar-day distances and metres/kilometres in both languages (accounts.templatetags)."""

import pytest
from django.utils import translation

from accounts.templatetags.salesops_format import days_ago, distance


@pytest.mark.parametrize(
    ("days", "zh", "en"),
    [
        (0, "今天", "today"),
        (1, "昨天", "yesterday"),
        (-1, "明天", "tomorrow"),
        (3, "3 天前", "3 days ago"),
        (-2, "2 天后", "in 2 days"),
        (None, "", ""),
    ],
)
def test_days_read_as_people_say_them(days, zh, en):
    with translation.override("zh-hans"):
        assert days_ago(days) == zh
    with translation.override("en"):
        assert days_ago(days) == en


@pytest.mark.parametrize(
    ("metres", "zh", "en"),
    [
        (0, "0 米", "0 m"),
        (850, "850 米", "850 m"),
        (1952, "2.0 公里", "2.0 km"),
        (1500, "1.5 公里", "1.5 km"),
        (1952933, "1953 公里", "1,953 km"),  # grouping as each locale writes it
        (None, "", ""),
    ],
)
def test_distances_in_metres_or_kilometres_in_the_viewers_language(metres, zh, en):
    with translation.override("zh-hans"):
        assert distance(metres) == zh
    with translation.override("en"):
        assert distance(metres) == en
