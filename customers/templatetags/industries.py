"""``{{ customer.industry|industry }}``: a stored industry in the reader's language
(``domain.industries.industry_label``; docs/domain, section 5). The stored value is unchanged."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from domain.industries import industry_label

register = template.Library()


def viewer_language() -> str:
    """'en' when English is active, else 'zh-hans' (the site's language)."""
    return "en" if (get_language() or "").lower().startswith("en") else "zh-hans"


@register.filter(name="industry")
def industry(value: object) -> str:
    """The industry text ``value`` ('' for None) as the active language says it."""
    return industry_label(str(value or ""), viewer_language())
