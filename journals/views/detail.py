"""Reading one journal: detail with revisions, supervisor evaluation, review and comments."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.http import id_param, safe_next
from accounts.scoping import Scope

from .. import calculations as calc
from .. import selectors, services
from ..forms import (
    CommentForm,
    EvaluationForm,
)
from ..models import Comment, Journal, JournalRead, JournalRevision, PlanItem
from ..presentation import (
    contact_counts,
    diff_labels,
)
from ._common import _form_errors_from, _scope
from .journal import _achievement_rows, _edit_url


def _plan_groups(journal: Journal) -> tuple[list[dict[str, object]], list[PlanItem]]:
    plan = list(journal.plan_items.select_related("customer").order_by("kind", "position", "id"))
    groups = [
        (PlanItem.Kind.VISIT, _("Planned visits")),
        (PlanItem.Kind.APPOINTMENT, _("Planned appointments")),
        (PlanItem.Kind.FOLLOW_UP, _("Planned follow-ups")),
    ]
    return (
        [
            {"kind": kind, "label": label, "items": [p for p in plan if p.kind == kind]}
            for kind, label in groups
        ],
        plan,
    )


def _revision_diffs(journal: Journal, revisions: list[JournalRevision]) -> list[dict[str, object]]:
    """Each revision compared with the version that replaced it (the next one, or now)."""
    labels = diff_labels()
    versions = [(r.number, r.content) for r in sorted(revisions, key=lambda r: r.number)]
    versions.append((journal.revision, selectors.journal_content(journal)))
    out = []
    for (old_n, old), (new_n, new) in zip(versions, versions[1:], strict=False):
        rows = calc.revision_diff(calc.content_lines(old, labels), calc.content_lines(new, labels))
        out.append(
            {
                "old": old_n,
                "new": new_n,
                "rows": rows,
                "changed": any(kind != "same" for kind, _text in rows),
            }
        )
    out.reverse()
    return out


@never_cache
@login_required
def journal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A journal read-only: plan, visits, achievement, summary, evaluation, comments and
    revisions; for the supervisor, review tools and keyboard next/previous (j/k)."""
    scope = _scope(request)
    journal = selectors.journal_get(scope=scope, pk=pk)
    is_author = journal.rep_id == scope.user_id
    if is_author and not journal.is_locked():
        return redirect(_edit_url(journal))
    groups, plan = _plan_groups(journal)
    visits = list(
        journal.visits.select_related("customer", "plan_item", "stage_change").order_by(
            "occurred_at", "id"
        )
    )
    services.journal_mark_read(journal=journal, reader=request.user)  # type: ignore[arg-type]
    comments = _comments(journal)
    revisions = list(JournalRevision.objects.filter(journal=journal).select_related("created_by"))
    can_review = True
    try:
        services.journal_check_can_review(journal=journal, scope=scope)
    except PermissionDenied:
        can_review = False
    prev_id, next_id = selectors.journal_neighbours(journal=journal, scope=scope)
    inbox_url = (
        reverse("journals:inbox") + "?" + urlencode({"team": journal.team_id, "day": journal.day})
        if scope.can_see_team(journal.team_id)
        else ""
    )
    return render(
        request,
        "journals/detail.html",
        {
            "journal": journal,
            "is_author": is_author,
            "plan_groups": groups,
            "plan_count": len(plan),
            "visits": visits,
            "contact_counts": contact_counts(visits),
            "visits_by_others": selectors.visits_by_others(journal),
            "achievement": _achievement_rows(
                [p.purpose for p in plan], [(v.purpose, v.channel) for v in visits]
            ),
            "comments": comments,
            # A comment that could not go with "mark reviewed" comes back typed.
            "comment_form": CommentForm(
                initial={"text": request.session.pop(f"comment-draft:{journal.pk}", "")}
            ),
            "evaluation_form": EvaluationForm(initial={"evaluation": journal.evaluation}),
            "can_review": can_review,
            "can_manage": scope.can_manage_team(journal.team_id),
            "revisions": _revision_diffs(journal, revisions) if revisions else [],
            "prev_id": prev_id,
            "next_id": next_id,
            "inbox_url": inbox_url,
            "quick_comments": QUICK_COMMENTS,
            "readers": _readers(journal, scope, is_author),
        },
    )


def _comments(journal: Journal) -> list[Comment]:
    """The journal's comments with their authors and the usernames they mentioned
    (``mention_names``, for highlighting); two queries."""
    comments = list(
        Comment.objects.filter(journal=journal)
        .select_related("author")
        .prefetch_related("mentions")
        .order_by("created_at")
    )
    for c in comments:
        c.mention_names = [u.username for u in c.mentions.all()]  # type: ignore[attr-defined]
    return comments


def _readers(journal: Journal, scope: Scope, is_author: bool) -> list[JournalRead] | None:
    """Who read the journal and when, for its author and its team's supervisor (None for
    anyone else: they do not see the list)."""
    if not (is_author or scope.can_manage_team(journal.team_id)):
        return None
    return list(JournalRead.objects.filter(journal=journal).select_related("reader"))


#: One-click comments on the journal page (the supervisor's usual advice).
QUICK_COMMENTS = [
    gettext_lazy("Good work, keep it up!"),
    gettext_lazy("Please write the preparation for each planned visit."),
    gettext_lazy("Your visit volume is below the standard; let's plan more visits."),
    gettext_lazy("Agree a dated next step with each customer."),
    gettext_lazy("Let's talk one-on-one after the morning meeting."),
]


@login_required
@require_POST
def journal_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the supervisor's evaluation and advice (and mark reviewed when asked)."""
    journal = selectors.journal_get(scope=_scope(request), pk=pk)
    services.journal_check_can_review(journal=journal, scope=_scope(request))
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("journals:journal_detail", pk=pk)
    if not _post_pending_comment(request, journal):
        return redirect("journals:journal_detail", pk=pk)
    try:
        if request.POST.get("review"):
            services.journal_review(
                journal=journal,
                by=request.user,  # type: ignore[arg-type]
                evaluation=form.cleaned_data["evaluation"],
            )
            messages.success(request, _("Marked as reviewed."))
        else:
            services.journal_evaluate(
                journal=journal,
                by=request.user,  # type: ignore[arg-type]
                evaluation=form.cleaned_data["evaluation"],
            )
            messages.success(request, _("Evaluation saved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    next_id = id_param(request.POST.get("next"))
    if request.POST.get("review") and next_id is not None:
        return redirect("journals:journal_detail", pk=next_id)
    return redirect("journals:journal_detail", pk=pk)


def _post_pending_comment(request: HttpRequest, journal: Journal) -> bool:
    """Post the comment typed but not sent when the evaluation form was submitted (the
    page copies it into ``pending_comment``). False when it could not be posted: the
    reviewer stays on the journal with the text kept and a warning."""
    text = (request.POST.get("pending_comment") or "").strip()
    if not text:
        return True
    form = CommentForm({"text": text})
    try:
        if not form.is_valid():
            raise ValidationError([str(e) for errors in form.errors.values() for e in errors])
        services.comment_add(journal=journal, by=request.user, text=text)  # type: ignore[arg-type]
    except (ValidationError, PermissionDenied) as exc:
        request.session[f"comment-draft:{journal.pk}"] = text
        why = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.warning(
            request, _("Your comment was not posted and is kept below: %(why)s") % {"why": why}
        )
        return False
    messages.success(request, _("Your comment was posted."))
    return True


@login_required
@require_POST
def journal_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark reviewed (from the inbox or the journal); back to where it came from."""
    journal = selectors.journal_get(scope=_scope(request), pk=pk)
    services.journal_check_can_review(journal=journal, scope=_scope(request))
    try:
        services.journal_review(journal=journal, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Marked as reviewed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(safe_next(request, reverse("journals:journal_detail", kwargs={"pk": pk})))


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a comment (with @mentions) to a journal the viewer sees."""
    journal = selectors.journal_get(scope=_scope(request), pk=pk)
    services.journal_check_can_comment(journal=journal, scope=_scope(request))
    form = CommentForm(request.POST)
    unreachable: list[str] = []
    if form.is_valid():
        try:
            comment = services.comment_add(
                journal=journal,
                by=request.user,  # type: ignore[arg-type]
                text=form.cleaned_data["text"],
            )
            unreachable = getattr(comment, "unreachable", [])
        except ValidationError as exc:
            _form_errors_from(form, exc)
    if request.htmx:  # type: ignore[attr-defined]
        comments = _comments(journal)
        return render(
            request,
            "journals/_comments.html",
            {
                "journal": journal,
                "comments": comments,
                "comment_form": form if form.errors else CommentForm(),
                "quick_comments": QUICK_COMMENTS,
                "can_review": _can_review(journal, _scope(request)),
                "unreachable": unreachable,
            },
        )
    if unreachable:
        messages.warning(
            request,
            _("Not notified: @%(names)s (unknown, or may not see this journal).")
            % {"names": ", @".join(unreachable)},
        )
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect(reverse("journals:journal_detail", args=[pk]) + "#comments")


def _can_review(journal: Journal, scope: Scope) -> bool:
    try:
        services.journal_check_can_review(journal=journal, scope=scope)
    except PermissionDenied:
        return False
    return True
