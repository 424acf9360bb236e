"""Names for uploaded files that cannot be guessed (docs/architecture.md, "Security").

Uploaded files (customer-list imports, their error workbooks, check-in photos) are stored
under a random name in a folder per kind, keeping only the extension. They are never
served from ``MEDIA_URL``; each is served by a view that checks the viewer's scope first.
"""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.utils.deconstruct import deconstructible


@deconstructible
class UnguessableName:
    """``upload_to`` for a FileField: ``<folder>/<32 random hex digits><.ext>``.

    The extension is kept (lower-cased, letters and digits only, at most 8) so the file's
    type stays recognisable; the user's file name is kept on the row where needed
    (``ImportJob.original_name``), never in the path.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder.strip("/")

    def __call__(self, instance: object, filename: str) -> str:
        suffix = PurePath(filename).suffix.lower()
        if not (1 < len(suffix) <= 9 and suffix[1:].isalnum() and suffix[1:].isascii()):
            suffix = ""
        return f"{self.folder}/{secrets.token_hex(16)}{suffix}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnguessableName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)
