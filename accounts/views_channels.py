"""A team's group-robot channels (DingTalk, WeCom, Feishu): the supervisor sets them,
sends a test message and sees each delivery, failures first (``accounts/delivery.py``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import delivery
from .http import id_param
from .middleware import ScopedRequest
from .models import ChannelDelivery, OrgUnit, TeamChannel
from .scoping import get_visible_or_404, visible_teams

TOPIC_LABELS = {
    "digest": gettext_lazy("Morning digest"),
    "chases": gettext_lazy("Chases"),
    "recognition": gettext_lazy("Recognition board"),
    "follow_ups": gettext_lazy("Overdue follow-ups"),
    "meetings": gettext_lazy("Meeting summaries"),
}


class ChannelForm(forms.Form):
    """The channel form; the rules (allowed addresses, who may) are in the service."""

    platform = forms.ChoiceField(
        label=gettext_lazy("Platform"), choices=TeamChannel.Platform.choices
    )
    webhook_url = forms.CharField(label=gettext_lazy("Webhook address"), max_length=500)
    secret = forms.CharField(
        label=gettext_lazy("Signing secret"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("DingTalk and Feishu; leave empty to keep the saved one."),
    )
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("Post"),
        choices=list(TOPIC_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=list(TOPIC_LABELS),
    )


def _team(request: ScopedRequest, code: str) -> OrgUnit:
    scope = request.scope
    team = get_visible_or_404(visible_teams(scope), scope, code=code)
    if team.kind != OrgUnit.Kind.TEAM:
        raise Http404
    if not scope.can_manage_team(team.pk):
        raise PermissionDenied
    return team


@login_required
def team_channels(request: ScopedRequest, code: str) -> HttpResponse:
    """The team's channels and their last 30 deliveries; POST saves one channel. 404 for a
    team out of scope, 403 for a viewer who does not supervise it."""
    team = _team(request, code)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            delivery.channel_save(
                team=team,
                by=request.user,
                platform=form.cleaned_data["platform"],
                webhook_url=form.cleaned_data["webhook_url"],
                secret=form.cleaned_data["secret"],
                topics=tuple(form.cleaned_data["topics"]),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Channel saved."))
            return redirect("accounts:team_channels", code=team.code)
    channels = list(TeamChannel.objects.filter(team=team))
    deliveries = list(
        ChannelDelivery.objects.filter(channel__team=team).select_related("channel")[:30]
    )
    return render(
        request,
        "accounts/team_channels.html",
        {
            "team": team,
            "form": form,
            "channels": [
                {
                    "c": c,
                    "topics": [
                        str(TOPIC_LABELS[t]) for t in delivery.TOPICS if getattr(c, f"post_{t}")
                    ],
                }
                for c in channels
            ],
            "deliveries": deliveries,
            "failed": sum(d.status == ChannelDelivery.Status.FAILED for d in deliveries),
        },
    )


def _channel(request: ScopedRequest, team: OrgUnit) -> TeamChannel:
    pk = id_param(request.POST.get("channel"))
    channel = TeamChannel.objects.filter(team=team, pk=pk).first() if pk else None
    if channel is None:
        raise Http404
    return channel


@login_required
@require_POST
def team_channel_test(request: ScopedRequest, code: str) -> HttpResponse:
    """Send a test message to one of the team's channels."""
    team = _team(request, code)
    delivery.channel_test(channel=_channel(request, team), by=request.user)
    messages.info(request, _("Test message queued; its result is listed below."))
    return redirect("accounts:team_channels", code=team.code)


@login_required
@require_POST
def team_channel_delete(request: ScopedRequest, code: str) -> HttpResponse:
    """Remove one of the team's channels."""
    team = _team(request, code)
    delivery.channel_delete(channel=_channel(request, team), by=request.user)
    messages.success(request, _("Channel removed."))
    return redirect("accounts:team_channels", code=team.code)
