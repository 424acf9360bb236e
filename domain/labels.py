"""Bilingual labels: plain zh-hans and en strings, no Django i18n (docs/domain section 11)."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("zh-hans", "en")


@dataclass(frozen=True)
class Labelled:
    """A stored code with its zh-hans and en labels (plain strings)."""

    code: str
    label_zh: str
    label_en: str

    def label(self, lang: str) -> str:
        """The label in ``lang``; see :func:`pick`."""
        return pick(self.label_zh, self.label_en, lang)


def pick(label_zh: str, label_en: str, lang: str) -> str:
    """Choose the label for a language code.

    ``lang`` is a language code such as 'zh-hans', 'zh-Hans', 'zh-cn', 'zh' or 'en', 'en-us';
    any 'zh*' code gives the Chinese label, any 'en*' code the English one.
    Raises ValueError for any other language.
    """
    code = lang.strip().lower().replace("_", "-")
    if code.startswith("zh"):
        return label_zh
    if code.startswith("en"):
        return label_en
    raise ValueError(f"Unsupported language {lang!r}: expected 'zh-hans' or 'en'")
