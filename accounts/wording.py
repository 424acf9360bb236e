"""Separators of running text in the active language: a label and its value ("丁勇：…" in
Chinese, "Ding Yong: …" in English) and the items of a list ("拜访客户数、有效客户数" /
"visits, effective customers"). Chinese text takes full-width punctuation, so the
separators are translatable strings (msgctxt "label separator" / "list separator") and
every page, export and notification builds such text through these functions or the
``label_sep`` tag and ``join_items`` filter of ``salesops_format`` (docs/architecture.md,
Conventions, "i18n")."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def label_separator() -> str:
    """What goes between a label and its value: ``": "`` in English, ``"："`` in Chinese."""
    return pgettext("label separator", ": ")


def list_separator() -> str:
    """What goes between the items of a list: ``", "`` in English, ``"、"`` in Chinese."""
    return pgettext("list separator", ", ")


def join_items(items: Iterable[object]) -> str:
    """The items as text joined with :func:`list_separator` ("" for none)."""
    return list_separator().join(str(item) for item in items)


def labelled(label: object, value: object) -> str:
    """``label`` and ``value`` joined with :func:`label_separator` ("丁勇：未达计划")."""
    return f"{label}{label_separator()}{value}"
