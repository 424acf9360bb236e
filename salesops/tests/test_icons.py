"""Icons come from the locally served Bootstrap Icons font, never from emoji.

Emoji render as empty boxes on machines without an emoji font, so templates and Python
sources use ``<i class="bi bi-...">`` instead; each icon is either decorative next to text
(``aria-hidden="true"``) or carries its own name for screen readers (``aria-label``).
"""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "node_modules", "vendor", ".git", "locale", "staticfiles"}
# Pictographs, dingbats, geometric shapes and arrows used as symbols; CJK punctuation is fine.
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2190-\u21ff\u2300-\u23ff\u25a0-\u25ff\u2600-\u27bf"
    "\u2b00-\u2bff\ufe0f\u2039\u203a]"
)
ICON = re.compile(r"<i class=\"bi bi-[^\"]+\"([^>]*)>")
# Arrows inside translated sentences ("Revision 1 → 2") are typography, not icons.
ALLOWED = {"→"}
TEST_DATA = ("test_fuzz.py", "test_icons.py")


def _sources():
    for path in ROOT.rglob("*"):
        if SKIP.intersection(path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if path.suffix in {".html", ".py", ".js", ".css"} and path.name not in TEST_DATA:
            yield path


def test_no_emoji_in_templates_or_python():
    found = []
    for path in _sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if path.suffix == ".js" and line.lstrip().startswith(("/*", "//", "*")):
                continue
            hits = set(EMOJI.findall(line)) - ALLOWED
            if hits:
                found.append(f"{path.relative_to(ROOT)}:{number}: {''.join(sorted(hits))}")
    assert found == []


def test_every_icon_is_hidden_or_labelled():
    unlabelled = []
    for path in _sources():
        if path.suffix != ".html":
            continue
        for match in ICON.finditer(path.read_text(encoding="utf-8")):
            attrs = match.group(1)
            if 'aria-hidden="true"' not in attrs and "aria-label=" not in attrs:
                unlabelled.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert unlabelled == []


def test_the_icon_font_is_served_locally():
    assert finders.find("vendor/bootstrap-icons/bootstrap-icons.min.css")
    assert finders.find("vendor/bootstrap-icons/fonts/bootstrap-icons.woff2")
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert "vendor/bootstrap-icons/bootstrap-icons.min.css" in base
