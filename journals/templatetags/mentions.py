"""``highlight_mentions``: a comment's text, escaped, with the @mentions that notified
someone highlighted (the names are the comment's stored mentions)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from domain.mentions import MENTION

register = template.Library()


@register.filter
def highlight_mentions(text: str, usernames: Iterable[str]) -> SafeString:
    """Escape ``text`` and wrap each ``@name`` in ``usernames`` in a highlighted span
    (``<span class="mention">``); other @words stay plain text."""
    names = set(usernames)
    out: list[str] = []
    last = 0
    for match in MENTION.finditer(text):
        name = match.group(1).rstrip(".")
        if name not in names:
            continue
        start, end = match.start(), match.start() + 1 + len(name)
        out.append(str(conditional_escape(text[last:start])))
        out.append(str(format_html('<span class="mention" data-mention="{0}">@{0}</span>', name)))
        last = end
    out.append(str(conditional_escape(text[last:])))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


@register.filter
def comment_text(comment: object) -> SafeString:
    """A comment's text, escaped, with its notifying @mentions highlighted: its
    ``mention_names`` when the view set them, else none (a thread without mentions)."""
    names = getattr(comment, "mention_names", ())
    return highlight_mentions(str(getattr(comment, "text", "")), names)
