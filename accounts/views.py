"""Account pages: login, profile, teams, notifications, and the role-based home."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .api.common import LoginThrottle, LoginUserThrottle, TokenThrottle
from .forms import ApiTokenForm, LoginForm, ProfileForm, add_service_errors
from .hooks import member_findings, team_panels
from .http import id_param, safe_next
from .middleware import ScopedRequest
from .models import Membership, Notification
from .scoping import active_memberships, get_visible_or_404, visible_teams
from .services import (
    api_token_create,
    api_token_revoke,
    api_tokens_of,
    notifications_mark_read,
    team_members,
    user_set_language,
)

# The first screen per role (docs/domain section 10), falling back when an app is not there.
HOME_BY_ROLE = {
    "rep": ["journals:today", "customers:customer_list"],
    "supervisor": ["journals:inbox", "customers:customer_list"],
    "manager": ["kpi:dashboard", "accounts:team_list"],
    "admin": ["customers:import_list", "accounts:team_list"],
}


class LoginView(auth_views.LoginView):
    """Django's login (a new session key at login) with our form and template."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        """Throttle attempts per address and per address and user name (429 page), on
        top of axes' lockout after repeated wrong passwords."""
        for throttle in (LoginThrottle(), LoginUserThrottle()):
            if not throttle.allow_request(request, self):  # type: ignore[arg-type]
                wait = int(throttle.wait() or 60)
                response = render(
                    request,
                    "accounts/login_throttled.html",
                    {"wait": wait},
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return super().post(request, *args, **kwargs)


@login_required
def home(request: ScopedRequest) -> HttpResponse:
    """Send the user to their role's first screen; a user with no role sees the profile."""
    for name in HOME_BY_ROLE.get(request.scope.primary_role, []):
        try:
            return redirect(reverse(name))
        except NoReverseMatch:
            continue
    return redirect("accounts:profile")


@login_required
def profile(request: ScopedRequest) -> HttpResponse:
    """Show and edit the user's own name, email and phone, their memberships and their
    API tokens (listed, created and revoked below the profile)."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return _render_profile(request, form=form)


def _render_profile(
    request: HttpRequest,
    *,
    form: ProfileForm | None = None,
    token_form: ApiTokenForm | None = None,
    new_token: str = "",
    status: int = 200,
) -> HttpResponse:
    memberships = Membership.objects.filter(user_id=request.user.pk or 0).select_related("unit")
    context = {
        "form": form or ProfileForm(instance=request.user),
        "memberships": memberships,
        "token_form": token_form or ApiTokenForm(),
        "tokens": api_tokens_of(user=request.user),  # type: ignore[arg-type]
        "new_token": new_token,
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a named API token; the page shows its text once (it is stored hashed)."""
    if not TokenThrottle().allow_request(request, None):  # type: ignore[arg-type]
        messages.error(request, _("Too many token requests; try again in a minute."))
        return redirect("accounts:profile")
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _row, text = api_token_create(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Token created. Copy it now: it is not shown again."))
            return _render_profile(request, new_token=text)
    return _render_profile(request, token_form=form, status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, key: str) -> HttpResponse:
    """Revoke one of the user's own tokens (404 for a key that is not theirs)."""
    if not api_token_revoke(user=request.user, token_key=key):  # type: ignore[arg-type]
        raise Http404
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


@login_required
def team_list(request: ScopedRequest) -> HttpResponse:
    """Teams the user may see, with their branch and today's head count."""
    scope = request.scope
    teams = list(visible_teams(scope).select_related("parent"))
    counts: dict[int, int] = {}
    for unit_id in Membership.objects.filter(
        active_memberships(scope.day), unit__in=teams, role=Membership.Role.REP
    ).values_list("unit_id", flat=True):
        counts[unit_id] = counts.get(unit_id, 0) + 1
    rows = [{"team": t, "reps": counts.get(t.pk, 0)} for t in teams]
    return render(request, "accounts/team_list.html", {"rows": rows, "is_admin": scope.is_admin})


@login_required
def team_detail(request: ScopedRequest, code: str) -> HttpResponse:
    """A team's members and roles today. 404 unless the viewer may see the team."""
    scope = request.scope
    team = get_visible_or_404(visible_teams(scope).select_related("parent"), scope, code=code)
    members = team_members(team=team, day=scope.day)
    leads = scope.can_lead_team(team.pk)
    # The month's open diagnosis findings beside each member, from the provider coaching
    # registers (accounts.hooks); one query.
    findings = member_findings(team.pk, scope.day) if leads else {}
    rows = [{"m": m, "findings": findings.get(m.user_id, [])} for m in members]
    return render(
        request,
        "accounts/team_detail.html",
        {
            "team": team,
            "members": members,
            "rows": rows,
            "can_manage": scope.can_manage_team(team.pk),
            "is_admin": scope.is_admin,
            "leads": leads,
            # Panels of higher layers (the team's overdue project control points).
            "panels": team_panels(team.pk, scope.day) if leads else [],
        },
    )


@login_required
def notification_list(request: ScopedRequest) -> HttpResponse:
    """The user's notifications, newest first, 30 a page."""
    page = Paginator(Notification.objects.filter(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: ScopedRequest) -> HttpResponse:
    """Mark one (``id``) or all of the user's notifications read, then go back."""
    raw = request.POST.get("id")
    one = id_param(raw)
    if raw and one is None:
        ids: list[int] | None = []  # a bad id marks nothing rather than everything
    else:
        ids = [one] if one is not None else None
    notifications_mark_read(user=request.user, ids=ids)
    return redirect(safe_next(request, reverse("accounts:notification_list")))


password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: Django's ``set_language`` (cookie and redirect to ``next``),
    and for a signed-in user the choice is also saved as ``User.language``, so it follows
    them to every device, their notifications and their e-mails."""
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=user, language=language)
    return response
