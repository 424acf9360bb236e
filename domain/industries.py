"""Industries: the section labels of the CSRC industry classification (上市公司行业分类,
sections A to S, the sections of GB/T 4754) in both languages (docs/domain, section 5).

A customer's industry is stored as the text it came with (``"C 制造业"`` from the exchange's
list, ``"制造业"`` or ``"信息传输、软件和信息技术服务业"`` typed by hand, or anything else),
and stays so: the stored value is never rewritten. Pages show it in the reader's language
through :func:`industry_label`; an import reads an English label back to the Chinese
form (:func:`industry_stored`), so an English export imports back to the same values.
Free text that names no section is shown as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.labels import pick


@dataclass(frozen=True)
class Section:
    """One section: letter, the exchange's short Chinese name, the full Chinese name and the
    English name."""

    code: str
    short_zh: str
    full_zh: str
    label_en: str


SECTIONS: tuple[Section, ...] = (
    Section("A", "农林牧渔", "农、林、牧、渔业", "Agriculture, forestry and fishing"),
    Section("B", "采矿业", "采矿业", "Mining"),
    Section("C", "制造业", "制造业", "Manufacturing"),
    Section(
        "D",
        "水电煤气",
        "电力、热力、燃气及水生产和供应业",
        "Electricity, heat, gas and water",
    ),
    Section("E", "建筑业", "建筑业", "Construction"),
    Section("F", "批发零售", "批发和零售业", "Wholesale and retail"),
    Section("G", "运输仓储", "交通运输、仓储和邮政业", "Transport, storage and post"),
    Section("H", "住宿餐饮", "住宿和餐饮业", "Accommodation and catering"),
    Section("I", "信息技术", "信息传输、软件和信息技术服务业", "Information technology"),
    Section("J", "金融业", "金融业", "Finance"),
    Section("K", "房地产", "房地产业", "Real estate"),
    Section("L", "商务服务", "租赁和商务服务业", "Leasing and business services"),
    Section("M", "科研服务", "科学研究和技术服务业", "Research and technical services"),
    Section("N", "公共环保", "水利、环境和公共设施管理业", "Water, environment and utilities"),
    Section("O", "居民服务", "居民服务、修理和其他服务业", "Household and repair services"),
    Section("P", "教育", "教育", "Education"),
    Section("Q", "卫生", "卫生和社会工作", "Health and social work"),
    Section("R", "文化传播", "文化、体育和娱乐业", "Culture, sports and entertainment"),
    Section("S", "综合", "综合", "Conglomerates"),
)

_BY_CODE = {s.code: s for s in SECTIONS}
_BY_NAME: dict[str, Section] = {}
for _s in SECTIONS:
    for _name in (_s.short_zh, _s.full_zh, _s.label_en.casefold()):
        _BY_NAME.setdefault(_name, _s)
_LETTERED = re.compile(r"^([A-S])(?:\s+(.+))?$")


def _parse(text: str) -> tuple[Section, bool] | None:
    """(section, written with its letter) of an industry text, or None when it names none.
    A letter must agree with the name after it ("C 制造业", "C Manufacturing", "C")."""
    value = " ".join(text.split())
    lettered = _LETTERED.match(value)
    if lettered:
        section = _BY_CODE[lettered.group(1)]
        name = lettered.group(2)
        if name is None or _BY_NAME.get(name.casefold()) is section:
            return section, True
        return None
    named = _BY_NAME.get(value.casefold())
    return (named, False) if named else None


def industry_label(text: str, lang: str) -> str:
    """``text`` (a stored industry) in ``lang`` ('zh-hans' or 'en', see
    :func:`domain.labels.pick`): a named section in English as ``"C Manufacturing"`` (with
    its letter when the text had one) or ``"Manufacturing"``; in Chinese the stored text
    itself. Text naming no section, and '' stay as they are. Raises ValueError for
    another language."""
    parsed = _parse(text) if text else None
    if parsed is None:
        pick(text, text, lang)  # the language check
        return text
    section, lettered = parsed
    english = f"{section.code} {section.label_en}" if lettered else section.label_en
    return pick(text, english, lang)


def industry_stored(text: str) -> str:
    """The value an import stores for ``text``: an English section label becomes the
    Chinese form (``"C Manufacturing"`` -> ``"C 制造业"``, ``"Manufacturing"`` -> ``"制造业"``),
    so an English export imports back unchanged; any other text as given."""
    parsed = _parse(text) if text else None
    if parsed is None:
        return text
    section, lettered = parsed
    value = " ".join(text.split())
    if not value.isascii() or value == section.code:
        return text  # already Chinese, or a bare letter
    return f"{section.code} {section.short_zh}" if lettered else section.short_zh
