"""Display forms shared by every app: calendar-day distances, distances in metres and the
separators of running text in the active language (``label_sep``, ``join_items``).

``{% load salesops_format %}``; the texts are in the viewer's active language.
"""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import wording

register = template.Library()


@register.simple_tag
def label_sep() -> str:
    """The separator between a label and its value in the active language (": " / "：";
    accounts.wording.label_separator)."""
    return wording.label_separator()


@register.filter
def join_items(items: object) -> str:
    """A list joined in the active language (", " / "、"; accounts.wording.join_items)."""
    if isinstance(items, str) or not hasattr(items, "__iter__"):
        return "" if items is None else str(items)
    return wording.join_items(items)


#: From this many metres a distance reads in kilometres.
KM_FROM_M = 1000


@register.filter
def days_ago(days: int | None) -> str:
    """A distance in calendar days as people say it: 今天 / 昨天 / 明天 / 3 天前 / 2 天后.

    ``days`` is today's local date minus the other date's (positive = in the past);
    None gives "". Never "0 天前" or "-1 天前".
    """
    if days is None:
        return ""
    days = int(days)
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    if days == -1:
        return _("tomorrow")
    if days > 0:
        return ngettext("%(n)s day ago", "%(n)s days ago", days) % {"n": days}
    return ngettext("in %(n)s day", "in %(n)s days", -days) % {"n": -days}


@register.filter
def distance(metres: int | float | None) -> str:
    """A distance in the viewer's language: "850 m" / "850 米" below 1 km, else kilometres
    with one decimal below 100 km ("1.9 km" / "1.9 公里") and whole kilometres above
    ("1,953 km"). None gives ""."""
    if metres is None:
        return ""
    value = float(metres)
    if value < KM_FROM_M:
        return _("%(n)s m") % {"n": number_format(round(value), force_grouping=True)}
    km = value / 1000
    digits = 1 if km < 100 else 0
    shown = number_format(round(km, digits), decimal_pos=digits, force_grouping=True)
    return _("%(n)s km") % {"n": shown}
