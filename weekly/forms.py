"""Forms of the weekly app: parse input only; the rules live in weekly.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from customers.models import Customer
from kpi.templatetags.kpi_format import metric_label

from .selectors import RATE_METRICS, WEEK_METRICS


class ReportForm(forms.Form):
    """The rep's part of a personal report: analysis, summary, next week's goals."""

    analysis = forms.CharField(
        label=_("Analysis of results"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Link your results to the sales methods you used."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for metric in WEEK_METRICS:
            label = metric_label(metric)
            self.fields[f"goal_{metric}"] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_value=100 if metric in RATE_METRICS else 10**10,
                max_digits=14,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                help_text="%" if metric in RATE_METRICS else "",
            )

    @staticmethod
    def initial_for(analysis: str, summary: str, goals: dict[str, Any]) -> dict[str, Any]:
        """Initial data from a report's fields."""
        data: dict[str, Any] = {"analysis": analysis, "summary": summary}
        for metric in WEEK_METRICS:
            data[f"goal_{metric}"] = goals.get(metric)
        return data

    def goals(self) -> dict[str, Any]:
        """metric -> number (None left out) from cleaned data."""
        return {
            m: self.cleaned_data.get(f"goal_{m}")
            for m in WEEK_METRICS
            if self.cleaned_data.get(f"goal_{m}") is not None
        }

    def goal_fields(self) -> list[forms.BoundField]:
        """The goal inputs in indicator order (for the template)."""
        return [self[f"goal_{m}"] for m in WEEK_METRICS]


class KeyCustomerForm(forms.Form):
    """A key customer in progress, picked from a given queryset of customers."""

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    needs_analysis = forms.CharField(
        label=_("Needs analysis"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    tracking_plan = forms.CharField(
        label=_("Tracking plan"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, customers: QuerySet[Customer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    """A comment on a report."""

    text = forms.CharField(label=_("Comment"), max_length=2000, widget=forms.Textarea)


class ReviewForm(forms.Form):
    """The supervisor's evaluation of a personal report."""

    evaluation = forms.CharField(
        label=_("Supervisor evaluation and advice"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TeamReportForm(forms.Form):
    """The supervisor's texts on the team report."""

    summary = forms.CharField(
        label=_("Team summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    training_topics = forms.CharField(
        label=_("Next week's training topics"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class KeyCoacheeForm(forms.Form):
    """A key coachee of the week (重点辅导组员)."""

    rep = forms.ModelChoiceField(label=_("Name"), queryset=User.objects.none())
    problem = forms.CharField(
        label=_("Problem"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    coaching_content = forms.CharField(
        label=_("Coaching content"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    tracked_effect = forms.CharField(
        label=_("Tracked effect"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=[u.pk for u in members]
        ).order_by("username")
