"""@mentions in comments: ``@username`` not preceded by a word character or a dot (so an
e-mail address is not a mention). Pure."""

from __future__ import annotations

import re

MENTION = re.compile(r"(?<![\w.])@([\w.+-]+)")


def mentioned_usernames(text: str) -> list[str]:
    """Usernames mentioned as ``@username`` in ``text``, in order, without duplicates
    (a trailing dot, the end of a sentence, is not part of the name)."""
    seen: dict[str, None] = {}
    for name in MENTION.findall(text):
        seen.setdefault(name.rstrip("."), None)
    return list(seen)
