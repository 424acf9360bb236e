"""Which project documents are accepted (docs/architecture.md, "Security"): PDF and Office
files only, recognised from their bytes and their name together, within a size limit.

The user's file name is kept on the version row only; the stored name is random
(``accounts.uploads.UnguessableName``) and is checked to stay inside the storage folder.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF = b"%PDF-"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, .xls, .ppt
ZIP = b"PK\x03\x04"  # .docx, .xlsx, .pptx

#: Extension -> (content type, how the bytes start, the OOXML part folder or "").
ACCEPTED: dict[str, tuple[str, bytes, str]] = {
    ".pdf": ("application/pdf", PDF, ""),
    ".doc": ("application/msword", OLE, ""),
    ".xls": ("application/vnd.ms-excel", OLE, ""),
    ".ppt": ("application/vnd.ms-powerpoint", OLE, ""),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
        "word/",
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP, "xl/"),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ZIP,
        "ppt/",
    ),
}


@dataclass(frozen=True)
class Accepted:
    """An accepted upload: its content type and a clean display name."""

    content_type: str
    display_name: str


def display_name(name: str) -> str:
    """The user's file name without any folder part, at most 200 characters."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip() or "document"
    return base[-200:]


def check_document(*, name: str, data: bytes, max_bytes: int) -> Accepted:
    """Accept a PDF or Office file of at most ``max_bytes`` bytes.

    ``name``: the user's file name; ``data``: the whole file. Raises ValidationError (key
    ``file``) naming the file and the reason: empty, too large, a type other than PDF or
    Office, or bytes that do not match the name's type.
    """
    shown = display_name(name)
    if not data:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": shown}})
    if len(data) > max_bytes:
        raise ValidationError(
            {
                "file": _("%(name)s is %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "name": shown,
                    "size": f"{len(data) / 1048576:.1f}",
                    "limit": f"{max_bytes / 1048576:.0f}",
                }
            }
        )
    suffix = PurePosixPath(shown).suffix.lower()
    if suffix not in ACCEPTED:
        raise ValidationError(
            {
                "file": _(
                    "%(name)s is not accepted: upload a PDF or an Office file "
                    "(.pdf, .doc, .docx, .xls, .xlsx, .ppt, .pptx)."
                )
                % {"name": shown}
            }
        )
    content_type, magic, folder = ACCEPTED[suffix]
    if not data.startswith(magic) or (folder and not _ooxml_has(data, folder)):
        raise ValidationError(
            {
                "file": _("%(name)s is not a real %(type)s file.")
                % {"name": shown, "type": suffix[1:].upper()}
            }
        )
    return Accepted(content_type=content_type, display_name=shown)


def _ooxml_has(data: bytes, folder: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def stored_name_is_safe(stored: str, folder: str) -> bool:
    """True when a stored file name is a plain name inside ``folder`` (no ``..``, no
    absolute path, no other folder): what the storage may open."""
    path = PurePosixPath(stored)
    return (
        not path.is_absolute()
        and len(path.parts) == 2
        and path.parts[0] == folder
        and path.parts[1] not in {"", ".", ".."}
        and "\\" not in stored
    )
