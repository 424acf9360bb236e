"""Read a history file from another CRM: visits, follow-ups and stage changes, one per row
(no ORM: the rows are matched to customers and people by ``service``; messages in the
user's language).

Columns are found by their headers (Chinese or English, any case, full-width or not):
customer code (客户编号), credit code (统一社会信用代码), customer name (客户名称), kind
(类型), date and time (日期), rep (跟进人), purpose (目的), outcome (结果), notes (内容),
next step (下一步) and its date, from stage (原阶段), to stage (新阶段) and the contact type
(方式 or 联系方式, channel, contact type: 上门 / 电话 / 微信 / 邮件; a kind of 电话, 微信 or 邮件
says it too; default in person, docs/domain, section 3; any other value refuses the row).

A row is a stage change when its kind says so (阶段变更, stage) or, without a kind column,
when it has a to stage and no purpose; otherwise it is a visit or follow-up. Codes and
labels in both languages are accepted for purposes, outcomes and stages (docs/domain,
sections 3 and 9). A date without a time is a visit at local noon (so a stage change of the
same day, dated at midnight, comes before it) or a stage change at local midnight, the rule
of the customer import's stage date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from customers.import_messages import translate_refusal
from domain.stages import STAGES
from domain.visits import (
    CHANNELS,
    COLLECTION,
    COORDINATION,
    EMAIL,
    IN_PERSON,
    OUTCOMES,
    PHONE,
    PURPOSES,
    RESEARCH,
    SERVICE,
    WECHAT,
    purpose_fits_channel,
)
from spreadsheets.reading import FileRefused, cell_text, normalise_header, read_rows

VISIT, STAGE = "visit", "stage"

HEADERS: dict[str, tuple[str, ...]] = {
    "customer_code": (
        "客户编号",
        "客户编码",
        "客户代码",
        "外部编码",
        "customercode",
        "externalcode",
    ),
    "credit_code": ("统一社会信用代码", "信用代码", "creditcode", "unifiedsocialcreditcode"),
    "customer": ("客户名称", "客户", "公司名称", "customer", "customername", "name"),
    "kind": ("类型", "记录类型", "kind", "type"),
    "at": (
        "日期",
        "时间",
        "拜访日期",
        "跟进日期",
        "拜访时间",
        "跟进时间",
        "变更日期",
        "变更时间",
        "date",
        "time",
        "when",
    ),
    "channel": (
        "方式",
        "联系方式",
        "跟进方式",
        "拜访方式",
        "沟通方式",
        "联系类型",
        "跟进类型",
        "渠道",
        "跟进渠道",
        "channel",
        "contacttype",
        "contactchannel",
        "contactmethod",
        "method",
    ),
    "rep": ("跟进人", "拜访人", "负责人", "客户经理", "业务员", "销售", "rep", "owner", "by"),
    "purpose": ("目的", "拜访目的", "跟进目的", "purpose"),
    "outcome": ("结果", "拜访结果", "跟进结果", "outcome", "result"),
    "notes": ("内容", "记录", "跟进内容", "拜访内容", "备注", "notes", "content"),
    "next_step": ("下一步", "下一步计划", "nextstep"),
    "next_step_date": ("下一步日期", "nextstepdate"),
    "from_stage": ("原阶段", "变更前阶段", "fromstage", "from"),
    "to_stage": ("新阶段", "阶段", "变更后阶段", "tostage", "stage", "to"),
}
"""Field -> accepted headers, already normalised (``normalise_header``)."""

FIELD_LABELS = {
    "customer_code": gettext_lazy("Customer code"),
    "credit_code": gettext_lazy("Unified social credit code"),
    "customer": gettext_lazy("Customer"),
    "kind": gettext_lazy("Kind"),
    "at": gettext_lazy("Date"),
    "channel": gettext_lazy("Contact type"),
    "rep": gettext_lazy("Rep"),
    "purpose": gettext_lazy("Purpose"),
    "outcome": gettext_lazy("Outcome"),
    "notes": gettext_lazy("Notes"),
    "next_step": gettext_lazy("Next step"),
    "next_step_date": gettext_lazy("Next step date"),
    "from_stage": gettext_lazy("Previous stage"),
    "to_stage": gettext_lazy("New stage"),
}
"""Field -> its column label in the viewer's language (row problems name it, never the code)."""

_KINDS = {
    "visit": VISIT,
    "拜访": VISIT,
    "跟进": VISIT,
    "回访": VISIT,
    "followup": VISIT,
    "follow-up": VISIT,
    "stage": STAGE,
    "stagechange": STAGE,
    "阶段": STAGE,
    "阶段变更": STAGE,
}
#: Kinds that also say how the contact was made (a CRM's 类型 column of 电话 / 微信 / 邮件).
_KIND_CHANNELS = {
    "电话": PHONE,
    "电话拜访": PHONE,
    "电话回访": PHONE,
    "call": PHONE,
    "phone": PHONE,
    "phonecall": PHONE,
    "微信": WECHAT,
    "wechat": WECHAT,
    "邮件": EMAIL,
    "email": EMAIL,
    "e-mail": EMAIL,
}
_KINDS.update(dict.fromkeys(_KIND_CHANNELS, VISIT))


def _choices(items: tuple[object, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        code, zh, en = item.code, item.label_zh, item.label_en  # type: ignore[attr-defined]
        for text in (code, zh, en):
            out[normalise_header(text)] = code
    return out


#: A plain 回访 / follow-up without its kind is the service follow-up (回访：服务), and the
#: follow-up kinds alone (收费, 协调, 调研, 服务) name their purpose (docs/domain, section 3).
_PURPOSES = {
    **_choices(PURPOSES),
    "回访": SERVICE,
    "followup": SERVICE,
    "follow-up": SERVICE,
    "收费": COLLECTION,
    "协调": COORDINATION,
    "调研": RESEARCH,
    "服务": SERVICE,
}
_OUTCOMES = _choices(OUTCOMES)
_STAGES = _choices(STAGES)
_CHANNELS = {**_choices(CHANNELS), **_KIND_CHANNELS, "上门": IN_PERSON, "面访": IN_PERSON}
_DATE_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$"
)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem of one row: ``field`` (a key of :data:`HEADERS`, or '') and why."""

    field: str
    reason: str

    @property
    def label(self) -> str:
        """The field's column label in the active language ('' without a field)."""
        return str(FIELD_LABELS.get(self.field, self.field)) if self.field else ""


@dataclass(slots=True)
class HistoryRow:
    """One row as read: ``kind`` VISIT or STAGE, ``when`` a naive local datetime (or None
    when unreadable), texts stripped, codes for purpose, outcome and stages ('' = empty)."""

    row_number: int
    kind: str
    customer_code: str = ""
    credit_code: str = ""
    customer: str = ""
    when: dt.datetime | None = None
    rep: str = ""
    purpose: str = ""
    channel: str = IN_PERSON
    outcome: str = ""
    notes: str = ""
    next_step: str = ""
    next_step_date: dt.date | None = None
    from_stage: str = ""
    to_stage: str = ""
    problems: list[RowProblem] = field(default_factory=list)


@dataclass(slots=True)
class HistorySheet:
    """The rows of a history file, the column of each field (0-based) and the columns not
    used (their header texts)."""

    columns: dict[str, int]
    unknown_columns: list[str]
    rows: list[HistoryRow]


class HistoryFileRefused(Exception):
    """The file as a whole cannot be read as history (``str(e)`` says why; ``code``:
    'unreadable', 'no_header', 'no_customer_column', 'no_date_column')."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _when(value: object, *, noon: bool) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    default = dt.time(12, 0) if noon else dt.time.min
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, default)
    text = cell_text(value).strip()
    match = _DATE_TIME.match(text)
    if not match:
        return None
    y, m, d, hh, mm, ss = match.groups()
    try:
        day = dt.date(int(y), int(m), int(d))
        if hh is None:
            return dt.datetime.combine(day, default)
        return dt.datetime.combine(day, dt.time(int(hh), int(mm), int(ss or 0)))
    except ValueError:
        return None


def read_history(data: bytes, *, max_bytes: int, header_scan: int = 10) -> HistorySheet:
    """Read the first sheet of an .xlsx/.xls/CSV history file (``data``: its bytes).

    The header is the row among the first ``header_scan`` with the most known headers.
    Raises :class:`HistoryFileRefused` when the file cannot be read, has no header row, or
    has no column naming the customer or the date. Row problems (unreadable date, unknown
    purpose, outcome or stage, a visit without purpose or rep, a stage change without a to
    stage) are listed on each row, never raised.
    """
    try:
        sheet = read_rows(data, max_bytes=max_bytes)
    except FileRefused as exc:
        raise HistoryFileRefused("unreadable", translate_refusal(exc)) from exc
    by_header = {h: f for f, hs in HEADERS.items() for h in hs}
    best, best_at = 0, -1
    for index, row in enumerate(sheet.rows[:header_scan]):
        known = len({by_header[h] for c in row if (h := normalise_header(c)) in by_header})
        if known > best:
            best, best_at = known, index
    if best_at < 0:
        raise HistoryFileRefused("no_header", _("The file has no header row this import knows."))
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for i, cell in enumerate(sheet.rows[best_at]):
        fld = by_header.get(normalise_header(cell))
        if fld and fld not in columns:
            columns[fld] = i
        elif cell_text(cell).strip():
            unknown.append(cell_text(cell).strip())
    if not {"customer_code", "credit_code", "customer"} & columns.keys():
        raise HistoryFileRefused(
            "no_customer_column", _("No column names the customer (code, credit code or name).")
        )
    if "at" not in columns:
        raise HistoryFileRefused("no_date_column", _("No column gives the date."))
    rows = [
        _row(number, cells, columns)
        for number, cells in zip(
            sheet.row_numbers[best_at + 1 :], sheet.rows[best_at + 1 :], strict=True
        )
    ]
    return HistorySheet(columns=columns, unknown_columns=unknown, rows=rows)


def _row(number: int, cells: list[object], columns: dict[str, int]) -> HistoryRow:
    def cell(fld: str) -> object:
        i = columns.get(fld)
        return cells[i] if i is not None and i < len(cells) else ""

    def text(fld: str) -> str:
        return cell_text(cell(fld)).strip()

    problems: list[RowProblem] = []

    def code(fld: str, table: dict[str, str]) -> str:
        raw = text(fld)
        if not raw:
            return ""
        found = table.get(normalise_header(raw))
        if found is None:
            if fld == "channel":  # a typo must not become an in-person visit silently
                lang = get_language() or "zh-hans"
                reason = _("unknown value %(value)s; accepted: %(accepted)s") % {
                    "value": raw,
                    "accepted": ", ".join(c.label(lang) for c in CHANNELS),
                }
            else:
                reason = _("unknown value %(value)s") % {"value": raw}
            problems.append(RowProblem(fld, reason))
            return ""
        return found

    kind_text = normalise_header(text("kind"))
    purpose = code("purpose", _PURPOSES)
    to_stage = code("to_stage", _STAGES)
    if kind_text:
        kind = _KINDS.get(kind_text, "")
        if not kind:
            reason = _("unknown value %(value)s") % {"value": text("kind")}
            problems.append(RowProblem("kind", reason))
            kind = VISIT
    else:
        kind = STAGE if to_stage and not purpose and not text("purpose") else VISIT
    row = HistoryRow(
        row_number=number,
        kind=kind,
        customer_code=text("customer_code"),
        credit_code="".join(text("credit_code").split()).upper(),
        customer=text("customer"),
        rep=text("rep"),
        purpose=purpose,
        channel=code("channel", _CHANNELS) or _KIND_CHANNELS.get(kind_text, IN_PERSON),
        outcome=code("outcome", _OUTCOMES),
        notes=text("notes"),
        next_step=text("next_step"),
        from_stage=code("from_stage", _STAGES),
        to_stage=to_stage,
        problems=problems,
    )
    raw_when = cell("at")
    row.when = _when(raw_when, noon=kind == VISIT)
    if row.when is None:
        if cell_text(raw_when).strip():
            reason = _("not a date: %(value)s") % {"value": cell_text(raw_when)}
        else:
            reason = _("required")
        problems.append(RowProblem("at", reason))
    raw_next = cell("next_step_date")
    if cell_text(raw_next).strip():
        next_at = _when(raw_next, noon=False)
        if next_at is None:
            reason = _("not a date: %(value)s") % {"value": cell_text(raw_next)}
            problems.append(RowProblem("next_step_date", reason))
        else:
            row.next_step_date = next_at.date()
    if not (row.customer_code or row.credit_code or row.customer):
        problems.append(RowProblem("customer", _("required: a customer code, credit code or name")))
    if kind == VISIT:
        if not row.purpose and not any(p.field == "purpose" for p in problems):
            problems.append(RowProblem("purpose", _("required for a visit or follow-up")))
        if not row.rep:
            problems.append(RowProblem("rep", _("required for a visit or follow-up")))
        if row.purpose and not purpose_fits_channel(row.channel, row.purpose):
            reason = _(
                "A phone call, WeChat or e-mail is an appointment or a follow-up; first, "
                "explanation and closing visits happen in person."
            )
            problems.append(RowProblem("purpose", reason))
    elif not row.to_stage and not any(p.field == "to_stage" for p in problems):
        problems.append(RowProblem("to_stage", _("required for a stage change")))
    return row
