"""Texts of notifications and e-mails kept as a message code (the English msgid) with
values, and rendered in the reader's language when shown or sent.

A sender writes ``notice(gettext_noop("Your journal of %(day)s was reviewed"), day="...")``
instead of a translated string; ``accounts.services.notification_send`` stores it as
``{"msgid": ..., "params": {...}}`` in ``Notification.message`` (a value may itself be a
:class:`Notice`, e.g. a stage label) and the list page, the API and the e-mail render it
with :func:`render` in the reader's language (``User.language``, see :func:`language_of`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import get_language, gettext

from domain.labels import Labelled, pick

from .wording import join_items

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """A message code (an English msgid with ``%(name)s`` placeholders) and its values."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """``{"msgid": str, "params": {name: value or nested message}}``, JSON-ready."""
        return {
            "msgid": self.msgid,
            "params": {
                k: v.as_json() if isinstance(v, Notice) else v for k, v in self.params.items()
            },
        }

    def __str__(self) -> str:
        return render(self.as_json())


def notice(msgid: str, **params: Any) -> Notice:
    """A :class:`Notice`; mark ``msgid`` with ``gettext_noop`` so it reaches the catalogue."""
    return Notice(msgid, params)


def label_value(item: Labelled) -> dict[str, str]:
    """A domain label (``domain.labels.Labelled``: a symptom, a stage) as a message value
    ``{"label_zh": str, "label_en": str}``, shown in the reader's language by :func:`render`
    (domain labels are plain zh/en pairs, not catalogue entries)."""
    return {"label_zh": item.label_zh, "label_en": item.label_en}


def render(data: Any) -> str:
    """A stored message in the active language: a plain string as it is, a
    ``{"msgid", "params"}`` dict translated and filled in (nested messages first; a list
    parameter, such as the names a chase lists, joined in the active language by
    ``accounts.wording.join_items``: "丁勇、马芳" / "Ding Yong, Ma Fang"; a domain label
    from :func:`label_value` in the active language). A message whose
    values do not fit its text gives the untranslated text filled in, never an error."""
    if isinstance(data, Notice):
        data = data.as_json()
    if isinstance(data, dict) and "label_zh" in data:
        lang = get_language() or settings.LANGUAGE_CODE
        return pick(str(data["label_zh"]), str(data.get("label_en", "")), lang)
    if not isinstance(data, dict) or "msgid" not in data:
        return "" if data is None else str(data)
    params = {k: _param(v) for k, v in (data.get("params") or {}).items()}
    msgid = str(data["msgid"])
    try:
        return gettext(msgid) % params if params else gettext(msgid)
    except (KeyError, ValueError, TypeError):
        log.warning("notification text %r does not fit its values", msgid)
        try:
            return msgid % params
        except (KeyError, ValueError, TypeError):
            return msgid


def _param(value: Any) -> Any:
    """One parameter of a stored message in the active language (see :func:`render`)."""
    if isinstance(value, dict) and ("msgid" in value or "label_zh" in value):
        return render(value)
    if isinstance(value, list | tuple):
        return join_items(_param(v) for v in value)
    return value


def language_of(user: Any) -> str:
    """The language to write to ``user`` in: their saved ``language``, else the site's."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE
