"""Reads of big-account projects, always through the viewer's scope (docs/domain, section 7).

Projects carry the customer's team and an owner, so the model's own rule
(``Project.objects.visible_to``, ``customers.models.projects.ProjectQuerySet``) decides who
sees them: the owner, the team's supervisors, managers above, admins. Other teams get 404,
downloads included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from accounts.labels import current_label, label_of
from accounts.scoping import Scope, get_visible_or_404
from customers.models import (
    ControlPoint,
    ControlPointUpdate,
    DecisionMember,
    DocumentVersion,
    Project,
    ProjectDocument,
    SupportRequest,
)
from domain import projects as rules


def project_queryset(scope: Scope) -> QuerySet[Project]:
    """Projects ``scope`` may see (owner, visible team, admin), with customer, owner, team."""
    return Project.objects.visible_to(scope).select_related("customer", "owner", "team")


def project_get(*, scope: Scope, pk: int) -> Project:
    """One visible project; Http404 when absent or hidden."""
    return get_visible_or_404(project_queryset(scope), scope, pk=pk)


def _overdue_q(today: dt.date) -> Exists:
    return Exists(
        ControlPoint.objects.filter(project=OuterRef("pk"), due__lt=today).exclude(
            status=rules.DONE
        )
    )


def _current(field_name: str) -> Subquery:
    first_open = (
        ControlPoint.objects.filter(project=OuterRef("pk"))
        .exclude(status=rules.DONE)
        .order_by("position")
        .values(field_name)[:1]
    )
    return Subquery(first_open)


def annotated(queryset: QuerySet[Project], today: dt.date) -> QuerySet[Project]:
    """Add ``has_overdue`` (a point past its due date, not done), and the current point's
    ``current_position``, ``current_zh``, ``current_en`` (None when all are done)."""
    return queryset.annotate(
        has_overdue=_overdue_q(today),
        current_position=_current("position"),
        current_zh=_current("name_zh"),
        current_en=_current("name_en"),
    )


@dataclass
class ProjectFilters:
    """The list's filters, parsed leniently (a bad value is ignored and shown as unset)."""

    status: str = ""
    overdue: bool = False
    min_value: Decimal | None = None
    owner_id: int | None = None
    team_id: int | None = None

    @classmethod
    def from_query(cls, query: Any) -> ProjectFilters:
        """Read ``status``, ``overdue``, ``min_value``, ``owner``, ``team`` from a QueryDict."""
        status = query.get("status", "")
        if status not in {s.code for s in rules.PROJECT_STATUSES}:
            status = ""
        min_value: Decimal | None
        try:
            min_value = Decimal(query.get("min_value", "") or "x")
        except (InvalidOperation, ValueError):
            min_value = None
        if min_value is not None and (not min_value.is_finite() or min_value < 0):
            min_value = None

        def as_id(name: str) -> int | None:
            text = query.get(name, "")
            return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None

        return cls(
            status=status,
            overdue=query.get("overdue") == "1",
            min_value=min_value,
            owner_id=as_id("owner"),
            team_id=as_id("team"),
        )


def project_list(*, scope: Scope, filters: ProjectFilters, today: dt.date) -> list[Project]:
    """Visible projects matching ``filters``, annotated (see :func:`annotated`), ordered by
    expected signing date. One query."""
    qs = annotated(project_queryset(scope), today)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = qs.filter(_overdue_q(today))
    if filters.min_value is not None:
        qs = qs.filter(expected_value__gte=filters.min_value)
    if filters.owner_id:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    return list(qs.order_by("expected_signing", "id"))


@dataclass
class BoardColumn:
    """One column of the board: a control point (by position) and its open projects."""

    position: int | None
    name: str
    projects: list[Project] = field(default_factory=list)


def project_board(*, scope: Scope, today: dt.date, definitions: Iterable[Any]) -> list[BoardColumn]:
    """Open projects by their current control point: one column per point of the
    organisation's list (plus one for projects whose points are all done). One query."""
    columns = {
        d.position: BoardColumn(d.position, current_label(d.name_zh, d.name_en))
        for d in definitions
    }
    done = BoardColumn(None, str(label_of(rules.POINT_STATUSES, rules.DONE)))
    qs = annotated(project_queryset(scope).filter(status=rules.OPEN), today)
    for project in qs.order_by("expected_signing", "id"):
        pos = project.current_position  # type: ignore[attr-defined]
        if pos is None:
            done.projects.append(project)
            continue
        if pos not in columns:
            columns[pos] = BoardColumn(
                pos,
                current_label(project.current_zh, project.current_en),  # type: ignore[attr-defined]
            )
        columns[pos].projects.append(project)
    return [columns[k] for k in sorted(columns)] + [done]


def project_detail(project: Project) -> Project:
    """Fetch everything the project page shows, in a fixed number of queries."""
    return (
        Project.objects.select_related("customer", "owner", "team")
        .prefetch_related(
            Prefetch(
                "points",
                queryset=ControlPoint.objects.select_related(
                    "owner", "overridden_by"
                ).prefetch_related(
                    Prefetch("updates", queryset=ControlPointUpdate.objects.select_related("by"))
                ),
            ),
            Prefetch("chain", queryset=DecisionMember.objects.select_related("contact")),
            Prefetch(
                "documents",
                queryset=ProjectDocument.objects.prefetch_related(
                    Prefetch(
                        "versions", queryset=DocumentVersion.objects.select_related("uploaded_by")
                    )
                ),
            ),
            "competitors",
            Prefetch(
                "support",
                queryset=SupportRequest.objects.select_related("created_by", "answered_by"),
            ),
        )
        .get(pk=project.pk)
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One dated line of the project's timeline."""

    at: dt.datetime
    kind: str
    text: str
    who: str = ""


def timeline(project: Project) -> list[TimelineEntry]:
    """The project's history newest first, from a :func:`project_detail` project (no query):
    creation, control point updates, document versions, support requests and answers."""
    rows = [
        TimelineEntry(project.created_at, "created", project.name, str(project.created_by or ""))
    ]
    for point in project.points.all():
        for update in point.updates.all():
            label = str(label_of(rules.POINT_STATUSES, update.status))
            text = f"{point.name}: {label}" + (f" · {update.text}" if update.text else "")
            rows.append(TimelineEntry(update.at, "point", text, str(update.by or "")))
    for document in project.documents.all():
        for version in document.versions.all():
            rows.append(
                TimelineEntry(
                    version.uploaded_at,
                    "document",
                    f"{document.title} v{version.number} ({version.original_name})",
                    str(version.uploaded_by or ""),
                )
            )
    for request in project.support.all():
        rows.append(
            TimelineEntry(
                request.created_at, "support", request.question, str(request.created_by or "")
            )
        )
        if request.answered_at:
            rows.append(
                TimelineEntry(
                    request.answered_at, "answer", request.answer, str(request.answered_by or "")
                )
            )
    if project.closed_at:
        rows.append(TimelineEntry(project.closed_at, "closed", project.get_status_display()))
    return sorted(rows, key=lambda r: r.at, reverse=True)


#: The Gantt axis covers at least this many days, so a project spanning one day still gets
#: distinct, whole-day date labels.
GANTT_MIN_DAYS = 7


def gantt(project: Project, today: dt.date) -> dict[str, Any]:
    """Bars of the Gantt-style view, from a :func:`project_detail` project (no query):
    ``{"base": ISO date, "today": day offset, "span": days on the axis, "labels": one date
    label per day of the axis, "rows": [{"name", "from", "to", "status", "overdue"}]}`` with
    offsets in days from ``base``. A point without a start begins where the previous one
    ended; without a due date it lasts a day. The axis runs from ``base`` to the last bar end
    or today, at least :data:`GANTT_MIN_DAYS` days; labels are the day's month and day in the
    active language (``MONTH_DAY_FORMAT``: "Dec 7" in English, "12月7日" in zh-hans)."""
    base = timezone.localdate(project.created_at)
    rows, cursor = [], base
    for point in project.points.all():
        start = point.start or cursor
        end = point.due or (timezone.localdate(point.done_at) if point.done_at else start)
        end = max(end, start)
        base = min(base, start)
        rows.append((point, start, end))
        cursor = end
    bars: list[dict[str, Any]] = [
        {
            "name": p.name,
            "from": (s - base).days,
            "to": (e - base).days + 1,
            "status": p.status,
            "overdue": p.is_overdue(today),
        }
        for p, s, e in rows
    ]
    today_offset = (today - base).days
    span = max([GANTT_MIN_DAYS, today_offset + 1, *((e - base).days + 1 for _p, _s, e in rows)])
    return {
        "base": base.isoformat(),
        "today": today_offset,
        "span": span,
        "labels": [
            date_format(base + dt.timedelta(days=d), "MONTH_DAY_FORMAT") for d in range(span + 1)
        ],
        "rows": bars,
    }


def overdue_points(*, team_ids: Iterable[int], today: dt.date) -> list[ControlPoint]:
    """Overdue control points of the open projects of ``team_ids`` (the caller already
    checked it may see those teams), by due date. One query."""
    return list(
        ControlPoint.objects.filter(
            project__team_id__in=sorted(team_ids), project__status=rules.OPEN, due__lt=today
        )
        .exclude(status=rules.DONE)
        .select_related("project", "project__customer", "project__owner", "owner")
        .order_by("due", "project_id", "position")
    )


def team_projects(
    *, team_ids: Iterable[int], today: dt.date, since: dt.date, overdue_only: bool = False
) -> list[Project]:
    """Open projects of ``team_ids`` for the meetings and the team report: annotated (see
    :func:`annotated`), with ``recent_versions``: document versions uploaded on or after
    local date ``since``. Two queries; with ``overdue_only`` (the morning meeting and the
    team page, which list no documents) only the projects with an overdue control point,
    ``recent_versions`` left empty (:func:`_overdue_projects`, one or two queries)."""
    if overdue_only:
        return _overdue_projects(team_ids=team_ids, today=today)
    qs = annotated(
        Project.objects.filter(team_id__in=sorted(team_ids), status=rules.OPEN).select_related(
            "customer", "owner"
        ),
        today,
    ).order_by("expected_signing", "id")
    projects = list(qs)
    since_at = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    versions = (
        DocumentVersion.objects.filter(document__project__in=projects, uploaded_at__gte=since_at)
        .select_related("document")
        .order_by("-uploaded_at")
    )
    by_project: dict[int, list[DocumentVersion]] = {}
    for version in versions:
        by_project.setdefault(version.document.project_id, []).append(version)
    for project in projects:
        project.recent_versions = by_project.get(project.pk, [])  # type: ignore[attr-defined]
    return projects


def _overdue_projects(*, team_ids: Iterable[int], today: dt.date) -> list[Project]:
    """:func:`team_projects` with ``overdue_only``: the open projects of ``team_ids`` with a
    control point past its due date and not done, with the attributes :func:`annotated`
    gives (``has_overdue`` True; ``current_position``, ``current_zh``, ``current_en`` of
    the first open point by position) and an empty ``recent_versions``. The open points
    are read as plain rows and the annotations worked out here: the annotated query's four
    subqueries cost about 5 ms of CPU to build, this one query (two when a project is
    overdue) about a fifth of that."""
    points = list(
        ControlPoint.objects.filter(
            project__team_id__in=sorted(team_ids), project__status=rules.OPEN
        )
        .exclude(status=rules.DONE)
        .order_by("project_id", "position")
        .values_list("project_id", "due", "position", "name_zh", "name_en")
    )
    overdue = {pid for pid, due, *_rest in points if due is not None and due < today}
    if not overdue:
        return []
    current: dict[int, tuple[Any, ...]] = {}
    for pid, _due, position, name_zh, name_en in points:
        current.setdefault(pid, (position, name_zh, name_en))
    projects = list(
        Project.objects.filter(pk__in=sorted(overdue))
        .select_related("customer", "owner")
        .order_by("expected_signing", "id")
    )
    for project in projects:
        position, name_zh, name_en = current[project.pk]
        project.has_overdue = True  # type: ignore[attr-defined]
        project.current_position = position  # type: ignore[attr-defined]
        project.current_zh = name_zh  # type: ignore[attr-defined]
        project.current_en = name_en  # type: ignore[attr-defined]
        project.recent_versions = []  # type: ignore[attr-defined]
    return projects


def version_get(*, scope: Scope, pk: int) -> DocumentVersion:
    """A document version of a visible project; Http404 otherwise."""
    visible = project_queryset(scope).values("pk")
    return get_visible_or_404(
        DocumentVersion.objects.select_related("document", "document__project").filter(
            document__project__in=visible
        ),
        scope,
        pk=pk,
    )


def team_panel(team_id: int, day: dt.date) -> str:
    """The team page's panel (``accounts.hooks.register_team_panel``): the team's open
    projects with an overdue control point, as HTML. The team page checked the viewer."""
    projects = team_projects(team_ids=[team_id], today=day, since=day, overdue_only=True)
    return render_to_string(
        "customers/projects/_team_projects.html", {"projects": projects, "overdue_only": True}
    )
