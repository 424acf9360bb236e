"""The zh-hans catalogue is complete and compiled, so no page mixes languages."""

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, first msgstr, fuzzy) per entry, skipping the header."""
    out = []
    for block in text.split("\n\n"):
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        ids = re.findall(r'^msgid ((?:".*"\n?)+)', block, re.M)
        strs = re.findall(r"^msgstr(?:\[0\])? ((?:\".*\"\n?)+)", block, re.M)
        if not ids:
            continue
        msgid = "".join(re.findall(r'"(.*)"', ids[0]))
        msgstr = "".join(re.findall(r'"(.*)"', strs[0])) if strs else ""
        if msgid:
            out.append((msgid, msgstr, fuzzy))
    return out


def test_every_string_has_a_chinese_translation():
    entries = _entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 500
    missing = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert missing == []


def test_the_compiled_catalogue_is_used():
    with translation.override("zh-hans"):
        assert translation.gettext("Intent reached") == "达成意向"
        assert translation.gettext("Morning meeting") == "晨会"


def test_the_chinese_catalogue_addresses_the_reader_as_nin_only():
    """docs/domain.md section 11: the product says 您 to its reader, never 你 (the compiled
    catalogue, so a text added without the rule fails here)."""
    import gettext

    with (PO.parent / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    texts = [str(v) for v in catalogue.values()]
    assert sum("您" in t for t in texts) > 50
    assert [t for t in texts if "你" in t] == []
