"""Say the import engine's messages in the user's language.

customers/importing/ and spreadsheets/ are pure Python without Django: they describe a
row problem (:class:`customers.importing.RowError`) or a refused file
(:class:`spreadsheets.messages.FileRefused`) as an English message template (a gettext
msgid marked with ``gettext_noop``) and its values. The service stores both in
``ImportJob.errors`` (``message``, ``params``, and the English ``reason``); pages, the
error workbook, the API and the command translate the template in the active language and
fill in the values here. Nothing is translated by matching the English text afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext

from spreadsheets.messages import FileRefused, Params, render

from .importing import RowError


def say(message: str, params: Params | Mapping[str, object] = ()) -> str:
    """``message`` (an English template) in the active language, filled with ``params``.

    A translation that does not take the values (a damaged catalogue) falls back to the
    English text rather than failing.
    """
    values = dict(params)
    translated = gettext(message) if message else ""
    if not values:
        return translated
    try:
        return translated % values
    except (KeyError, ValueError, TypeError):
        return render(message, values)


def error_entry(row: int, error: RowError, column: str = "") -> dict[str, object]:
    """One rejected-row problem as stored in ``ImportJob.errors``: ``row``, ``field``,
    ``column`` (header text), ``reason`` (English), ``message`` and ``params`` (the
    template and its values, to say it in any language later)."""
    return {
        "row": row,
        "field": error.field,
        "column": column,
        "reason": error.reason,
        "message": error.message,
        "params": dict(error.params),
    }


def translate_reason(reason: RowError | Mapping[str, object] | str) -> str:
    """A row problem in the active language: a RowError, an ``ImportJob.errors`` entry
    (see :func:`error_entry`; an entry stored before templates were kept is shown as it
    was written), or a bare template without values ('required' -> '必填')."""
    if isinstance(reason, RowError):
        return say(reason.message, reason.params)
    if isinstance(reason, Mapping):
        message = reason.get("message")
        if isinstance(message, str) and message:
            params = reason.get("params")
            return say(message, params if isinstance(params, Mapping) else {})
        return str(reason.get("reason") or "")
    return say(str(reason))


def translate_refusal(exc: FileRefused) -> str:
    """A whole-file refusal (FileRefused) in the active language."""
    return say(exc.message, exc.params)
