"""Big-account projects: codes, the default control points and the ordering rule
(docs/domain, section 7).

A project of a group or key account moves through control points in order (the course's list,
:data:`DEFAULT_CONTROL_POINTS`; an organisation may change it). The rules here are pure:

- **Order**: a point may be marked done only when every earlier point is done, unless a
  supervisor overrides the order with a note (:func:`open_predecessors`).
- **Current point**: the first point not done (:func:`current_index`); a project whose points
  are all done is at the end (``None``).
- **Overdue**: a point with a due date before today that is not done (:func:`is_overdue`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from domain.labels import Labelled

OPEN, WON, LOST, ON_HOLD = "open", "won", "lost", "on_hold"
#: Project statuses.
PROJECT_STATUSES: tuple[Labelled, ...] = (
    Labelled(OPEN, "进行中", "Open"),
    Labelled(WON, "赢单", "Won"),
    Labelled(LOST, "丢单", "Lost"),
    Labelled(ON_HOLD, "暂停", "On hold"),
)

NOT_STARTED, IN_PROGRESS, DONE, BLOCKED = "not_started", "in_progress", "done", "blocked"
#: Control point statuses.
POINT_STATUSES: tuple[Labelled, ...] = (
    Labelled(NOT_STARTED, "未开始", "Not started"),
    Labelled(IN_PROGRESS, "进行中", "In progress"),
    Labelled(DONE, "已完成", "Done"),
    Labelled(BLOCKED, "受阻", "Blocked"),
)

#: The course's control points of a big-account sale, in order (code, zh, en).
DEFAULT_CONTROL_POINTS: tuple[Labelled, ...] = (
    Labelled("relationship", "客户关系开发", "Relationship development"),
    Labelled("needs", "客户需求了解", "Understanding needs"),
    Labelled("decision", "客户决策流程", "Decision process"),
    Labelled("proposal", "客户方案", "Proposal"),
    Labelled("response", "客户响应", "Response"),
    Labelled("agreement", "客户协议", "Agreement"),
    Labelled("implementation", "客户协议实施", "Implementation"),
    Labelled("competition", "竞争对策", "Competition counter-measures"),
    Labelled("collective", "集体决策", "Collective decision"),
)

#: Roles of a person in the customer's decision chain.
DECISION_ROLES: tuple[Labelled, ...] = (
    Labelled("decision_maker", "决策者", "Decision maker"),
    Labelled("influencer", "影响者", "Influencer"),
    Labelled("user", "使用者", "User"),
    Labelled("gatekeeper", "把关者", "Gatekeeper"),
)

#: Attitude of a person towards our offer.
ATTITUDES: tuple[Labelled, ...] = (
    Labelled("supporter", "支持", "Supporter"),
    Labelled("neutral", "中立", "Neutral"),
    Labelled("opponent", "反对", "Opponent"),
    Labelled("unknown", "未知", "Unknown"),
)

#: Kinds of project documents.
DOCUMENT_KINDS: tuple[Labelled, ...] = (
    Labelled("proposal", "方案", "Proposal"),
    Labelled("agreement", "协议", "Agreement"),
    Labelled("other", "其他", "Other"),
)

#: Kinds of support a rep may ask for, and the answer's status.
SUPPORT_KINDS: tuple[Labelled, ...] = (
    Labelled("technical", "技术", "Technical"),
    Labelled("engineering", "工程", "Engineering"),
    Labelled("pricing", "价格", "Pricing"),
)
SUPPORT_TARGETS: tuple[Labelled, ...] = (
    Labelled("supervisor", "主管", "Supervisor"),
    Labelled("company", "公司", "Company"),
)
SUPPORT_OPEN, SUPPORT_ANSWERED, SUPPORT_CLOSED = "open", "answered", "closed"
SUPPORT_STATUSES: tuple[Labelled, ...] = (
    Labelled(SUPPORT_OPEN, "待回复", "Open"),
    Labelled(SUPPORT_ANSWERED, "已回复", "Answered"),
    Labelled(SUPPORT_CLOSED, "已关闭", "Closed"),
)


def open_predecessors(statuses: Sequence[str], index: int) -> list[int]:
    """Positions before ``index`` whose status is not done, in order.

    ``statuses``: the status codes of a project's points in order; ``index``: the position
    of the point to mark done (0-based). An empty list means the point may be done; any
    other answer needs a supervisor's override with a note (docs/domain, section 7).
    Raises IndexError for a position outside the list.
    """
    if not 0 <= index < len(statuses):
        raise IndexError(f"No control point at position {index} (there are {len(statuses)})")
    return [i for i, status in enumerate(statuses[:index]) if status != DONE]


def current_index(statuses: Sequence[str]) -> int | None:
    """Position of the first point not done (the project's current point); None when all
    are done (or there are none)."""
    for i, status in enumerate(statuses):
        if status != DONE:
            return i
    return None


def is_overdue(status: str, due: dt.date | None, today: dt.date) -> bool:
    """A point is overdue when it has a due date before ``today`` (local) and is not done."""
    return due is not None and status != DONE and due < today
