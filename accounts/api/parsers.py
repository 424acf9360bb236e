"""The API's JSON parser (settings.REST_FRAMEWORK ``DEFAULT_PARSER_CLASSES``).

A module of its own: DRF imports the parser classes while ``rest_framework.views`` is
being imported, so this must not import the views (``accounts.api.common`` does).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as DrfJSONParser


class JSONParser(DrfJSONParser):
    """DRF's JSON parser whose error for a malformed body is in the request's language.

    DRF writes "JSON parse error - <Python's message>" without marking it for translation,
    so a zh-hans caller got English whatever its ``Accept-Language``; this says the same
    with the position (line and column of the body) as a translatable text. Raises
    ``ParseError`` (400, ``{"detail": message}``). README, "REST API": errors are in the
    request's language.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        """The decoded JSON value of ``stream``; ParseError when it is not valid JSON."""
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, json.JSONDecodeError):
                message = _("Malformed JSON at line %(line)s, column %(column)s.") % {
                    "line": cause.lineno,
                    "column": cause.colno,
                }
            else:
                message = _("The request body is not valid JSON.")
            raise exceptions.ParseError(message) from cause
