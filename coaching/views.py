"""Coaching pages: plan list and detail (effect chart), plan creation (from a finding or
from scratch), finding detail, the team heat map, the rep's page, one-on-one talks and the
recognition board. Thin views: parse input, call a service or selector, render. Objects
outside the viewer's scope answer 404; visible but read-only ones 403 on write.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts.forms import add_service_errors
from accounts.http import id_param
from accounts.middleware import ScopedRequest
from accounts.models import Membership, OrgUnit, User
from accounts.scoping import (
    Scope,
    active_memberships,
    get_editable_or_403,
    get_visible_or_404,
    local_today,
    visible_teams,
)
from kpi.calculations import period_of
from kpi.templatetags.kpi_format import metric_label

from . import selectors, services, texts
from .effect import EFFECT_METRICS
from .forms import GoalForm, MeasureForm, PlanForm, RecognitionForm, SessionForm, TalkForm
from .models import CauseCategory, CoachingPlan, Finding, FollowUpSession, Goal, Measure, Symptom


def _scope(request: ScopedRequest) -> Scope:
    return request.scope


def _int(raw: str | None) -> int | None:
    return id_param(raw)


def _guide() -> list[tuple[str, str]]:
    """The one-on-one talk guide (docs/domain section 8, 员工沟通)."""
    return [
        (_("Understand the person"), _("Ask about their situation and listen before judging.")),
        (_("Set goals together"), _("Agree measurable goals the rep accepts as their own.")),
        (_("Choose the method"), _("Coaching, training or support: pick what fits the cause.")),
        (_("Keep promises"), _("Write down what you agreed and follow it up on the date.")),
    ]


def _coachees(scope: Scope) -> Any:
    """Reps of the teams the viewer leads today."""
    teams = selectors.lead_teams(scope).values("pk")
    ids = Membership.objects.filter(
        active_memberships(scope.day), unit_id__in=teams, role=Membership.Role.REP
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "pk")


# --------------------------------------------------------------------------- plans


@login_required
def plan_list(request: ScopedRequest) -> HttpResponse:
    """All plans the viewer may see: own (rep), the team's (supervisor), under them (manager)."""
    scope = _scope(request)
    status = request.GET.get("status", "")
    if status not in CoachingPlan.Status.values:
        status = ""
    teams = list(selectors.lead_teams(scope))
    team_id = _int(request.GET.get("team"))
    if team_id and team_id not in {t.pk for t in teams}:
        team_id = None
    plans = selectors.plan_list(scope=scope, status=status, team_id=team_id)
    page = Paginator(plans, 20).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("team", team_id or "")) if v)
    return render(
        request,
        "coaching/plan_list.html",
        {
            "page": page,
            "querystring": query,
            "statuses": CoachingPlan.Status.choices,
            "status": status,
            "teams": teams,
            "team_id": team_id,
            "is_lead": bool(teams),
            "today": local_today(),
        },
    )


def _plan_context(request: ScopedRequest, plan: CoachingPlan, **forms: Any) -> dict[str, Any]:
    scope = _scope(request)
    can_lead = scope.can_lead_team(plan.team_id)
    today = local_today()
    measures = list(Measure.objects.filter(plan=plan).select_related("owner", "visit__customer"))
    goals = list(Goal.objects.filter(plan=plan))
    labels = {code: metric_label(code) for code in EFFECT_METRICS}
    for g in goals:
        g.label = labels.get(g.metric, g.metric)  # type: ignore[attr-defined]
    sessions = list(FollowUpSession.objects.filter(plan=plan).select_related("author"))
    talks = list(selectors.talks_visible(scope).filter(plan=plan))
    eff = selectors.plan_effect(plan, today)
    for row in eff["rows"]:
        row["label"] = labels.get(row["metric"], row["metric"])
    chart = eff["chart"]
    if chart:
        for s in chart["series"]:
            s["name"] = labels.get(s["metric"], s["metric"])
        chart["before_label"] = pgettext("coaching effect", "Before")
        chart["after_label"] = _("During the plan")
    ctx = {
        "plan": plan,
        "can_lead": can_lead,
        "is_coachee": plan.coachee_id == scope.user_id,
        "measures": measures,
        "goals": goals,
        "sessions": sessions,
        "talks": talks,
        "effect": eff,
        "chart": chart,
        "statuses": CoachingPlan.Status.choices,
        "today": today,
    }
    if can_lead:
        ctx["measure_form"] = forms.get("measure_form") or MeasureForm(
            plan=plan, initial={"due": today + dt.timedelta(days=7)}
        )
        ctx["goal_form"] = forms.get("goal_form") or GoalForm(initial={"due": plan.end})
        ctx["session_form"] = forms.get("session_form") or SessionForm(initial={"held_on": today})
    return ctx


@login_required
def plan_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    """A plan: problem, evidence, measures, goals, sessions, talks and the effect chart."""
    scope = _scope(request)
    plan = get_visible_or_404(selectors.plans_visible(scope), scope, pk=pk)
    return render(request, "coaching/plan_detail.html", _plan_context(request, plan))


@login_required
def plan_create(request: ScopedRequest) -> HttpResponse:
    """Create a plan from scratch or, with ``?finding=<id>``, prefilled from a finding."""
    scope = _scope(request)
    finding = None
    finding_id = _int(request.GET.get("finding") or request.POST.get("finding"))
    if finding_id:
        finding = get_visible_or_404(selectors.findings_visible(scope), scope, pk=finding_id)
        if not scope.can_lead_team(finding.team_id):
            raise PermissionDenied
    if not selectors.lead_teams(scope).exists():
        raise PermissionDenied
    coachees = _coachees(scope)
    if finding is not None:
        coachees = coachees | User.objects.filter(pk=finding.rep_id)
    if request.method == "POST":
        form = PlanForm(request.POST, coachees=coachees.distinct())
        if form.is_valid():
            d = form.cleaned_data
            try:
                plan = services.plan_create(
                    by=request.user,
                    coachee=d["coachee"],
                    problem=d["problem"],
                    evidence=d["evidence"],
                    cause_category=d["cause_category"],
                    start=d["start"],
                    end=d["end"],
                    effect_metrics=d["effect_metrics"],
                    finding=finding,
                    measures=[
                        {
                            "kind": m["kind"],
                            "code": m.get("code")
                            or texts.legacy_code("measure", m.get("text", "")),
                            "text": m.get("text", ""),
                            "due": d["start"] + dt.timedelta(days=7),
                        }
                        for m in (finding.measures if finding else [])
                    ],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Coaching plan created."))
                return redirect("coaching:plan_detail", pk=plan.pk)
    else:
        initial: dict[str, Any] = {
            "start": local_today(),
            "end": local_today() + dt.timedelta(days=27),
        }
        if finding is not None:
            initial = services.plan_initial_from_finding(finding)
        elif rep_id := _int(request.GET.get("rep")):
            initial["coachee"] = rep_id
        form = PlanForm(initial=initial, coachees=coachees.distinct())
    return render(
        request,
        "coaching/plan_form.html",
        {
            "form": form,
            "finding": finding,
            "suggested": _translated_finding(finding)["measures"] if finding else [],
            "guide": _guide(),
        },
    )


def _lead_plan(request: ScopedRequest, pk: int) -> CoachingPlan:
    scope = _scope(request)
    return get_editable_or_403(selectors.plans_visible(scope), scope, pk=pk)


@login_required
@require_POST
def plan_acknowledge(request: ScopedRequest, pk: int) -> HttpResponse:
    """The coachee acknowledges the plan (403 for anyone else who can see it)."""
    scope = _scope(request)
    plan = get_visible_or_404(selectors.plans_visible(scope), scope, pk=pk)
    services.plan_acknowledge(plan=plan, by=request.user)
    messages.success(request, _("Plan acknowledged."))
    return redirect("coaching:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_status(request: ScopedRequest, pk: int) -> HttpResponse:
    """Set the plan's status (leads)."""
    plan = _lead_plan(request, pk)
    try:
        services.plan_set_status(plan=plan, by=request.user, status=request.POST.get("status", ""))
    except ValidationError:
        messages.error(request, _("Unknown status."))
    return redirect("coaching:plan_detail", pk=plan.pk)


@login_required
@require_POST
def measure_add(request: ScopedRequest, pk: int) -> HttpResponse:
    """Add a measure to the plan; errors re-render the plan page."""
    plan = _lead_plan(request, pk)
    form = MeasureForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.measure_add(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Measure added."))
            return redirect("coaching:plan_detail", pk=plan.pk)
    ctx = _plan_context(request, plan, measure_form=form)
    return render(request, "coaching/plan_detail.html", ctx, status=400)


@login_required
@require_POST
def goal_add(request: ScopedRequest, pk: int) -> HttpResponse:
    """Add a goal to the plan."""
    plan = _lead_plan(request, pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            services.goal_add(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Goal added."))
            return redirect("coaching:plan_detail", pk=plan.pk)
    ctx = _plan_context(request, plan, goal_form=form)
    return render(request, "coaching/plan_detail.html", ctx, status=400)


@login_required
@require_POST
def session_add(request: ScopedRequest, pk: int) -> HttpResponse:
    """Log a follow-up session of the plan."""
    plan = _lead_plan(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            services.session_add(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Follow-up session logged."))
            return redirect("coaching:plan_detail", pk=plan.pk)
    ctx = _plan_context(request, plan, session_form=form)
    return render(request, "coaching/plan_detail.html", ctx, status=400)


# --------------------------------------------------------------------------- findings


def _symptom_label(code: str) -> str:
    return str(Symptom(code).label) if code in Symptom.values else code


def _translated_finding(f: Finding) -> dict[str, Any]:
    """Evidence, causes and measures in the viewer's language (coaching.texts)."""
    cats = dict(CauseCategory.choices)
    figures = [
        {**fig, "label": texts.figure_label(str(fig.get("key", "")), str(fig.get("label", "")))}
        for fig in f.evidence.get("figures", [])
    ]
    return {
        "figures": figures,
        "customers": f.evidence.get("customers", []),
        "journals": f.evidence.get("journals", []),
        "causes": [
            {
                "cause": texts.cause_text(c),
                "category": c.get("category"),
                "category_label": cats.get(c.get("category"), ""),
            }
            for c in f.causes
        ],
        "measures": [
            {
                "kind": m.get("kind"),
                "text": texts.measure_text(m.get("code", ""), m.get("text", "")),
            }
            for m in f.measures
        ],
    }


@login_required
def finding_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    """A finding with its figures, the customers and journals behind it, causes, measures."""
    scope = _scope(request)
    finding = get_visible_or_404(selectors.findings_visible(scope), scope, pk=pk)
    plans = list(selectors.plans_visible(scope).filter(finding=finding))
    return render(
        request,
        "coaching/finding_detail.html",
        {
            "finding": finding,
            "period": period_of(finding.period_start, finding.period_kind),
            "detail": _translated_finding(finding),
            "plans": plans,
            "can_lead": scope.can_lead_team(finding.team_id),
        },
    )


@login_required
@require_POST
def finding_dismiss(request: ScopedRequest, pk: int) -> HttpResponse:
    """Dismiss a finding (leads)."""
    scope = _scope(request)
    finding = get_editable_or_403(selectors.findings_visible(scope), scope, pk=pk)
    services.finding_dismiss(finding=finding, by=request.user)
    messages.success(request, _("Finding dismissed."))
    return redirect("coaching:finding_detail", pk=finding.pk)


def _lead_team(request: ScopedRequest, raw: str | None) -> tuple[OrgUnit, list[OrgUnit]]:
    """The team asked for (404 unless the viewer leads it) or the first team they lead."""
    teams = list(selectors.lead_teams(_scope(request)))
    if not teams:
        raise Http404
    team_id = _int(raw)
    if raw is not None and raw != "":
        team = next((t for t in teams if t.pk == team_id), None)
        if team is None:
            raise Http404
        return team, teams
    return teams[0], teams


@login_required
def heatmap(request: ScopedRequest) -> HttpResponse:
    """The team heat map: reps x symptoms for one month or ISO week (leads only)."""
    scope = _scope(request)
    if not (scope.is_admin or scope.supervised_team_ids or scope.managed_team_ids):
        return redirect("coaching:rep_findings", user_id=scope.user_id)
    team, teams = _lead_team(request, request.GET.get("team"))
    kind = "week" if request.GET.get("kind") == "week" else "month"
    period = selectors.parse_period_or_default(request.GET.get("period"), kind)
    data = selectors.heatmap(team=team, period=period, day=scope.day)
    return render(
        request,
        "coaching/heatmap.html",
        {
            "team": team,
            "teams": teams,
            "period": period,
            "prev": period.previous(),
            "next": period.next(),
            "kind": period.kind,
            "data": data,
        },
    )


@login_required
@require_POST
def findings_recompute(request: ScopedRequest) -> HttpResponse:
    """Recompute the team's findings for a period now (leads), then back to the heat map."""
    team, _teams = _lead_team(request, request.POST.get("team"))
    period = selectors.parse_period_or_default(request.POST.get("period"))
    counts = services.findings_recompute(team_ids=[team.pk], period=period)
    messages.success(
        request,
        _("Diagnosis updated: %(n)s findings.") % {"n": counts["created"] + counts["updated"]},
    )
    url = reverse("coaching:heatmap") + f"?team={team.pk}&period={period.key}"
    return redirect(url)


@login_required
def rep_findings(request: ScopedRequest, user_id: int) -> HttpResponse:
    """A rep's page: findings, coaching plans, talks and recognitions (self or their leads)."""
    scope = _scope(request)
    if not scope.can_see_user(user_id):
        raise Http404
    # Narrowed to the viewer's people just above; the helper also makes a huge id a 404.
    person = get_visible_or_404(User.objects.all(), scope, pk=user_id)
    findings = list(
        selectors.open_findings(selectors.findings_visible(scope), rep_id=user_id).order_by(
            "-period_start", "period_kind", "symptom"
        )[:60]
    )
    for f in findings:
        f.period = period_of(f.period_start, f.period_kind)  # type: ignore[attr-defined]
    plans = list(selectors.plans_visible(scope).filter(coachee_id=user_id)[:30])
    talks = list(selectors.talks_visible(scope).filter(rep_id=user_id)[:30])
    recognitions = list(selectors.recognitions_visible(scope).filter(rep_id=user_id)[:20])
    can_lead = any(scope.can_lead_team(p.team_id) for p in plans) or bool(
        _coachees(scope).filter(pk=user_id).exists()
    )
    return render(
        request,
        "coaching/rep_findings.html",
        {
            "person": person,
            "findings": findings,
            "plans": plans,
            "talks": talks,
            "recognitions": recognitions,
            "can_lead": can_lead,
            "is_self": user_id == scope.user_id,
        },
    )


# --------------------------------------------------------------------------- talks


@login_required
def talk_create(request: ScopedRequest) -> HttpResponse:
    """Log a one-on-one talk (员工沟通), with the short guide beside the form."""
    scope = _scope(request)
    if not selectors.lead_teams(scope).exists():
        raise PermissionDenied
    reps = _coachees(scope)
    plans = (
        selectors.plans_visible(scope)
        .filter(team__in=selectors.lead_teams(scope))
        .exclude(status=CoachingPlan.Status.CANCELLED)
    )
    if request.method == "POST":
        form = TalkForm(request.POST, reps=reps, plans=plans)
        if form.is_valid():
            try:
                talk = services.talk_add(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Talk logged."))
                if talk.plan_id:
                    return redirect("coaching:plan_detail", pk=talk.plan_id)
                return redirect("coaching:rep_findings", user_id=talk.rep_id)
    else:
        initial: dict[str, Any] = {"held_on": local_today()}
        plan_id = _int(request.GET.get("plan"))
        if plan_id:
            plan = get_visible_or_404(plans, scope, pk=plan_id)
            initial.update(plan=plan.pk, rep=plan.coachee_id)
        elif rep_id := _int(request.GET.get("rep")):
            initial["rep"] = rep_id
        form = TalkForm(initial=initial, reps=reps, plans=plans)
    return render(request, "coaching/talk_form.html", {"form": form, "guide": _guide()})


# --------------------------------------------------------------------------- recognition


@login_required
def recognition_board(request: ScopedRequest) -> HttpResponse:
    """The team's recognition board (张榜表彰), with data-driven suggestions for leads."""
    scope = _scope(request)
    teams = list(visible_teams(scope).order_by("name"))
    if not teams:
        raise Http404
    raw = request.GET.get("team")
    team_id = _int(raw)
    if raw:
        team = next((t for t in teams if t.pk == team_id), None)
        if team is None:
            raise Http404
    else:
        home = scope.home_team_id
        team = next((t for t in teams if t.pk == home), teams[0])
    recs = selectors.recognitions_visible(scope).filter(team=team)
    page = Paginator(recs, 20).get_page(request.GET.get("page"))
    can_lead = scope.can_lead_team(team.pk)
    ctx: dict[str, Any] = {
        "team": team,
        "teams": teams,
        "page": page,
        "querystring": f"team={team.pk}",
        "can_lead": can_lead,
    }
    if can_lead:
        reps = selectors.team_reps(team.pk, scope.day)
        names = {u.pk: u for u in reps}
        suggestions = [
            {**s, "rep": names[s["rep_id"]], "message_json": json.dumps(s["message"])}
            for s in services.recognition_suggestions(team_id=team.pk, day=scope.day)
            if s["rep_id"] in names
        ]
        ctx["suggestions"] = suggestions
        ctx["form"] = RecognitionForm(
            reps=User.objects.filter(pk__in=list(names)).order_by("display_name")
        )
    return render(request, "coaching/recognition_board.html", ctx)


@login_required
@require_POST
def recognition_give(request: ScopedRequest) -> HttpResponse:
    """Post a recognition to the board (leads of the rep's team) and notify the rep."""
    scope = _scope(request)
    if not selectors.lead_teams(scope).exists():
        raise PermissionDenied
    form = RecognitionForm(request.POST, reps=_coachees(scope))
    if form.is_valid():
        try:
            rec = services.recognition_give(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recognition posted."))
            return redirect(reverse("coaching:recognition_board") + f"?team={rec.team_id}")
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, str(e))
    team_id = _int(request.POST.get("team"))
    suffix = f"?team={team_id}" if team_id else ""
    return redirect(reverse("coaching:recognition_board") + suffix)
