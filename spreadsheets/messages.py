"""Messages of the pure spreadsheet and import code, as templates with values (pure: no
Django, no app imports).

Code below Django cannot translate, so it says what went wrong as an English message
template (the gettext msgid) and the values that fill it. ``str()`` gives the English
text; the layer that knows the user's language translates the template and fills in the
values (``customers.import_messages``). Templates are marked with :func:`gettext_noop`,
which ``makemessages`` extracts like Django's own.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["FileRefused", "Params", "gettext_noop", "render"]

Params = tuple[tuple[str, str | int], ...]
"""A message's values as ``((name, value), ...)``: hashable, and JSON-friendly once made a
dict (``dict(params)``)."""


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it (what Django's
    ``gettext_noop`` does, without importing Django)."""
    return message


def render(message: str, params: Params | Mapping[str, object] = ()) -> str:
    """``message % params`` (English), or ``message`` as it is when there are no values."""
    values = dict(params)
    return message % values if values else message


class FileRefused(Exception):
    """The file as a whole cannot be imported; ``str(e)`` is the user-facing English text.

    ``message``: the template (a gettext msgid); ``params``: its values, so a caller can
    say it in the user's language: ``gettext(e.message) % dict(e.params)``.

    Raised for: files over ``max_bytes``, empty files, HTML or XML saved as .xls,
    password-protected or unreadable workbooks, zip bombs and XML with DTDs/entities,
    undecodable text, an unknown sheet name, and a sheet with no rows.
    """

    def __init__(self, message: str, **params: str | int) -> None:
        self.message = message
        self.params: Params = tuple(params.items())
        super().__init__(render(message, self.params))
