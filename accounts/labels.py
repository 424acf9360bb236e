"""Django's view of the domain package's bilingual labels (docs/architecture.md, "Layers"); the
lowest app layer, so every app's models may build their choices from it.

The domain package keeps plain zh-hans and en strings (``domain.labels``); pages, forms,
model choices and exports need a label in the language of the current request. ``lazy_label``
turns a pair into a lazy string that picks the active language each time it is rendered,
so it can stand in model ``choices`` and module-level tables like ``gettext_lazy`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.encoding import force_str
from django.utils.functional import Promise, lazy
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

from domain.labels import Labelled


def current_label(label_zh: str, label_en: str) -> str:
    """The label for the active language: zh-hans (the fallback) unless English is active
    (any 'en*' code, as ``domain.labels.pick``). Called for every lazy label a page shows
    (hundreds on the morning meeting), so it reads the language once and compares two
    characters instead of normalising the code."""
    lang = get_language()
    return label_en if lang and lang[:2].lower() == "en" else label_zh


_lazy_label = lazy(current_label, str)


def lazy_label(label_zh: str, label_en: str) -> Promise:
    """A lazy string of ``label_zh`` / ``label_en`` resolved at render time (never raises)."""
    return _lazy_label(label_zh, label_en)  # type: ignore[return-value]


def choices_of(items: Iterable[Labelled]) -> list[tuple[str, Promise]]:
    """Django ``choices`` ``[(code, lazy label), ...]`` from domain ``Labelled`` items, in order."""
    return [(i.code, lazy_label(i.label_zh, i.label_en)) for i in items]


def label_of(items: Iterable[Labelled], code: str) -> Promise:
    """The lazy label of ``code`` among domain ``Labelled`` items, for a ``TextChoices``
    member (``LEAD = stages.LEAD, label_of(stages.STAGES, stages.LEAD)``). Raises KeyError
    for a code the domain does not list, so a model cannot carry a code of its own."""
    for item in items:
        if item.code == code:
            return lazy_label(item.label_zh, item.label_en)
    raise KeyError(f"Unknown code {code!r}")


_DISPLAY: dict[object, dict[object, object]] = {}

if TYPE_CHECKING:  # the type checker sees a model; at run time a plain mixin
    from django.db.models import Model as _DisplayBase
else:
    _DisplayBase = object


class FastDisplay(_DisplayBase):
    """Model mixin: ``get_FOO_display()`` through a table built once per field.

    Django's own builds ``dict(make_hashable(field.flatchoices))`` on every call, which
    hashes every choice's lazy label and so resolves each of them (:func:`current_label`):
    a morning meeting showing 85 channel, purpose and stage labels resolved about 700.
    Here the table ``{code: lazy label}`` is built once per field and only the label shown
    is resolved; the result is the same string. Fields' choices are fixed when the models
    load (``choices_of`` over the domain's tables), so the table never goes stale.
    """

    def _get_FIELD_display(self, field: Any) -> Any:  # noqa: N802 - Django's name
        table = _DISPLAY.get(field)
        if table is None:
            table = {make_hashable(code): label for code, label in field.flatchoices}
            _DISPLAY[field] = table
        value = getattr(self, field.attname)
        return force_str(table.get(make_hashable(value), value), strings_only=True)
