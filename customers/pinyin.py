"""Pinyin of customer names (docs/domain, section 5, "Search by pinyin"):

- ``pinyin_initials``, the sort field: '深圳腾飞' -> 'sztf';
- ``pinyin_search``, the search field: the name's syllables with their word and syllable
  boundaries ('上海新阳半导体材料' -> "|shang'hai|xin|yang|ban'dao'ti|cai|liao"), matched by
  :func:`pinyin_pattern`: initials from a word start, full pinyin from a syllable start.

Cached and segmented as pypinyin does, fast enough for a 100,000-row import."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from django.db.models import Q
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT
from pypinyin.seg import mmseg


@lru_cache(maxsize=200_000)
def _word_initials(word: str) -> str:
    letters = lazy_pinyin(word, style=Style.FIRST_LETTER, errors=_keep_characters)
    return "".join(ch for part in letters for ch in part.lower() if ch.isalnum())


def _keep_characters(text: str) -> Any:
    """pypinyin's ``errors`` callback: characters without pinyin stay as they are (it
    accepts a list of strings, although its stubs say str)."""
    return list(text)


def pinyin_initials(text: str) -> str:
    """Lower-case pinyin initials of ``text``: '深圳腾飞' -> 'sztf'. Latin letters and digits
    are kept as they are (lower-cased); other characters are dropped.

    The text is cut into words with pypinyin's own segmenter (so heteronyms in phrases,
    like 重庆 -> 'cq', stay right) and each word's initials are cached: company names share
    most of their words, which makes a 100,000-row import about 9x faster here.
    """
    return _initials_from(text)


_PREFIXES: set[str] = mmseg.p_set._set


def _initials_from(text: str) -> str:
    """The initials of ``text``, word by word (:func:`_words`)."""
    return "".join(_word_initials(word) for word in _words(text))


def _words(text: str) -> list[str]:
    """pypinyin's strict forward-maximum-matching segmenter (``mmseg.seg.cut``), inlined
    over its own prefix set and phrase dictionary: the same words, without a generator
    and a method call per character (a test compares the two)."""
    out: list[str] = []
    remain = text
    while remain:
        word = _next_word(remain)
        if not word:  # the whole rest is a phrase prefix without a phrase: char by char
            out.extend(remain)
            break
        out.append(word)
        remain = remain[len(word) :]
    return out


HEAD_CHARS = 3
"""The first word of a text is cached by its first this many characters when they decide it
(:func:`_next_word`)."""
_HEAD_WORDS_MAX = 100_000
_head_words: dict[str, str] = {}


def _next_word(remain: str) -> str:
    """The first word of non-empty ``remain`` by forward maximum matching: its longest
    prefix that is a phrase, else its first character; "" when the whole of ``remain`` is a
    phrase prefix containing no phrase (the segmenter then cuts it char by char).

    When the prefixes stop being phrase prefixes within the first :data:`HEAD_CHARS`
    characters of a longer ``remain``, those characters alone decide the word: it is kept
    by them (at most ``_HEAD_WORDS_MAX`` of them), so names that share a start (a city, a
    common word) are matched once, not character by character every time."""
    long = len(remain) > HEAD_CHARS
    if long:
        known = _head_words.get(remain[:HEAD_CHARS])
        if known is not None:
            return known
    last_valid = ""
    for i in range(1, len(remain) + 1):
        word = remain[:i]
        if word not in _PREFIXES:
            if long and i <= HEAD_CHARS and len(_head_words) < _HEAD_WORDS_MAX:
                _head_words[remain[:HEAD_CHARS]] = last_valid or remain[0]
            break
        if word in PHRASES_DICT:
            last_valid = word
    else:
        if not last_valid:
            return ""
    return last_valid or remain[0]


def derived_initials(name: str, short_name: str) -> str:
    """The ``pinyin_initials`` search field of a customer: the initials of the name, then
    (after a space) of the short name when there is one, cut to 200 characters."""
    initials = pinyin_initials(name)
    if short_name:
        initials = f"{initials} {_short_initials(short_name)}"
    return initials[:200]


@lru_cache(maxsize=50_000)
def _short_initials(short_name: str) -> str:
    # Short names repeat across a list far more than full names (imports).
    return pinyin_initials(short_name)


# ---------------------------------------------------------------------------
# The search field and its pattern (docs/domain, section 5, "Search by pinyin")
# ---------------------------------------------------------------------------

WORD_MARK = "|"
"""Starts a word: a Chinese word as the segmenter cuts it, or a run of Latin letters and
digits."""
SYLLABLE_MARK = "'"
"""Starts a syllable inside a Chinese word."""
LETTER_MARK = "."
"""Starts a letter or digit inside a Latin run (an initial of its own, never a syllable)."""
NAME_BREAK = " "
"""Separates the name from the short name: no match runs across it."""

MAX_QUERY_LETTERS = 64
"""A longer query is no pinyin (it still matches names, codes and phones as text)."""

_QUERY_DROPS = str.maketrans("", "", " '’-_")
_NOT_MARK = "[^|'. ]*"
_ANY_MARK = "[|'.]"


@lru_cache(maxsize=200_000)
def _word_syllables(word: str) -> tuple[str, ...]:
    """Lower-case ASCII syllables of one segmented word, one per character ('' for a
    character without pinyin that is no ASCII letter or digit)."""
    parts = lazy_pinyin(word, style=Style.NORMAL, errors=_keep_characters)
    return tuple(
        "".join(ch for ch in part.lower() if ch.isascii() and ch.isalnum()) for part in parts
    )


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _tokens(text: str) -> list[tuple[str, int]]:
    """The marked syllables and letters of ``text``, each with the index of its character
    in the NFKC form of ``text``: joined, exactly :func:`syllable_text` (a test compares
    them; :func:`_syllables_of` is the faster form without the indices)."""
    out: list[tuple[str, int]] = []
    latin = False
    at = 0
    for word in _words(unicodedata.normalize("NFKC", text)):
        if _is_han(word[0]):
            mark = WORD_MARK
            for offset, syllable in enumerate(_word_syllables(word)):
                if syllable:
                    out.append((mark + syllable, at + offset))
                    mark = SYLLABLE_MARK
            latin = False
        else:
            for offset, ch in enumerate(word):
                if ch.isascii() and ch.isalnum():
                    out.append(((LETTER_MARK if latin else WORD_MARK) + ch.lower(), at + offset))
                    latin = True
                else:
                    latin = False
        at += len(word)
    return out


def syllable_text(text: str) -> str:
    """The search form of one name: each word starts with ``|``, each further syllable of
    a Chinese word with ``'``, each further letter or digit of a Latin run with ``.``;
    other characters (spaces, brackets, punctuation) end a word and are dropped.

    '上海新阳半导体材料' -> "|shang'hai|xin|yang|ban'dao'ti|cai|liao";
    'TCL科技' -> '|t.c.l|ke|ji'. Full-width letters count as Latin (NFKC)."""
    return _syllables_of(_words(unicodedata.normalize("NFKC", text)))


def _syllables_of(words: list[str]) -> str:
    """:func:`syllable_text` of a name already cut into words (:func:`_words`)."""
    out: list[str] = []
    latin = False
    for word in words:
        if _is_han(word[0]):
            syllables = [s for s in _word_syllables(word) if s]
            if syllables:
                out.append(WORD_MARK + SYLLABLE_MARK.join(syllables))
            latin = False
            continue
        for ch in word:
            if ch.isascii() and ch.isalnum():
                out.append((LETTER_MARK if latin else WORD_MARK) + ch.lower())
                latin = True
            else:
                latin = False
    return "".join(out)


def pinyin_span(text: str, query: str) -> tuple[int, int] | None:
    """The characters of ``text`` that the pinyin ``query`` matches (:func:`pinyin_pattern`)
    as ``(start, end)`` indices, for highlighting: 'xy' in '上海新阳半导体材料' -> (2, 4).
    None when the query is no pinyin, does not match, or NFKC changes the text's length
    (the indices would not fit the text as shown)."""
    pattern = pinyin_pattern(query)
    if pattern is None or len(unicodedata.normalize("NFKC", text)) != len(text):
        return None
    tokens = _tokens(text)
    joined = "".join(token for token, _at in tokens)
    match = re.search(pattern, joined)
    if match is None:
        return None
    covered: list[int] = []
    position = 0
    for token, at in tokens:
        if position < match.end() and position + len(token) > match.start():
            covered.append(at)
        position += len(token)
    return (covered[0], covered[-1] + 1) if covered else None


@lru_cache(maxsize=50_000)
def _short_syllables(short_name: str) -> str:
    return syllable_text(short_name)


def derived_search_fields(name: str, short_name: str) -> tuple[str, str]:
    """``(derived_initials(name, short_name), search_text(name, short_name))`` computed in
    one pass when the name is already NFKC-normal (an imported name always is): the name is
    cut into words once, each word's two forms are cached (:func:`_han_word_forms`), and
    the forms of a name's last few characters are cached too (:func:`_tail_forms`: company
    names end alike, 科技有限公司); the short name's forms are cached whole (short names
    repeat across a list). About five times faster than the two functions for a
    100,000-row import (bench/import_customers.py); a test compares them."""
    if not unicodedata.is_normalized("NFKC", name):
        return derived_initials(name, short_name), search_text(name, short_name)
    initials, search = _forms(name, False)
    if short_name:
        initials = f"{initials} {_short_initials(short_name)}"
        search = f"{search}{NAME_BREAK}{_short_syllables(short_name)}"
    return initials[:200], search


TAIL_CHARS = 8
"""A name's rest of at most this many characters has its forms cached (:func:`_tail_forms`)."""


@lru_cache(maxsize=200_000)
def _han_word_forms(word: str) -> tuple[str, str]:
    """The initials and the marked syllables (``|ke'ji``) of one segmented Chinese word."""
    syllables = [s for s in _word_syllables(word) if s]
    return _word_initials(word), (WORD_MARK + SYLLABLE_MARK.join(syllables)) if syllables else ""


@lru_cache(maxsize=20_000)
def _tail_forms(rest: str, latin: bool) -> tuple[str, str]:
    """:func:`_forms` of the end of a name (at most :data:`TAIL_CHARS` characters)."""
    return _forms(rest, latin, tail=False)


def _forms(text: str, latin: bool, *, tail: bool = True) -> tuple[str, str]:
    """The initials and the search text of NFKC-normal ``text``: exactly
    ``pinyin_initials(text)`` and ``syllable_text(text)`` (``latin``: the character before
    ``text`` was a Latin letter or digit). Segmentation is :func:`_words`'s forward maximum
    matching, which depends only on the rest of the text, so a short rest is looked up in
    :func:`_tail_forms` (``tail``) instead of being cut again."""
    initials: list[str] = []
    search: list[str] = []
    remain = text
    while remain:
        if tail and len(remain) <= TAIL_CHARS:
            rest_initials, rest_search = _tail_forms(remain, latin)
            initials.append(rest_initials)
            search.append(rest_search)
            break
        word = _next_word(remain)
        if not word:  # as _words: the rest char by char, never cut again
            words: list[str] = list(remain)
            remain = ""
        else:
            remain = remain[len(word) :]
            if _is_han(word[0]):  # the common case, inline
                word_initials, piece = _han_word_forms(word)
                initials.append(word_initials)
                search.append(piece)
                latin = False
                continue
            words = [word]
        for word in words:
            latin = _add_word(word, latin, initials, search)
    return "".join(initials), "".join(search)


def _add_word(word: str, latin: bool, initials: list[str], search: list[str]) -> bool:
    """Append one segmented word's initials and search text; returns the Latin state after
    it (see :func:`_syllables_of`)."""
    if _is_han(word[0]):
        word_initials, piece = _han_word_forms(word)
        initials.append(word_initials)
        search.append(piece)
        return False
    initials.append(_word_initials(word))
    for ch in word:
        if ch.isascii() and ch.isalnum():
            search.append((LETTER_MARK if latin else WORD_MARK) + ch.lower())
            latin = True
        else:
            latin = False
    return latin


def search_text(name: str, short_name: str) -> str:
    """The ``pinyin_search`` field of a customer: :func:`syllable_text` of the name, then
    (after a space) of the short name when there is one."""
    text = syllable_text(name)
    if short_name:
        text = f"{text}{NAME_BREAK}{syllable_text(short_name)}"
    return text


def pinyin_query(query: str) -> str | None:
    """The letters of a pinyin query: lower-case ASCII letters and digits with spaces,
    apostrophes, hyphens and underscores dropped; None when anything else is left, when
    nothing is left, or when it is longer than :data:`MAX_QUERY_LETTERS`."""
    letters = query.translate(_QUERY_DROPS).lower()
    if not letters or len(letters) > MAX_QUERY_LETTERS:
        return None
    if not (letters.isascii() and letters.isalnum()):
        return None
    return letters


def pinyin_pattern(query: str) -> str | None:
    """A regular expression over :func:`search_text` (the same on SQLite and PostgreSQL),
    or None when ``query`` is no pinyin (:func:`pinyin_query`). It matches when

    - the query's letters are the initials of a contiguous run of syllables (or Latin
      letters) that starts at a **word start**: 'shxy', 'xy' and 'bdtcl' find
      上海新阳半导体材料, 'tcl' does not (体 is inside the word 半导体), 'tcl' finds TCL科技;
    - or the query is the full pinyin of a contiguous run of syllables, the last one
      possibly cut short, that starts at a **syllable start**: 'shanghai', 'xinyang',
      'haixin' and 'shangh' find 上海新阳, 'anghai' does not.

    Neither runs from the name into the short name. Rule: docs/domain, section 5,
    "Search by pinyin"."""
    letters = pinyin_query(query)
    if letters is None:
        return None
    initials = re.escape(WORD_MARK) + _ANY_MARK.join(ch + _NOT_MARK for ch in letters)
    full = "[|']" + (_ANY_MARK + "?").join(letters)
    return f"{initials}|{full}"


def pinyin_q(text: str) -> Q:
    """A Q matching customers whose name or short name the pinyin query ``text`` finds:
    initials from a word start ('sztf' finds 深圳腾飞, 'tcl' does not find
    上海新阳半导体材料), full pinyin from a syllable start ('shanghai'); see
    :func:`customers.pinyin.pinyin_pattern`. A regular expression over the stored
    ``pinyin_search`` text, the same on SQLite and PostgreSQL. ``Q(pk__in=[])`` when
    ``text`` is no pinyin (not only letters and digits, or too long).
    Rule: docs/domain, section 5, "Search by pinyin"."""
    pattern = pinyin_pattern(text)
    if pattern is None:
        return Q(pk__in=[])
    return Q(pinyin_search__regex=pattern)
